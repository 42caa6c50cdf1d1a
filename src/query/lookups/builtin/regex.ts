import { badValue, requireText, type Lookup } from '../lookup.js';

/** Regular-expression match, case-sensitive. Pattern syntax is the database's (see docs/lookups.md). */
export const regex: Lookup = {
  name: 'regex',
  prepare(value, input) {
    requireText(input, 'regex');
    if (typeof value !== 'string') badValue(input, 'a pattern string', value);
    return { op: 'regex', pattern: value, caseInsensitive: false };
  },
};
