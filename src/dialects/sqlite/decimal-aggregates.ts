import type BetterSqlite3 from 'better-sqlite3';

/** '-12.3400' at scale 4 → -123400n. */
function toScaled(text: string, scale: number): bigint {
  const negative = text.startsWith('-');
  const [i, f = ''] = (negative || text.startsWith('+') ? text.slice(1) : text).split('.');
  const digits = BigInt(`${i || '0'}${f.padEnd(scale, '0').slice(0, scale)}`);
  return negative ? -digits : digits;
}

/** -123400n at scale 4 → '-12.3400'. */
function fromScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

/** Rounds a scaled value to fewer places, half away from zero. */
function rescale(value: bigint, from: number, to: number): bigint {
  if (to >= from) return value * 10n ** BigInt(to - from);
  const divisor = 10n ** BigInt(from - to);
  const q = value / divisor;
  const r = value % divisor;
  if ((r < 0n ? -r : r) * 2n >= divisor) return q + (value < 0n ? -1n : 1n);
  return q;
}

interface State {
  sum: bigint;
  count: number;
  min: bigint | null;
  max: bigint | null;
  scale: number;
}

const start = (): State => ({ sum: 0n, count: 0, min: null, max: null, scale: 0 });

/**
 * `scale` is the field's decimal places; without it (`DISTINCT` aggregates take one argument) the
 * scale is read from the stored text, and the running values are rescaled when a longer one appears.
 */
function step(state: State, value: unknown, scale?: unknown): void {
  if (value === null || value === undefined) return;
  const text = String(value);
  const s = scale === undefined ? Math.max(state.scale, (text.split('.')[1] ?? '').length) : Number(scale);
  if (s > state.scale && state.count > 0) {
    const k = 10n ** BigInt(s - state.scale);
    state.sum *= k;
    if (state.min !== null) state.min *= k;
    if (state.max !== null) state.max *= k;
  }
  state.scale = s;
  const v = toScaled(String(value), s);
  state.sum += v;
  state.count++;
  if (state.min === null || v < state.min) state.min = v;
  if (state.max === null || v > state.max) state.max = v;
}

/** A number or decimal text as scaled digits and its own scale (`'2.30'` → 230n, 2). */
function parseDecimal(value: unknown): { digits: bigint; scale: number } {
  if (typeof value === 'bigint') return { digits: value, scale: 0 };
  let text = String(value);
  if (typeof value === 'number' && /e/i.test(text)) text = value.toFixed(20);
  const scale = (text.split('.')[1] ?? '').length;
  return { digits: toScaled(text, scale), scale };
}

/**
 * `oxen_decimal_arith(op, a, b, places)`: `a + b`, `a - b` or `a * b` computed exactly in BigInt from the
 * operands' text (decimals are text on SQLite; its own arithmetic would use doubles), rounded half away
 * from zero to `places` and returned as text. NULL in, NULL out.
 */
export function registerDecimalArithmetic(db: BetterSqlite3.Database): void {
  db.function('oxen_decimal_arith', { deterministic: true, safeIntegers: true }, (op: unknown, a: unknown, b: unknown, places: unknown) => {
    if (a === null || b === null || a === undefined || b === undefined) return null;
    const l = parseDecimal(a);
    const r = parseDecimal(b);
    const target = Number(places);
    let digits: bigint;
    let scale: number;
    if (op === '*') {
      digits = l.digits * r.digits;
      scale = l.scale + r.scale;
    } else {
      scale = Math.max(l.scale, r.scale);
      const ld = rescale(l.digits, l.scale, scale);
      const rd = rescale(r.digits, r.scale, scale);
      digits = op === '-' ? ld - rd : ld + rd;
    }
    return fromScaled(rescale(digits, scale, target), target);
  });
}

/**
 * Exact SUM/AVG/MIN/MAX over decimals stored as text, with BigInt arithmetic: SQLite's own would
 * convert to doubles (15 significant digits) or compare as text.
 */
export function registerDecimalAggregates(db: BetterSqlite3.Database): void {
  const options = { start, step: step as never, deterministic: true, varargs: true } as const;
  db.aggregate('oxen_decimal_sum', { ...options, result: (s: State) => (s.count === 0 ? null : fromScaled(s.sum, s.scale)) });
  db.aggregate('oxen_decimal_avg', {
    ...options,
    // Four more places than the field, rounded half away from zero (MySQL's rule).
    result: (s: State) => (s.count === 0 ? null : fromScaled(rescale(rescale(s.sum, s.scale, s.scale + 8) / BigInt(s.count), s.scale + 8, s.scale + 4), s.scale + 4)),
  });
  db.aggregate('oxen_decimal_min', { ...options, result: (s: State) => (s.min === null ? null : fromScaled(s.min, s.scale)) });
  db.aggregate('oxen_decimal_max', { ...options, result: (s: State) => (s.max === null ? null : fromScaled(s.max, s.scale)) });
}
