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
  /** Relation hops to the field (`author__name`). */
  readonly relations?: readonly string[];
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
  /** Relation hops to each field (empty for the model's own). */
  readonly paths: readonly (readonly string[])[];
  /** Result keys (the names as given). */
  readonly keys: readonly string[];
  readonly mode: 'objects' | 'lists' | 'flat';
  /**
   * Per key, the annotation it names (selected with the aggregates, not as a column), else undefined.
   * Empty when no key names an annotation.
   */
  readonly annotations?: readonly (AnnotationSpec | undefined)[];
  /**
   * True when `values()` came after `annotate()`: rows hold exactly the named keys (annotations not
   * named are left out, as in Django); otherwise later annotations are added to every row.
   */
  readonly exact?: boolean;
}

/** A `selectRelated` path: to-one hops, and the model at their end. */
export interface SelectRelatedPath {
  readonly key: string;
  readonly relations: readonly string[];
  readonly meta: ModelMeta;
}

/** A `prefetchRelated` entry: a relation path, optionally with a QuerySet that filters the last level. */
export interface PrefetchSpec {
  readonly path: string;
  readonly queryset?: unknown;
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
  /** Related rows loaded with JOINs. */
  readonly selectRelated: readonly SelectRelatedPath[];
  /** Relations loaded with one extra query per level. */
  readonly prefetch: readonly PrefetchSpec[];
  /** Rows already known (a prefetched relation): served without a query until the QuerySet is changed. */
  readonly resultCache: readonly object[] | null;
}

/** The state of `Model.all()`. */
const initialStates = new WeakMap<ModelMeta, QueryState>();

export function initialState(meta: ModelMeta): QueryState {
  // Frozen all the way down, so one per model serves every QuerySet.
  let state = initialStates.get(meta);
  if (state === undefined) {
    const none = Object.freeze([]) as readonly never[];
    state = Object.freeze({ meta, where: null, order: null, limit: null, offset: null, distinct: false, using: null, forUpdate: null, values: null, annotations: none, having: null, groupByValues: false, selectRelated: none, prefetch: none, resultCache: null });
    initialStates.set(meta, state);
  }
  return state;
}
