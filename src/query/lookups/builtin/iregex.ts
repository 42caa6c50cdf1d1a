import { badValue, requireText, type Lookup } from '../lookup.js';

/** Regular-expression match, case-insensitive. */
export const iregex: Lookup = {
  name: 'iregex',
  prepare(value, input) {
    requireText(input, 'iregex');
    if (typeof value !== 'string') badValue(input, 'a pattern string', value);
    return { op: 'regex', pattern: value, caseInsensitive: true };
  },
};
