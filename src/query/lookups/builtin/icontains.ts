import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Contains match, case-insensitive (Unicode); `%`, `_` and `\\` in the value match themselves. */
export const icontains: Lookup = {
  name: 'icontains',
  prepare(value, input) {
    requireText(input, 'icontains');
    return { op: 'text', mode: 'contains', rhs: textOperand(value, input), caseInsensitive: true };
  },
};
