import { badValue, type Lookup } from '../lookup.js';

/** `isnull: true` matches NULL, `isnull: false` anything else. */
export const isnull: Lookup = {
  name: 'isnull',
  prepare(value, input) {
    if (typeof value !== 'boolean') badValue(input, 'true or false', value);
    return { op: 'isnull', isNull: value };
  },
};
