import { FieldError } from '../../errors/index.js';
import { FExpression } from './f.js';
import type { ExpressionNode } from './nodes.js';

/** Aggregate functions. */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** Options of an aggregate. */
export interface AggregateOptions {
  /** Aggregate distinct values only. */
  distinct?: boolean;
}

/** What an annotation or aggregate holds: a number (Count, Sum/Avg of numbers), a decimal string, a bigint, a Date (Min/Max), or null. */
export type AnnotationValue = number | string | bigint | Date | null;

/** What an aggregate reads: a field path (`'price'`, `'books__price'`) or an F expression (`F('price').mul(F('qty'))`). */
export type AggregateSource = string | FExpression;

/**
 * An aggregate over a field or an F expression (`Count('id')`, `Sum('price')`,
 * `Sum(F('price').mul(F('quantity')))`), used by `aggregate()` and `annotate()`.
 * Result types are the same on every dialect: `Count` is a number (0 over no rows); `Sum`, `Avg`,
 * `Min`, `Max` are null over no rows; `Sum`/`Avg` of integers and floats are numbers; of decimals,
 * decimal strings (`Sum` with the field's decimal places, `Avg` with four more); `Min`/`Max` have the
 * field's own type. Over an expression the result type follows the arithmetic: integers stay integers,
 * any float makes a float, decimals stay exact decimal strings for `+`, `-` (the larger number of places)
 * and `*` (the places added up); `/` with a decimal or float operand gives a float.
 */
export class Aggregate<T = AnnotationValue> {
  /** The JS type of the result (type level only: `Count` is `Aggregate<number>`). */
  declare readonly valueType?: T;
  readonly fn: AggregateFunction;
  /** The field path, `'*'` for `Count()`, or `''` when the aggregate reads an expression. */
  readonly path: string;
  /** The F expression aggregated (arithmetic over fields), or null when it reads a field. */
  readonly expression: ExpressionNode | null;
  readonly distinct: boolean;
  constructor(fn: AggregateFunction, source: AggregateSource, options: AggregateOptions = {}) {
    let path = source;
    let expression: ExpressionNode | null = null;
    if (source instanceof FExpression) {
      // F('price') alone is the field itself.
      if (source.node.kind === 'ref') path = source.node.path;
      else {
        path = '';
        expression = source.node;
      }
    } else if (typeof source !== 'string' || source === '') throw new FieldError(`${fn}() takes a field name or an F() expression`);
    if (path === '*' && fn !== 'count') throw new FieldError(`${fn}('*') is not valid; name a field`);
    this.fn = fn;
    this.path = path as string;
    this.expression = expression;
    this.distinct = options.distinct === true;
    Object.freeze(this);
  }
}

/** COUNT of rows (`Count()` or `Count('*')`) or of non-null values of a field. */
export function Count(path: AggregateSource = '*', options?: AggregateOptions): Aggregate<number> {
  return new Aggregate<number>('count', path, options);
}
/** SUM of a numeric field or expression. */
export function Sum(path: AggregateSource, options?: AggregateOptions): Aggregate {
  return new Aggregate('sum', path, options);
}
/** AVG of a numeric field or expression. */
export function Avg(path: AggregateSource, options?: AggregateOptions): Aggregate {
  return new Aggregate('avg', path, options);
}
/** MIN of a field or expression. */
export function Min(path: AggregateSource, options?: AggregateOptions): Aggregate {
  return new Aggregate('min', path, options);
}
/** MAX of a field or expression. */
export function Max(path: AggregateSource, options?: AggregateOptions): Aggregate {
  return new Aggregate('max', path, options);
}
