import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Endswith match, case-insensitive (Unicode); `%`, `_` and `\\` in the value match themselves. */
export const iendswith: Lookup = {
  name: 'iendswith',
  prepare(value, input) {
    requireText(input, 'iendswith');
    return { op: 'text', mode: 'endswith', rhs: textOperand(value, input), caseInsensitive: true };
  },
};
