/** Describes a parameter without revealing it: `string(5)`, `number`, `null`, `Buffer(16)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `string(${value.length})`;
  if (value instanceof Date) return 'Date';
  if (value instanceof Uint8Array) return `Buffer(${value.length})`;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

/** Redacts a statement's parameters for error messages and logs. */
export function redactParameters(parameters: readonly unknown[]): string[] {
  return parameters.map(describeValue);
}

/** Removes the password from a connection URL: `postgres://u:***@h/db`. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#]*@/i, '$1:***@');
}
