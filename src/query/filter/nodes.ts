import type { Field } from '../../fields/index.js';

/** Arithmetic operators of F expressions. */
export type ArithmeticOperator = '+' | '-' | '*' | '/';

/** A column reference or arithmetic over columns and numbers (built by `F()`). */
export type ExpressionNode =
  | { readonly kind: 'ref'; readonly path: string }
  | { readonly kind: 'value'; readonly value: number }
  | { readonly kind: 'arith'; readonly op: ArithmeticOperator; readonly left: ExpressionNode; readonly right: ExpressionNode };

/** Date/time transforms that chain before a lookup (`createdAt__year__gte`). */
export type TransformName = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second' | 'date';

/** An `annotate()` entry, resolved against the model. */
export interface AnnotationSpec {
  /** The result key (a validated identifier). */
  readonly alias: string;
  readonly fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  readonly distinct: boolean;
  /** The aggregated field (null for COUNT(*)). */
  readonly source: Field | null;
  /** Relation hops to the aggregated field. */
  readonly relations: readonly string[];
  /** A field describing the result (for cleaning filter values and converting results). */
  readonly result: Field;
  /** The F expression aggregated instead of a field (then `source` describes its value). */
  readonly expression?: ExpressionNode;
}

/** A resolved left-hand side: a field, reached through relation hops, with JSON keys and transforms. */
export interface LhsPath {
  /** Set when the left side is an annotation (filters on it go to HAVING). */
  readonly annotation?: AnnotationSpec;
  /** Relation names walked from the queried model (empty for its own fields). */
  readonly relations: readonly string[];
  /** The field at the end of the hops. */
  readonly field: Field;
  /** JSON key path inside a JSONField (strings are keys, numbers array indexes). */
  readonly jsonPath: readonly (string | number)[];
  /** Transforms applied in order. */
  readonly transforms: readonly TransformName[];
}

/** A right-hand operand: a JS value (cleaned, not yet adapted to a dialect) or an F expression. */
export type Operand = { readonly kind: 'literal'; readonly value: unknown } | { readonly kind: 'expression'; readonly node: ExpressionNode };

/** Comparison operators. */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * What a lookup asks the compiler to build: a small dialect-free vocabulary. A new lookup that fits
 * one of these shapes is one file; the compiler and the dialects know how to say each shape.
 */
export type Predicate =
  | { readonly op: 'compare'; readonly operator: ComparisonOperator; readonly rhs: Operand; readonly caseInsensitive: boolean }
  | { readonly op: 'in'; readonly values: readonly unknown[] }
  | { readonly op: 'between'; readonly low: Operand; readonly high: Operand }
  | { readonly op: 'isnull'; readonly isNull: boolean }
  | { readonly op: 'text'; readonly mode: 'contains' | 'startswith' | 'endswith'; readonly rhs: Operand; readonly caseInsensitive: boolean }
  | { readonly op: 'regex'; readonly pattern: string; readonly caseInsensitive: boolean }
  | { readonly op: 'json_has_key'; readonly key: string }
  | { readonly op: 'json_contains'; readonly value: unknown }
  | { readonly op: 'never' };

/** A filter tree. Frozen; built by `filter()`, `exclude()` and `Q`. */
export type FilterNode =
  | { readonly kind: 'and'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly children: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly child: FilterNode }
  | { readonly kind: 'condition'; readonly lhs: LhsPath; readonly lookup: string; readonly predicate: Predicate };

/** AND of nodes, flattening nested ANDs and dropping empty ones. */
export function and(...nodes: readonly (FilterNode | null | undefined)[]): FilterNode | null {
  const children: FilterNode[] = [];
  for (const n of nodes) {
    if (n === null || n === undefined) continue;
    if (n.kind === 'and') children.push(...n.children);
    else children.push(n);
  }
  if (children.length === 0) return null;
  if (children.length === 1) return children[0];
  return Object.freeze({ kind: 'and', children: Object.freeze(children) });
}

/** OR of nodes. An empty OR is null (no condition). */
export function or(...nodes: readonly (FilterNode | null | undefined)[]): FilterNode | null {
  const children: FilterNode[] = [];
  for (const n of nodes) {
    if (n === null || n === undefined) continue;
    if (n.kind === 'or') children.push(...n.children);
    else children.push(n);
  }
  if (children.length === 0) return null;
  if (children.length === 1) return children[0];
  return Object.freeze({ kind: 'or', children: Object.freeze(children) });
}

/** NOT of a node; NOT of nothing is nothing. */
export function not(node: FilterNode | null): FilterNode | null {
  if (node === null) return null;
  if (node.kind === 'not') return node.child;
  return Object.freeze({ kind: 'not', child: node });
}
