import { ConfigurationError } from '../errors/index.js';
import { isPlainObject, unstorableText } from '../utils/index.js';
import { Field, InvalidValue, typeName, type FieldOptions } from './field.js';

/** A boolean; always `true`/`false` in user code, whatever the column type. */
export class BooleanFieldDef extends Field<boolean> {
  readonly kind = 'boolean' as const;
  constructor(options: FieldOptions<boolean> = {}) {
    super(options as FieldOptions<boolean> & Record<string, unknown>);
  }
  clean(value: unknown): boolean {
    if (typeof value !== 'boolean') throw new InvalidValue(`must be a boolean, got ${typeName(value)}`);
    return value;
  }
}

/** A JSON value type. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > 256) throw new InvalidValue('is nested more than 256 levels deep');
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    const bad = unstorableText(value);
    if (bad !== undefined) throw new InvalidValue(`has ${bad} at ${path}, which the databases cannot store as written`);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidValue(`has a non-finite number at ${path} (JSON has no NaN or Infinity)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkJson(item, `${path}[${i}]`, depth + 1));
    return;
  }
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const bad = unstorableText(key);
      if (bad !== undefined) throw new InvalidValue(`has ${bad} in a key at ${path}`);
      checkJson(value[key], `${path}.${key}`, depth + 1);
    }
    return;
  }
  throw new InvalidValue(`has ${typeName(value)} at ${path}, which is not a JSON value`);
}

/** Any JSON value (JSONB on PostgreSQL, JSON on MySQL, TEXT on SQLite). */
export class JSONFieldDef extends Field<JsonValue> {
  readonly kind = 'json' as const;
  constructor(options: FieldOptions<JsonValue> = {}) {
    super(options as FieldOptions<JsonValue> & Record<string, unknown>);
  }
  clean(value: unknown): JsonValue {
    checkJson(value, '$', 0);
    return value as JsonValue;
  }
}

/** An object whose values are the enum's members (a TypeScript `enum` or a `const` object). */
export type EnumLike = Record<string, string | number>;

/** One of an enum's values; stored as VARCHAR for string enums and INTEGER for numeric ones. */
export class EnumFieldDef extends Field<string | number> {
  readonly kind = 'enum' as const;
  readonly values: readonly (string | number)[];
  readonly numeric: boolean;
  constructor(enumObject: EnumLike, options: FieldOptions<string | number> = {}) {
    super(options as FieldOptions<string | number> & Record<string, unknown>);
    if (enumObject === null || typeof enumObject !== 'object') {
      throw new ConfigurationError('EnumField needs an enum object, e.g. EnumField(Color)');
    }
    const raw = Object.values(enumObject);
    const numbers = raw.filter((v): v is number => typeof v === 'number');
    // A numeric TypeScript enum also maps names back: keep only its numbers.
    this.numeric = numbers.length > 0;
    this.values = Object.freeze(this.numeric ? numbers : raw);
    if (this.values.length === 0) throw new ConfigurationError('EnumField needs an enum with at least one member');
    if (this.numeric && !numbers.every((n) => Number.isInteger(n))) {
      throw new ConfigurationError('EnumField supports integer or string enum members');
    }
  }
  clean(value: unknown): string | number {
    if (!this.values.includes(value as string | number)) {
      throw new InvalidValue(`must be one of ${this.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value) ?? typeName(value)}`);
    }
    return value as string | number;
  }
}

/** Binary data as a `Buffer` (a `Uint8Array` is accepted). */
export class BinaryFieldDef extends Field<Buffer> {
  readonly kind = 'binary' as const;
  constructor(options: FieldOptions<Buffer> = {}) {
    super(options as FieldOptions<Buffer> & Record<string, unknown>);
  }
  clean(value: unknown): Buffer {
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    throw new InvalidValue(`must be a Buffer, got ${typeName(value)}`);
  }
}
