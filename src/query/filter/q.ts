import { FieldError } from '../../errors/index.js';
import { isPlainObject } from '../../utils/index.js';

/** A filter object: `{ field__lookup: value }` (read with own-property checks only). */
export type FilterSpec = Readonly<Record<string, unknown>>;

/** The raw (model-free) tree a Q holds; it is resolved against a model when a QuerySet uses it. */
export type QTree =
  | { readonly kind: 'spec'; readonly spec: FilterSpec }
  | { readonly kind: 'and' | 'or'; readonly children: readonly QTree[] }
  | { readonly kind: 'not'; readonly child: QTree };

function toTree(value: QExpression | FilterSpec, what: string): QTree {
  if (value instanceof QExpression) return value.tree;
  if (!isPlainObject(value)) throw new FieldError(`${what} takes a Q or a plain filter object like { age__gte: 18 }`);
  return Object.freeze({ kind: 'spec', spec: Object.freeze({ ...value }) });
}

/**
 * A reusable condition that combines with AND, OR and NOT to any depth. Build with `Q()`.
 *
 * @example
 * ```ts
 * Author.filter(Q({ age__lt: 18 }).or({ name__startswith: 'A' }).and(Q.not({ isActive: false })));
 * ```
 */
export class QExpression<M = any> {
  /** The model the condition is typed for (type level only; see the typed `Q` of the package root). */
  declare readonly model?: M;
  /** The raw tree. */
  readonly tree: QTree;
  constructor(tree: QTree) {
    this.tree = tree;
    Object.freeze(this);
  }
  /** `this AND other`. */
  and(other: QExpression | FilterSpec): QExpression {
    return new QExpression(Object.freeze({ kind: 'and', children: Object.freeze([this.tree, toTree(other, 'Q.and()')]) }));
  }
  /** `this OR other`. */
  or(other: QExpression | FilterSpec): QExpression {
    return new QExpression(Object.freeze({ kind: 'or', children: Object.freeze([this.tree, toTree(other, 'Q.or()')]) }));
  }
}

/** Builds a {@link QExpression}. `Q({})` adds no condition. */
export const Q: {
  (spec?: QExpression | FilterSpec): QExpression;
  /** NOT of a Q or a filter object; rows where a negated column is NULL are kept. */
  not(spec: QExpression | FilterSpec): QExpression;
} = Object.assign((spec: QExpression | FilterSpec = {}) => new QExpression(toTree(spec, 'Q()')), {
  not: (spec: QExpression | FilterSpec) => new QExpression(Object.freeze({ kind: 'not', child: toTree(spec, 'Q.not()') })),
});
