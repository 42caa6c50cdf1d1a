import { boundString, requireText, type Lookup } from '../lookup.js';

/**
 * Regular-expression match, case-sensitive. Pattern syntax is the database's (see docs/lookups.md). On an
 * integer or decimal field it matches the number's text form (`444`, `2.30`); NULL never matches.
 */
export const regex: Lookup = {
  name: 'regex',
  prepare(value, input) {
    requireText(input, 'regex', true);
    return { op: 'regex', pattern: boundString(input, value, 'a pattern string'), caseInsensitive: false };
  },
};
