import type { Lookup } from '../lookup.js';

/** `field: value` or `field__exact: value`; `null` means `isnull: true`. */
export const exact: Lookup = {
  name: 'exact',
  prepare(value, input) {
    if (value === null) return { op: 'isnull', isNull: true };
    return { op: 'compare', operator: '=', rhs: input.operand(value), caseInsensitive: false };
  },
};
