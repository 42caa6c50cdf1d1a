import { badValue, type Lookup } from '../lookup.js';

/** Inclusive range: `range: [low, high]` is `low <= field <= high`. */
export const range: Lookup = {
  name: 'range',
  prepare(value, input) {
    if (!Array.isArray(value) || value.length !== 2 || value[0] === null || value[1] === null) badValue(input, 'a [low, high] pair', value);
    return { op: 'between', low: input.operand(value[0]), high: input.operand(value[1]) };
  },
};
