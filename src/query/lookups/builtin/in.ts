import { badValue, type Lookup } from '../lookup.js';
import type { Predicate } from '../../filter/nodes.js';

/** Prepares a list for `in` / `not_in`; an empty list matches nothing. */
export function prepareIn(value: unknown, input: Parameters<Lookup['prepare']>[1]): Predicate {
  if (!Array.isArray(value) && !(value instanceof Set)) badValue(input, 'an array', value);
  const items = [...(value as Iterable<unknown>)];
  if (items.length === 0) return { op: 'never' };
  return { op: 'in', values: Object.freeze(items.map((item) => (item === null ? badValue(input, 'an array without null (use isnull)', item) : input.clean(item)))) };
}

/** Membership in a list. `in: []` matches nothing. */
export const inLookup: Lookup = {
  name: 'in',
  prepare: prepareIn,
};
