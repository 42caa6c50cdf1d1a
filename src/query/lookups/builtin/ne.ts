import type { Lookup } from '../lookup.js';

/** Not equal; rows where the column is NULL are kept (as with `exclude()`). `ne: null` means `isnull: false`. */
export const ne: Lookup = {
  name: 'ne',
  negated: true,
  prepare(value, input) {
    if (value === null) return { op: 'isnull', isNull: true };
    return { op: 'compare', operator: '=', rhs: input.operand(value), caseInsensitive: false };
  },
};
