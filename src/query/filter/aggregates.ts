import { FieldError } from '../../errors/index.js';

/** Aggregate functions. */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** Options of an aggregate. */
export interface AggregateOptions {
  /** Aggregate distinct values only. */
  distinct?: boolean;
}

/**
 * An aggregate over a field (`Count('id')`, `Sum('price')`), used by `aggregate()` and `annotate()`.
 * Result types are the same on every dialect: `Count` is a number (0 over no rows); `Sum`, `Avg`,
 * `Min`, `Max` are null over no rows; `Sum`/`Avg` of integers and floats are numbers; of decimals,
 * decimal strings (`Sum` with the field's decimal places, `Avg` with four more); `Min`/`Max` have the
 * field's own type.
 */
export class Aggregate {
  readonly fn: AggregateFunction;
  /** The field path, or `'*'` for `Count()`. */
  readonly path: string;
  readonly distinct: boolean;
  constructor(fn: AggregateFunction, path: string, options: AggregateOptions = {}) {
    if (typeof path !== 'string' || path === '') throw new FieldError(`${fn}() takes a field name`);
    if (path === '*' && fn !== 'count') throw new FieldError(`${fn}('*') is not valid; name a field`);
    this.fn = fn;
    this.path = path;
    this.distinct = options.distinct === true;
    Object.freeze(this);
  }
}

/** COUNT of rows (`Count()` or `Count('*')`) or of non-null values of a field. */
export function Count(path = '*', options?: AggregateOptions): Aggregate {
  return new Aggregate('count', path, options);
}
/** SUM of a numeric field. */
export function Sum(path: string, options?: AggregateOptions): Aggregate {
  return new Aggregate('sum', path, options);
}
/** AVG of a numeric field. */
export function Avg(path: string, options?: AggregateOptions): Aggregate {
  return new Aggregate('avg', path, options);
}
/** MIN of a field. */
export function Min(path: string, options?: AggregateOptions): Aggregate {
  return new Aggregate('min', path, options);
}
/** MAX of a field. */
export function Max(path: string, options?: AggregateOptions): Aggregate {
  return new Aggregate('max', path, options);
}
