import type { Field } from '../../fields/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import type { AnnotationSpec, FilterNode } from '../filter/index.js';

/** One ORDER BY term, resolved against the model. */
export interface OrderTerm {
  /** The name as given without the sign (`'name'`, `'pk'`). */
  readonly name: string;
  readonly field: Field;
  /** Set when ordering by an annotation. */
  readonly annotation?: AnnotationSpec;
  readonly descending: boolean;
}

/** SELECT ... FOR UPDATE options. */
export interface ForUpdate {
  readonly nowait: boolean;
  readonly skipLocked: boolean;
}

/** What `values()`/`valuesList()` select. */
export interface ValuesSpec {
  readonly fields: readonly Field[];
  /** Result keys (the names as given). */
  readonly keys: readonly string[];
  readonly mode: 'objects' | 'lists' | 'flat';
}

/**
 * The frozen state of a QuerySet. Every chained call makes a new one by spreading the old; nothing
 * is mutated.
 */
export interface QueryState {
  readonly meta: ModelMeta;
  readonly where: FilterNode | null;
  /** Explicit ordering; null means the model's default ordering. */
  readonly order: readonly OrderTerm[] | null;
  readonly limit: number | null;
  readonly offset: number | null;
  readonly distinct: boolean;
  /** The connection alias chosen with `using()`, else null. */
  readonly using: string | null;
  readonly forUpdate: ForUpdate | null;
  readonly values: ValuesSpec | null;
  /** `annotate()` entries, in order. */
  readonly annotations: readonly AnnotationSpec[];
  /** Conditions on annotations (HAVING). */
  readonly having: FilterNode | null;
  /** GROUP BY the `values()` fields (values() came before annotate()), else by primary key. */
  readonly groupByValues: boolean;
}

/** The state of `Model.all()`. */
export function initialState(meta: ModelMeta): QueryState {
  return Object.freeze({ meta, where: null, order: null, limit: null, offset: null, distinct: false, using: null, forUpdate: null, values: null, annotations: [], having: null, groupByValues: false });
}
