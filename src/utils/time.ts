/**
 * The canonical time string: `'HH:MM:SS'`, plus `.ffffff` trimmed of trailing zeros when there is a
 * fraction. Every dialect reads back this form.
 */
export function normalizeTime(value: string): string {
  const dot = value.indexOf('.');
  if (dot === -1) return value;
  const frac = value.slice(dot + 1).replace(/0+$/, '');
  return frac === '' ? value.slice(0, dot) : `${value.slice(0, dot)}.${frac}`;
}
