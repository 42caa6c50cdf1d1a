/**
 * Turns a class name into a table name: `UniqueTogetherFields` → `unique_together_fields`,
 * `HTTPRequest` → `http_request`.
 */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
