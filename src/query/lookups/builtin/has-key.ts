import { FieldError } from '../../../errors/index.js';
import { boundString, type Lookup } from '../lookup.js';

/** `data__has_key: 'k'`: the JSON object (at the path) has the key. */
export const hasKey: Lookup = {
  name: 'has_key',
  prepare(value, input) {
    if (input.lhs.field.kind !== 'json') throw new FieldError(`${input.label}: 'has_key' applies to JSON fields`, { field: input.lhs.field.name, model: input.lhs.field.modelName });
    return { op: 'json_has_key', key: boundString(input, value, 'a key string') };
  },
};
