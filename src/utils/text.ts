/**
 * Text that no database stores as written: NUL (PostgreSQL refuses it in text) and lone UTF-16
 * surrogates (SQLite stores bytes that are not UTF-8; PostgreSQL and MariaDB store U+FFFD, so two
 * different strings become equal). Returns what is wrong, for a message, or undefined when the text is fine.
 */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'the NUL character (\\u0000)';
  if (!(value as unknown as { isWellFormed(): boolean }).isWellFormed()) {
    const at = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(value);
    const code = at === null ? '' : ` (\\u${at[0].charCodeAt(0).toString(16).toUpperCase()} at index ${at.index})`;
    return `a lone UTF-16 surrogate${code}, which is not valid Unicode`;
  }
  return undefined;
}

/** The most characters of user input an error message repeats (see docs/errors.md). */
export const MESSAGE_INPUT_LIMIT = 200;

/**
 * User input as an error message repeats it: at most {@link MESSAGE_INPUT_LIMIT} characters, longer
 * input cut with an ellipsis and its original length (`'aaaa…' (1000000 characters)`).
 */
export function clip(input: unknown, limit = MESSAGE_INPUT_LIMIT): string {
  const value = String(input);
  if (value.length <= limit) return value;
  let end = limit;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
  return `${value.slice(0, end)}… (${value.length} characters)`;
}
