import { badValue, type Lookup } from '../lookup.js';

/** `>` comparison (values or F expressions). */
export const gt: Lookup = {
  name: 'gt',
  prepare(value, input) {
    if (value === null) badValue(input, 'a value (use isnull for NULL)', value);
    return { op: 'compare', operator: '>', rhs: input.operand(value), caseInsensitive: false };
  },
};
