import { boundString, requireText, type Lookup } from '../lookup.js';

/** Regular-expression match, case-insensitive (integers and decimals: their text form, as `regex`). */
export const iregex: Lookup = {
  name: 'iregex',
  prepare(value, input) {
    requireText(input, 'iregex', true);
    return { op: 'regex', pattern: boundString(input, value, 'a pattern string'), caseInsensitive: true };
  },
};
