import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Startswith match, case-insensitive (Unicode); `%`, `_` and `\\` in the value match themselves. */
export const istartswith: Lookup = {
  name: 'istartswith',
  prepare(value, input) {
    requireText(input, 'istartswith');
    return { op: 'text', mode: 'startswith', rhs: textOperand(value, input), caseInsensitive: true };
  },
};
