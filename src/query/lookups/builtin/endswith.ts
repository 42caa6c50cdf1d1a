import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Endswith match, case-sensitive; `%`, `_` and `\\` in the value match themselves. */
export const endswith: Lookup = {
  name: 'endswith',
  prepare(value, input) {
    requireText(input, 'endswith');
    return { op: 'text', mode: 'endswith', rhs: textOperand(value, input), caseInsensitive: false };
  },
};
