import { boundString, requireText, type Lookup } from '../lookup.js';

/** Regular-expression match, case-insensitive. */
export const iregex: Lookup = {
  name: 'iregex',
  prepare(value, input) {
    requireText(input, 'iregex');
    return { op: 'regex', pattern: boundString(input, value, 'a pattern string'), caseInsensitive: true };
  },
};
