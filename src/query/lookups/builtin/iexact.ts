import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Case-insensitive equality (Unicode case folding on every dialect). */
export const iexact: Lookup = {
  name: 'iexact',
  prepare(value, input) {
    if (value === null) return { op: 'isnull', isNull: true };
    requireText(input, 'iexact');
    return { op: 'compare', operator: '=', rhs: textOperand(value, input), caseInsensitive: true };
  },
};
