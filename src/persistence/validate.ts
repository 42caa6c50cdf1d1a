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
 * Validates an instance: each field's rules (null, type, maxLength, choices, min, max), then any
 * class-validator decorators. Cleaned values are written back (e.g. a decimal `'2.3'` becomes
 * `'2.3000'`). Throws ValidationError listing every failing field. Only `fields` are checked when given.
 */
export async function validateInstance(instance: object, meta: ModelMeta, fields: readonly Field[] = meta.fields): Promise<void> {
  const record = instance as Record<string, unknown>;
  const errors: ValidationErrors = {};
  for (const field of fields) {
    const value = record[field.attname];
    if (field.autoIncrement && (value === undefined || value === null)) continue;
    const { value: cleaned, messages } = field.check(value);
    if (messages.length > 0) errors[field.name] = messages;
    else record[field.attname] = cleaned;
  }
  if (usesClassValidator(meta)) {
    const names = new Set(fields.map((f) => f.name));
    const results = await classValidate(instance, { forbidUnknownValues: false, validationError: { target: false, value: false } });
    for (const result of results) {
      if (fields !== meta.fields && !names.has(result.property)) continue;
      const messages = Object.values(result.constraints ?? {});
      if (messages.length > 0) (errors[result.property] ??= []).push(...messages);
    }
  }
  if (Object.keys(errors).length > 0) throw ValidationError.of(meta.name, errors);
}
