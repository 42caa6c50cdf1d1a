import { badValue, type Lookup } from '../lookup.js';

/** `>=` comparison (values or F expressions). */
export const gte: Lookup = {
  name: 'gte',
  prepare(value, input) {
    if (value === null) badValue(input, 'a value (use isnull for NULL)', value);
    return { op: 'compare', operator: '>=', rhs: input.operand(value), caseInsensitive: false };
  },
};
