import { randomUUID, randomBytes } from 'node:crypto';
import { ConfigurationError } from '../errors/index.js';
import { unstorableText } from '../utils/index.js';
import { Field, InvalidValue, typeName, type FieldOptions } from './field.js';

function cleanString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidValue(`must be ${what}, got ${typeName(value)}`);
  const bad = unstorableText(value);
  if (bad !== undefined) throw new InvalidValue(`must not contain ${bad}`);
  return value;
}

/** Counts Unicode code points, as PostgreSQL and MySQL count characters. */
function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) i++;
    n++;
  }
  return n;
}

/** Options of `@CharField`. */
export interface CharFieldOptions extends FieldOptions<string> {
  /** The maximum length in characters (Unicode code points). Required. */
  maxLength: number;
}

/** A string of bounded length: VARCHAR(maxLength). */
export class CharFieldDef extends Field<string> {
  readonly kind = 'char' as const;
  readonly maxLength: number;
  constructor(options: CharFieldOptions) {
    super(options as CharFieldOptions & Record<string, unknown>, ['maxLength']);
    if (!Number.isInteger(options?.maxLength) || options.maxLength < 1 || options.maxLength > 16383) {
      throw new ConfigurationError('CharField needs maxLength: an integer from 1 to 16383 (use TextField for longer text)');
    }
    this.maxLength = options.maxLength;
  }
  clean(value: unknown): string {
    return cleanString(value, 'a string');
  }
  protected override rules(value: string): string[] {
    const messages = super.rules(value);
    if (value.length > this.maxLength && codePointLength(value) > this.maxLength) {
      messages.push(`must have at most ${this.maxLength} characters (has ${codePointLength(value)})`);
    }
    return messages;
  }
}

/** Text of any length (TEXT / LONGTEXT). */
export class TextFieldDef extends Field<string> {
  readonly kind = 'text' as const;
  constructor(options: FieldOptions<string> = {}) {
    super(options as FieldOptions<string> & Record<string, unknown>);
  }
  clean(value: unknown): string {
    return cleanString(value, 'a string');
  }
}

/** Options of `@UUIDField`. */
export interface UUIDFieldOptions extends FieldOptions<string> {
  /** Which UUID version a primary key generates client-side (default 4). */
  version?: 4 | 7;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUIDv7: 48 bits of Unix milliseconds, then random bits, with version and variant set. */
export function uuidv7(): string {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A UUID, stored natively on PostgreSQL and as CHAR(36) elsewhere; read back as a lowercase string. */
export class UUIDFieldDef extends Field<string> {
  readonly kind = 'uuid' as const;
  readonly version: 4 | 7;
  constructor(options: UUIDFieldOptions = {}) {
    super(options as UUIDFieldOptions & Record<string, unknown>, ['version']);
    if (options.version !== undefined && options.version !== 4 && options.version !== 7) {
      throw new ConfigurationError(`UUIDField version must be 4 or 7, got ${String(options.version)}`);
    }
    this.version = options.version ?? 4;
  }
  override get hasDefault(): boolean {
    return super.hasDefault || this.primaryKey;
  }
  override getDefault(): string | null | undefined {
    if (super.hasDefault) return super.getDefault();
    if (this.primaryKey) return this.version === 7 ? uuidv7() : randomUUID();
    return undefined;
  }
  clean(value: unknown): string {
    if (typeof value !== 'string') throw new InvalidValue(`must be a UUID string, got ${typeName(value)}`);
    const lower = value.toLowerCase();
    if (!UUID_RE.test(lower)) throw new InvalidValue(`must be a UUID like 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx', got '${value.slice(0, 40)}'`);
    return lower;
  }
}
