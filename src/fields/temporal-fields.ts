import { normalizeTime } from '../utils/index.js';
import { Field, InvalidValue, typeName, type FieldOptions } from './field.js';

/** Options of `@DateTimeField`. */
export interface DateTimeFieldOptions extends FieldOptions<Date> {
  /** Set to the current time on every save. */
  autoNow?: boolean;
  /** Set to the current time when the row is first inserted. */
  autoNowAdd?: boolean;
}

/**
 * A point in time: a JS `Date` (millisecond precision), stored as UTC on every dialect. `autoNow` and
 * `autoNowAdd` are stamped when the row is written (one instant for every stamped field of a write).
 */
export class DateTimeFieldDef extends Field<Date> {
  readonly kind = 'datetime' as const;
  readonly autoNow: boolean;
  readonly autoNowAdd: boolean;
  constructor(options: DateTimeFieldOptions = {}) {
    super(options as DateTimeFieldOptions & Record<string, unknown>, ['autoNow', 'autoNowAdd']);
    this.autoNow = options.autoNow === true;
    this.autoNowAdd = options.autoNowAdd === true;
  }
  clean(value: unknown): Date {
    if (!(value instanceof Date)) throw new InvalidValue(`must be a Date, got ${typeName(value)}`);
    const t = value.getTime();
    if (Number.isNaN(t)) throw new InvalidValue('must be a valid Date (got Invalid Date)');
    const year = value.getUTCFullYear();
    if (year < 1 || year > 9999) throw new InvalidValue(`must be between years 1 and 9999 (got ${year})`);
    return value;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `'YYYY-MM-DD'` of a Date, in UTC. */
export function formatDate(d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as a `'YYYY-MM-DD'` string (a `Date` is accepted and taken in UTC). */
export class DateFieldDef extends Field<string> {
  readonly kind = 'date' as const;
  constructor(options: FieldOptions<string> = {}) {
    super(options as FieldOptions<string> & Record<string, unknown>);
  }
  clean(value: unknown): string {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return formatDate(value);
    if (typeof value !== 'string') throw new InvalidValue(`must be a 'YYYY-MM-DD' string, got ${typeName(value)}`);
    const m = DATE_RE.exec(value);
    if (m === null) throw new InvalidValue(`must be a 'YYYY-MM-DD' string, got '${value.slice(0, 40)}'`);
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const probe = new Date(Date.UTC(2000, mo - 1, d));
    probe.setUTCFullYear(y);
    if (y < 1 || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) {
      throw new InvalidValue(`is not a real date: '${value}'`);
    }
    return value;
  }
}

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.(\d{1,6}))?$/;

/** A time of day as `'HH:MM:SS[.ffffff]'` (microseconds kept). */
export class TimeFieldDef extends Field<string> {
  readonly kind = 'time' as const;
  constructor(options: FieldOptions<string> = {}) {
    super(options as FieldOptions<string> & Record<string, unknown>);
  }
  clean(value: unknown): string {
    if (typeof value !== 'string') throw new InvalidValue(`must be an 'HH:MM:SS[.ffffff]' string, got ${typeName(value)}`);
    if (!TIME_RE.test(value)) throw new InvalidValue(`must be an 'HH:MM:SS[.ffffff]' string, got '${value.slice(0, 40)}'`);
    return normalizeTime(value);
  }
}
