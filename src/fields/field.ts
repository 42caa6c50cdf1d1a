import { ConfigurationError } from '../errors/index.js';
import { suggestion } from '../utils/index.js';

/** The storage kinds Oxen knows. Dialects map each to a column type and a pair of value adapters. */
export type FieldKind =
  | 'char'
  | 'text'
  | 'int'
  | 'bigint'
  | 'smallint'
  | 'float'
  | 'decimal'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'time'
  | 'uuid'
  | 'json'
  | 'enum'
  | 'binary';

/** A default: a value, or a function called for every new instance (e.g. `() => new Date()`). */
export type FieldDefault<T> = T | null | (() => T | null);

/** Options every field accepts. */
export interface FieldOptions<T = unknown> {
  /** This field is the primary key (a model without one gets an auto-incrementing `id`). */
  primaryKey?: boolean;
  /** The column accepts NULL (default false). */
  null?: boolean;
  /** The value a new instance gets when none is given. */
  default?: FieldDefault<T>;
  /** A UNIQUE constraint on the column. */
  unique?: boolean;
  /** An index on the column. */
  index?: boolean;
  /** The column name (default: the property name). */
  column?: string;
  /** The only values allowed. */
  choices?: readonly T[];
  /** The smallest value allowed (numbers). */
  min?: number;
  /** The largest value allowed (numbers). */
  max?: number;
  /** Free text, shown in generated docs and migrations. */
  description?: string;
  /**
   * The property name this field had before a rename, for migrations (being built): they will write a rename (the
   * column keeps its data) instead of a drop and an add. Remove it once every database is migrated.
   */
  renamedFrom?: string;
}

const COMMON_OPTIONS = ['primaryKey', 'null', 'default', 'unique', 'index', 'column', 'choices', 'min', 'max', 'description', 'renamedFrom'];

/** Thrown by {@link Field.clean} for a value of the wrong type; validation turns it into a message. */
export class InvalidValue extends Error {}

/**
 * A field definition: its options, how user values are cleaned into the canonical JS value, and the
 * validation rules. Subclasses exist per kind; the decorators (`@CharField(...)`) create them.
 */
export abstract class Field<T = unknown> {
  /** The storage kind. */
  abstract readonly kind: FieldKind;
  /** The options as given. */
  readonly options: Readonly<FieldOptions<T>>;
  /** The property name on the model, set when the field is attached. */
  name = '';
  /** The property that holds the column's value (differs from `name` for foreign keys). */
  attname = '';
  /** The column name. */
  column = '';
  /** The owning model's class name (for messages). */
  modelName = '';
  /** True for the implicit auto-incrementing `id`. */
  autoIncrement = false;

  constructor(options: FieldOptions<T> & Record<string, unknown> = {}, extraOptions: readonly string[] = []) {
    const allowed = [...COMMON_OPTIONS, ...extraOptions];
    for (const key of Object.keys(options)) {
      if (!allowed.includes(key)) {
        throw new ConfigurationError(`Unknown option '${key}' for ${new.target.name.replace(/Def$/, '')}${suggestion(key, allowed)}`);
      }
    }
    if (options.column !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.column)) {
      throw new ConfigurationError(`Invalid column name '${options.column}': use letters, digits and '_' (at most 63 characters)`);
    }
    this.options = Object.freeze({ ...options });
  }

  /** Attaches the field to a model property. Called once by the metadata registry. */
  attach(modelName: string, name: string): void {
    this.modelName = modelName;
    this.name = name;
    this.attname = name;
    this.column = this.options.column ?? name;
  }

  /** Is this the primary key? */
  get primaryKey(): boolean {
    return this.options.primaryKey === true || this.autoIncrement;
  }
  /** Does the column accept NULL? */
  get nullable(): boolean {
    return this.options.null === true;
  }
  /** Does the column carry a UNIQUE constraint? */
  get unique(): boolean {
    return this.options.unique === true;
  }
  /** The field whose column type this one uses: itself; a foreign key's is the target's primary key. */
  get storage(): Field {
    return this;
  }
  /** Is there a default value or function? */
  get hasDefault(): boolean {
    return this.options.default !== undefined;
  }

  /** The default for a new instance (calls a default function each time). */
  getDefault(): T | null | undefined {
    const d = this.options.default;
    return typeof d === 'function' ? (d as () => T | null)() : d;
  }

  /**
   * Turns an accepted input form into the canonical JS value (e.g. a decimal number into a string with
   * exactly `decimalPlaces` digits), or throws {@link InvalidValue} naming the expected type.
   */
  abstract clean(value: unknown): T;

  /** Rules beyond the type (length, range, ...). Returns messages; empty when the value passes. */
  protected rules(value: T): string[] {
    const messages: string[] = [];
    const { choices, min, max } = this.options;
    if (choices !== undefined && !choices.some((c) => sameValue(c, value))) {
      messages.push(`must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
    }
    if (min !== undefined && compareNumeric(value, min) < 0) messages.push(`must be at least ${min}`);
    if (max !== undefined && compareNumeric(value, max) > 0) messages.push(`must be at most ${max}`);
    return messages;
  }

  /**
   * Validates one value: null-ness, type, and rules. Returns the cleaned value and the messages
   * (an empty list means valid).
   */
  check(value: unknown): { value: T | null; messages: string[] } {
    if (value === undefined || value === null) {
      if (this.nullable) return { value: null, messages: [] };
      return { value: null, messages: [value === undefined ? 'is required' : 'may not be null'] };
    }
    let cleaned: T;
    try {
      cleaned = this.clean(value);
    } catch (error) {
      if (error instanceof InvalidValue) return { value: null, messages: [error.message] };
      throw error;
    }
    return { value: cleaned, messages: this.rules(cleaned) };
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b || (typeof a === 'bigint' && typeof b === 'number' && a === BigInt(b));
}

function compareNumeric(value: unknown, bound: number): number {
  if (typeof value === 'number') return value - bound;
  if (typeof value === 'bigint') return value < BigInt(Math.trunc(bound)) ? -1 : value > BigInt(Math.trunc(bound)) ? 1 : 0;
  if (typeof value === 'string') return Number(value) - bound;
  return 0;
}

/** Describes a value's type for messages: `a string`, `a number`, `an object`. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a Date';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  const t = typeof value;
  return t === 'object' || t === 'undefined' ? `an ${t}` : `a ${t}`;
}
