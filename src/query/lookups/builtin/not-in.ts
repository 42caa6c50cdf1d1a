import type { Lookup } from '../lookup.js';
import { prepareIn } from './in.js';

/** Not in a list; rows where the column is NULL are kept. `not_in: []` matches every row. */
export const notIn: Lookup = {
  name: 'not_in',
  negated: true,
  prepare: prepareIn,
};
