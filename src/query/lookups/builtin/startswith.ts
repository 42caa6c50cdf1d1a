import { requireText, textOperand, type Lookup } from '../lookup.js';

/** Startswith match, case-sensitive; `%`, `_` and `\\` in the value match themselves. */
export const startswith: Lookup = {
  name: 'startswith',
  prepare(value, input) {
    requireText(input, 'startswith');
    return { op: 'text', mode: 'startswith', rhs: textOperand(value, input), caseInsensitive: false };
  },
};
