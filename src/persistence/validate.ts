import { getMetadataStorage, validate as classValidate } from 'class-validator';
import { ValidationError, type ValidationErrors } from '../errors/index.js';
import type { Field } from '../fields/index.js';
import type { ModelMeta } from '../metadata/index.js';

const hasClassValidatorRules = new WeakMap<ModelMeta, boolean>();

function usesClassValidator(meta: ModelMeta): boolean {
  let uses = hasClassValidatorRules.get(meta);
  if (uses === undefined) {
    uses = getMetadataStorage().getTargetValidationMetadatas(meta.cls as never, '', true, false).length > 0;
    hasClassValidatorRules.set(meta, uses);
  }
  return uses;
}

/**
 * Validates an instance before a write: first each field's own rules (`null`, type, `maxLength`,
 * `choices`, `min`, `max`), then every class-validator decorator on the model (inherited ones
 * included, async ones awaited). Cleaned values are written back (a decimal `'2.3'` becomes
 * `'2.3000'`). Throws one `ValidationError` whose `errors` lists every failing field, in declaration
 * order, with all of its messages (a field can fail a field rule and a decorator at once). Only
 * `fields` are checked when given (`save({ updateFields })`). Sends no SQL.
 *
 * @example
 * ```ts
 * try {
 *   await Author.create({ name: '', email: 'not-an-email', age: -1 });
 * } catch (error) {
 *   if (error instanceof ValidationError) error.errors; // { name: [...], email: [...], age: ['must be at least 0'] }
 * }
 * ```
 */
export function validateInstance(instance: object, meta: ModelMeta, fields: readonly Field[] = meta.fields): Promise<void> | void {
  const found = checkFields(instance, fields);
  // Synchronous unless the model has class-validator rules (bulk writes validate many rows).
  if (!usesClassValidator(meta)) {
    if (found.size > 0) throw errorOf(meta, found);
    return;
  }
  return withClassValidator(instance, meta, fields, found);
}

function checkFields(instance: object, fields: readonly Field[]): Map<string, string[]> {
  const record = instance as Record<string, unknown>;
  const found = new Map<string, string[]>();
  for (const field of fields) {
    const value = record[field.attname];
    if (field.autoIncrement && (value === undefined || value === null)) continue;
    const { value: cleaned, messages } = field.check(value);
    if (messages.length > 0) found.set(field.name, [...messages]);
    else record[field.attname] = cleaned;
  }
  return found;
}

async function withClassValidator(instance: object, meta: ModelMeta, fields: readonly Field[], found: Map<string, string[]>): Promise<void> {
  const add = (name: string, messages: readonly string[]): void => {
    if (messages.length === 0) return;
    const list = found.get(name);
    if (list === undefined) found.set(name, [...messages]);
    else list.push(...messages);
  };
  const names = new Set(fields.map((f) => f.name));
  const results = await classValidate(instance, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  for (const result of results) {
    if (fields !== meta.fields && !names.has(result.property)) continue;
    add(result.property, Object.values(result.constraints ?? {}));
  }
  if (found.size > 0) throw errorOf(meta, found);
}

/** One ValidationError for every failing field, in declaration order. */
function errorOf(meta: ModelMeta, found: Map<string, string[]>): ValidationError {
  // Declaration order first, then any other decorated property.
  const errors: ValidationErrors = {};
  for (const field of meta.fields) {
    const messages = found.get(field.name);
    if (messages !== undefined) errors[field.name] = messages;
  }
  for (const [name, messages] of found) if (!(name in errors)) errors[name] = messages;
  return ValidationError.of(meta.name, errors);
}
