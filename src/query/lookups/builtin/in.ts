import { badValue, type Lookup } from '../lookup.js';
import type { Predicate } from '../../filter/nodes.js';

/** An array, a Set, a generator or any other iterable object (a string is not a list). */
function isList(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function';
}

/** Prepares a list for `in` / `not_in` (any iterable but a string); an empty list matches nothing. */
export function prepareIn(value: unknown, input: Parameters<Lookup['prepare']>[1]): Predicate {
  if (!isList(value)) badValue(input, 'an array (or another iterable such as a Set)', value);
  const items = [...(value as Iterable<unknown>)];
  if (items.length === 0) return { op: 'never' };
  return { op: 'in', values: Object.freeze(items.map((item) => (item === null ? badValue(input, 'an array without null (use isnull)', item) : input.clean(item)))) };
}

/** Membership in a list. `in: []` matches nothing. */
export const inLookup: Lookup = {
  name: 'in',
  prepare: prepareIn,
};
