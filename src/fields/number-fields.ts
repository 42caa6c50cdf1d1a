import { ConfigurationError } from '../errors/index.js';
import { Field, InvalidValue, typeName, type FieldOptions } from './field.js';

abstract class IntegerFieldBase extends Field<number> {
  protected abstract readonly lowest: number;
  protected abstract readonly highest: number;
  clean(value: unknown): number {
    if (typeof value === 'bigint' && value >= BigInt(this.lowest) && value <= BigInt(this.highest)) return Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new InvalidValue(`must be an integer, got ${typeof value === 'number' ? String(value) : typeName(value)}`);
    }
    if (value < this.lowest || value > this.highest) {
      throw new InvalidValue(`must be between ${this.lowest} and ${this.highest} (got ${value})`);
    }
    return value === 0 ? 0 : value;
  }
}

/** A 32-bit integer. */
export class IntFieldDef extends IntegerFieldBase {
  readonly kind = 'int' as const;
  protected readonly lowest = -2147483648;
  protected readonly highest = 2147483647;
  constructor(options: FieldOptions<number> = {}) {
    super(options as FieldOptions<number> & Record<string, unknown>);
  }
}

/** A 16-bit integer. */
export class SmallIntFieldDef extends IntegerFieldBase {
  readonly kind = 'smallint' as const;
  protected readonly lowest = -32768;
  protected readonly highest = 32767;
  constructor(options: FieldOptions<number> = {}) {
    super(options as FieldOptions<number> & Record<string, unknown>);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A 64-bit integer, as a JS `bigint` (never a rounded number). */
export class BigIntFieldDef extends Field<bigint> {
  readonly kind = 'bigint' as const;
  constructor(options: FieldOptions<bigint> = {}) {
    super(options as FieldOptions<bigint> & Record<string, unknown>);
  }
  clean(value: unknown): bigint {
    let v: bigint;
    if (typeof value === 'bigint') v = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value);
    else if (typeof value === 'number' && Number.isInteger(value)) {
      throw new InvalidValue(`must be a bigint: ${value} is beyond 2^53 and may already be rounded; pass ${value}n or BigInt('...')`);
    } else throw new InvalidValue(`must be a bigint, got ${typeName(value)}`);
    if (v < INT64_MIN || v > INT64_MAX) throw new InvalidValue('must fit in 64 bits (-2^63 .. 2^63-1)');
    return v;
  }
}

/** A double-precision float. NaN and infinities are refused (MySQL cannot store them). */
export class FloatFieldDef extends Field<number> {
  readonly kind = 'float' as const;
  constructor(options: FieldOptions<number> = {}) {
    super(options as FieldOptions<number> & Record<string, unknown>);
  }
  clean(value: unknown): number {
    if (typeof value !== 'number') throw new InvalidValue(`must be a number, got ${typeName(value)}`);
    if (!Number.isFinite(value)) throw new InvalidValue(`must be a finite number (got ${value})`);
    return value === 0 ? 0 : value;
  }
}

/** Options of `@DecimalField`. */
export interface DecimalFieldOptions extends FieldOptions<string> {
  /** Total significant digits (1..65). */
  maxDigits: number;
  /** Digits after the decimal point (0..maxDigits, at most 30). */
  decimalPlaces: number;
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * An exact decimal, as a JS string with exactly `decimalPlaces` digits after the point (`'2.3000'`):
 * never a lossy number.
 */
export class DecimalFieldDef extends Field<string> {
  readonly kind = 'decimal' as const;
  readonly maxDigits: number;
  readonly decimalPlaces: number;
  constructor(options: DecimalFieldOptions) {
    super(options as DecimalFieldOptions & Record<string, unknown>, ['maxDigits', 'decimalPlaces']);
    const { maxDigits, decimalPlaces } = options ?? ({} as DecimalFieldOptions);
    if (!Number.isInteger(maxDigits) || maxDigits < 1 || maxDigits > 65) {
      throw new ConfigurationError('DecimalField needs maxDigits: an integer from 1 to 65');
    }
    if (!Number.isInteger(decimalPlaces) || decimalPlaces < 0 || decimalPlaces > Math.min(30, maxDigits)) {
      throw new ConfigurationError('DecimalField needs decimalPlaces: an integer from 0 to min(30, maxDigits)');
    }
    this.maxDigits = maxDigits;
    this.decimalPlaces = decimalPlaces;
  }
  clean(value: unknown): string {
    let text: string;
    if (typeof value === 'string') text = value.trim();
    else if (typeof value === 'bigint') text = value.toString();
    else if (typeof value === 'number' && Number.isFinite(value)) {
      text = String(value);
      if (/e/i.test(text)) text = value.toFixed(this.decimalPlaces);
    } else throw new InvalidValue(`must be a decimal string like '12.50' (or a finite number), got ${typeName(value)}`);
    const m = DECIMAL_RE.exec(text);
    if (m === null || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
      throw new InvalidValue(`must be a decimal string like '12.50', got '${text.slice(0, 40)}'`);
    }
    const intPart = m[2].replace(/^0+(?=\d)/, '') || '0';
    let frac = (m[3] ?? '').replace(/0+$/, '');
    if (frac.length > this.decimalPlaces) {
      throw new InvalidValue(`must have at most ${this.decimalPlaces} digits after the point (got '${text.slice(0, 40)}')`);
    }
    const intDigits = intPart === '0' ? 0 : intPart.length;
    if (intDigits > this.maxDigits - this.decimalPlaces) {
      throw new InvalidValue(`must have at most ${this.maxDigits - this.decimalPlaces} digits before the point (maxDigits ${this.maxDigits}, decimalPlaces ${this.decimalPlaces})`);
    }
    frac = frac.padEnd(this.decimalPlaces, '0');
    const isZero = intPart === '0' && /^0*$/.test(frac);
    const sign = m[1] === '-' && !isZero ? '-' : '';
    return this.decimalPlaces === 0 ? `${sign}${intPart}` : `${sign}${intPart}.${frac}`;
  }
  /** Formats a database value (string or number) with exactly `decimalPlaces` digits. */
  format(value: string | number): string {
    return this.clean(typeof value === 'number' ? value.toFixed(this.decimalPlaces) : value);
  }
}
