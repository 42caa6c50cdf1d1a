import { FieldError } from '../../errors/index.js';
import { clip, unstorableText } from '../../utils/index.js';
import type { LhsPath, Operand, Predicate } from '../filter/nodes.js';

/** What a lookup gets to prepare its value: the left side and helpers that clean values for it. */
export interface LookupInput {
  /** The resolved left side. */
  readonly lhs: LhsPath;
  /** `Author.age__gte`, for messages. */
  readonly label: string;
  /** The kind of value the left side yields: the field's own, an integer (year, ...), a date, or JSON. */
  readonly valueKind: 'field' | 'integer' | 'date' | 'json';
  /** Cleans a value for the left side or throws FieldError. */
  clean(value: unknown): unknown;
  /** An operand: an F expression stays an expression; anything else is cleaned. */
  operand(value: unknown): Operand;
}

/**
 * A lookup: a name, and how it turns a value into a {@link Predicate}. Preparing a value is all a
 * lookup does; the compiler builds the SQL for each predicate shape.
 */
export interface Lookup {
  readonly name: string;
  /** The lookup is the negation of its predicate (`ne`, `not_in`): rows where the column is NULL are kept. */
  readonly negated?: boolean;
  /** Turns the right-hand value into a predicate, or throws FieldError. */
  prepare(value: unknown, input: LookupInput): Predicate;
}

const lookups = new Map<string, Lookup>();

/** Registers a lookup (one line per lookup in `lookups/index.ts`). */
export function registerLookup(lookup: Lookup): void {
  lookups.set(lookup.name, lookup);
}

/** The lookup named `name`, or undefined. */
export function findLookup(name: string): Lookup | undefined {
  return lookups.get(name);
}

/** Every registered lookup name. */
export function lookupNames(): string[] {
  return [...lookups.keys()];
}

/** Throws a FieldError for a value of the wrong shape. */
export function badValue(input: LookupInput, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new FieldError(`${input.label} expects ${expected}, got ${got}`, { field: input.lhs.field.name, model: input.lhs.field.modelName });
}

const TEXT_KINDS: readonly string[] = ['char', 'text', 'uuid', 'enum', 'date', 'time'];
/** Kinds whose text form is the same on every dialect (`444`, `2.30`): regex/iregex match it, as in Django. */
const NUMBER_KINDS: readonly string[] = ['int', 'smallint', 'bigint', 'decimal'];

/** Text lookups apply to text-like left sides; `numbersToo` also admits integers and decimals (their text form). */
export function requireText(input: LookupInput, lookup: string, numbersToo = false): void {
  const kind = input.lhs.field.kind;
  if (input.valueKind === 'json' && input.lhs.jsonPath.length > 0) return;
  if (input.valueKind === 'field' && (TEXT_KINDS.includes(kind) || (numbersToo && NUMBER_KINDS.includes(kind)))) return;
  const applies = numbersToo ? 'text, integer and decimal fields' : 'text fields';
  throw new FieldError(`${input.label}: '${clip(lookup)}' applies to ${applies}, not to a ${kind} field`, { field: input.lhs.field.name, model: input.lhs.field.modelName });
}

/** A text value for a text lookup (an F expression is allowed too). */
export function textOperand(value: unknown, input: LookupInput): Operand {
  const operand = input.operand(value);
  if (operand.kind === 'literal' && typeof operand.value !== 'string') badValue(input, 'a string', value);
  return operand;
}

/**
 * A string the lookup binds as it is (a regex pattern, a JSON key): refused when it holds NUL, which
 * PostgreSQL cannot take in text, so every dialect answers with the same clear FieldError.
 */
export function boundString(input: LookupInput, value: unknown, expected: string): string {
  if (typeof value !== 'string') badValue(input, expected, value);
  const bad = unstorableText(value);
  if (bad !== undefined) {
    throw new FieldError(`${input.label} must not contain ${bad}`, { field: input.lhs.field.name, model: input.lhs.field.modelName });
  }
  return value;
}
