import { boundString, requireText, type Lookup } from '../lookup.js';

/** Regular-expression match, case-sensitive. Pattern syntax is the database's (see docs/lookups.md). */
export const regex: Lookup = {
  name: 'regex',
  prepare(value, input) {
    requireText(input, 'regex');
    return { op: 'regex', pattern: boundString(input, value, 'a pattern string'), caseInsensitive: false };
  },
};
