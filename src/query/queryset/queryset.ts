import { CompiledQuery, type Kysely } from 'kysely';
import { DoesNotExist, FieldError, MultipleObjectsReturned, OxenError, TransactionError, ValidationError, type ValidationErrors } from '../../errors/index.js';
import { getConnection, inTransaction, trackSiblings, transaction, type Connection } from '../../engine/index.js';
import type { Field } from '../../fields/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import { clip, hasOwn, isPlainObject, lazy, suggestion } from '../../utils/index.js';
import {
  compileAggregate,
  compileCount,
  compileDelete,
  compileExists,
  compileSelect,
  compileUpdate,
  effectiveOrder,
  relatedColumn,
  resolveSelectRelated,
  initialState,
  type OrderTerm,
  type QueryState,
  type ValuesSpec,
} from '../compile/index.js';
import { Aggregate, F as RawF, FExpression, Q as RawQ, QExpression, and, checkExpression, expressionField, parseFilterArgs, parseKey, usesAnnotation, type AnnotationSpec, type FilterNode, type FilterSpec } from '../filter/index.js';
import { DecimalFieldDef, FloatFieldDef, ForeignKeyDef, IntFieldDef } from '../../fields/index.js';
import { convertAggregate, planFor } from '../hydrate/index.js';
import { relatedCache } from '../../metadata/index.js';
import { prefetch, parsePrefetch, setQuerySets } from './prefetch.js';
import type { TypedF, TypedQ, AnnotationsOf, DefaultValueKey, FilterOf, NoFieldClash, OrderKey, Page, PrefetchPath, SelectRelatedPath, UpdateInput, ValueKey, ValueOf, ValuesRow } from './types.js';

/** A `prefetchRelated` argument: a relation path, or a path with a QuerySet that filters its last level. */
export type PrefetchArg = string | { path: string; queryset?: QuerySet<any, any> };

/** What `filter()` and `exclude()` accept. */
export type FilterArg<M> = FilterOf<M> | QExpression;

/** Builds a Q expression (see `TypedQ`): the filter layer's `Q`, typed from the model where it can be. */
export const Q: TypedQ = RawQ as TypedQ;

/** A reference to a field (see `TypedF`): the filter layer's `F`, typed from the model where it can be. */
export const F: TypedF = RawF as TypedF;

/** Rows `get()` fetches at most, to report "more than one" without reading everything. */
const GET_LIMIT = 21;
const NO_ORDER: readonly OrderTerm[] = Object.freeze([]);
const NO_PREFETCH: QueryState['prefetch'] = Object.freeze([]);

type ModelErrorClass = new (message: string, context?: { model?: string }) => OxenError;

/** The alias a state reads from (and writes to). */
export function aliasOf(state: QueryState): string {
  return state.using ?? state.meta.connection ?? 'default';
}

/** The first-level relations a query loads eagerly (selectRelated and prefetchRelated), for the N+1 detector. */
function eagerRelations(state: QueryState): string[] {
  if (state.selectRelated.length === 0 && state.prefetch.length === 0) return [];
  const names = new Set<string>();
  for (const path of state.selectRelated) names.add(path.relations[0]);
  for (const spec of state.prefetch) names.add(spec.path.split('__')[0]);
  return [...names];
}

function nonNegativeInteger(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new FieldError(`${what} takes a non-negative integer, got ${String(value)}`);
  return value;
}

/**
 * A lazy, immutable query over one model. Every method returns a new QuerySet; nothing runs until it
 * is awaited, iterated, or a terminal method is called.
 *
 * @example
 * ```ts
 * const adults = await Author.filter({ age__gte: 18 }).exclude({ isActive: false }).orderBy('name').limit(10);
 * for await (const a of Author.all().iterator({ chunkSize: 500 })) { ... }
 * ```
 */
export class QuerySet<M extends object, R = M> implements PromiseLike<R[]>, AsyncIterable<R> {
  readonly #state: QueryState;

  /** @internal Use `Model.all()`, `Model.filter()`, ... */
  constructor(state: QueryState) {
    this.#state = state;
  }

  /** A QuerySet of every row of a model. @internal */
  static of<M extends object>(meta: ModelMeta): QuerySet<M> {
    return new QuerySet<M>(initialState(meta));
  }

  /** The frozen state (for the layers above). @internal */
  get state(): QueryState {
    return this.#state;
  }

  /** The model's metadata. */
  get meta(): ModelMeta {
    return this.#state.meta;
  }

  #with<R2 = R>(patch: Partial<QueryState>): QuerySet<M, R2> {
    return new QuerySet<M, R2>(Object.freeze({ ...this.#state, resultCache: null, ...patch }));
  }

  /** The connection this QuerySet runs on. */
  connection(): Connection {
    return getConnection(aliasOf(this.#state));
  }

  #db(): { connection: Connection; db: Kysely<any> } {
    const connection = this.connection();
    if (this.#state.forUpdate !== null && !inTransaction(connection.alias)) {
      throw new TransactionError(`selectForUpdate() on ${this.#state.meta.name} needs a transaction: the locks last until it ends. Run it inside transaction(async () => { ... }).`, {
        model: this.#state.meta.name,
      });
    }
    return { connection, db: connection.executor() };
  }

  #requireUnsliced(what: string): void {
    if (this.#state.limit !== null || this.#state.offset !== null) {
      throw new OxenError(`Cannot ${what} a QuerySet after limit()/offset(); filter on the primary keys instead`, { model: this.#state.meta.name });
    }
  }

  // ---- chaining ----

  /** A copy of this QuerySet. */
  all(): QuerySet<M, R> {
    return this.#with({});
  }

  /** Adds a condition: to WHERE, or to HAVING when it reads an annotation. */
  #addCondition(node: FilterNode | null): QuerySet<M, R> {
    return this.#with(this.#conditionPatch(node));
  }

  /** The state change that adds a condition (see `#addCondition`). */
  #conditionPatch(node: FilterNode | null): Partial<QueryState> {
    if (node === null) return {};
    this.#requireUnsliced('filter');
    if (usesAnnotation(node)) return { having: and(this.#state.having, node) };
    // Kept nested, not flattened: conditions of one filter() call on a to-many relation must hold for
    // the same related row; those of separate calls need not (Django's rule).
    const where = this.#state.where;
    const call = (n: FilterNode): FilterNode => (n.kind === 'and' ? n : Object.freeze({ kind: 'and' as const, children: Object.freeze([n]) }));
    return { where: where === null ? node : Object.freeze({ kind: 'and' as const, children: Object.freeze([call(where), call(node)]) }) };
  }

  /** Rows matching every condition (objects and Q expressions are ANDed). Conditions on annotations filter groups (HAVING). */
  filter(...conditions: FilterArg<M>[]): QuerySet<M, R> {
    return this.#addCondition(parseFilterArgs(this.#state.meta, conditions as (QExpression | FilterSpec)[], this.#state.annotations));
  }

  /** Rows not matching the conditions; rows where a compared column is NULL are kept (Django's `exclude`). */
  exclude(...conditions: FilterArg<M>[]): QuerySet<M, R> {
    const node = parseFilterArgs(this.#state.meta, conditions as (QExpression | FilterSpec)[], this.#state.annotations);
    return this.#addCondition(node === null ? null : Object.freeze({ kind: 'not' as const, child: node }));
  }

  /** ORDER BY; `-name` sorts descending. NULLs come first ascending and last descending on every dialect. */
  orderBy(...terms: OrderKey<M>[]): QuerySet<M, R> {
    const meta = this.#state.meta;
    const order: OrderTerm[] = terms.map((term) => {
      if (typeof term !== 'string' || term === '') throw new FieldError(`orderBy() takes field names like 'name' or '-createdAt'`, { model: meta.name });
      const descending = term.startsWith('-');
      const name = descending ? term.slice(1) : term;
      const annotation = this.#state.annotations.find((a) => a.alias === name);
      if (annotation !== undefined) return Object.freeze({ name, field: annotation.result, descending, annotation, relations: [] });
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new FieldError(`Cannot order ${meta.name} by '${clip(term)}': not a field name${suggestion(name, [...meta.queryNames, ...this.#state.annotations.map((a) => a.alias)])}`, { model: meta.name, field: name });
      }
      const { lhs, lookup } = parseKey(meta, name, true);
      if (lookup !== 'exact' || name.endsWith('__exact') || lhs.jsonPath.length > 0 || lhs.transforms.length > 0) {
        throw new FieldError(`Cannot order ${meta.name} by '${clip(term)}': name a field, optionally across relations (author__name)`, { model: meta.name, field: name });
      }
      return Object.freeze({ name, field: lhs.field, descending, relations: lhs.relations });
    });
    return this.#with({ order: Object.freeze(order) });
  }

  /** At most `n` rows. */
  limit(n: number): QuerySet<M, R> {
    return this.#with({ limit: nonNegativeInteger(n, 'limit()') });
  }

  /** Skip the first `n` rows. */
  offset(n: number): QuerySet<M, R> {
    return this.#with({ offset: nonNegativeInteger(n, 'offset()') });
  }

  /** SELECT DISTINCT. */
  distinct(): QuerySet<M, R> {
    return this.#with({ distinct: true });
  }

  /** Run on another connection alias. */
  using(alias: string): QuerySet<M, R> {
    if (typeof alias !== 'string' || alias === '') throw new FieldError('using() takes a connection alias');
    return this.#with({ using: alias });
  }

  /**
   * SELECT ... FOR UPDATE: the rows stay locked until the transaction ends. Outside a transaction it is
   * a TransactionError (on every dialect). On SQLite the clause is left out: its transactions already
   * hold the database's write lock.
   */
  selectForUpdate(options: { nowait?: boolean; skipLocked?: boolean } = {}): QuerySet<M, R> {
    if (options.nowait === true && options.skipLocked === true) throw new FieldError('selectForUpdate(): nowait and skipLocked exclude each other');
    return this.#with({ forUpdate: Object.freeze({ nowait: options.nowait === true, skipLocked: options.skipLocked === true }) });
  }

  // ---- reading ----

  /** Runs the query (or serves a prefetched result), then loads prefetched relations. */
  async execute(): Promise<R[]> {
    const cached = this.#state.resultCache;
    if (cached !== null) return [...cached] as R[];
    const { connection, db } = this.#db();
    const state = this.#state;
    const compiled = compileSelect(db, state, connection.driver);
    let rows: R[];
    if (state.values === null && state.annotations.length === 0 && state.selectRelated.length === 0 && connection.features.arrayRows === true) {
      // Whole instances of the model: rows come back as arrays where the driver can (no object per row).
      const result = await connection.execute<unknown[]>({ ...compiled, arrayRows: true } as CompiledQuery);
      rows = this.#hydrateArrays(result.rows, connection.driver, connection.alias);
    } else {
      const result = await connection.execute<Record<string, unknown>>(compiled);
      rows = this.#convert(result.rows, connection);
    }
    if (state.values === null && rows.length > 1 && connection.nPlusOne.mode !== 'off') trackSiblings(rows as object[], state.meta, connection.nPlusOne, eagerRelations(state));
    if (state.prefetch.length > 0 && state.values === null) await prefetch(rows as object[], state.meta, state.prefetch, connection.alias);
    return rows;
  }

  #hydrateArrays(rows: readonly unknown[][], driver: Connection['driver'], alias: string): R[] {
    const plan = planFor(driver, this.#state.meta);
    const out = new Array<R>(rows.length);
    for (let i = 0; i < rows.length; i++) out[i] = plan.hydrateArray(rows[i], alias) as R;
    return out;
  }

  /** JOINs the given to-one relations and fills them on every instance (one query). */
  selectRelated(...paths: SelectRelatedPath<M>[]): QuerySet<M, R> {
    const resolved = resolveSelectRelated(this.#state.meta, paths);
    const merged = [...this.#state.selectRelated];
    for (const p of resolved) if (!merged.some((m) => m.key === p.key)) merged.push(p);
    return this.#with({ selectRelated: Object.freeze(merged) });
  }

  /**
   * Loads relations with one extra query per level (`'books'`, `'books__tags'`), batched under the
   * parameter limit; `{ path, queryset }` filters the last level.
   */
  prefetchRelated(...paths: (PrefetchPath<M> | { path: PrefetchPath<M>; queryset?: QuerySet<any, any> })[]): QuerySet<M, R> {
    const specs = paths.map((p) => parsePrefetch(this.#state.meta, p as PrefetchArg));
    return this.#with({ prefetch: Object.freeze([...this.#state.prefetch, ...specs]) });
  }

  /** A QuerySet whose rows are already known (prefetched): served without a query. @internal */
  withResultCache(rows: readonly object[]): QuerySet<M, R> {
    return new QuerySet<M, R>(Object.freeze({ ...this.#state, resultCache: Object.freeze([...rows]) }));
  }

  #convert(rows: readonly Record<string, unknown>[], connection: Connection): R[] {
    const plan = planFor(connection.driver, this.#state.meta);
    const { values, annotations } = this.#state;
    if (values === null) {
      const related = this.#state.selectRelated;
      if (annotations.length === 0 && related.length === 0) {
        const alias = connection.alias;
        const out = new Array<R>(rows.length);
        for (let i = 0; i < rows.length; i++) out[i] = plan.hydrate(rows[i], alias) as R;
        return out;
      }
      const relatedPlans = related.map((path, p) => ({ path, plan: planFor(connection.driver, path.meta), keys: path.meta.fields.map((_, f) => relatedColumn(p, f)) }));
      return rows.map((row) => {
        const instance = plan.hydrate(row, connection.alias) as Record<string, unknown>;
        for (const a of annotations) instance[a.alias] = convertAggregate(a, row[a.alias], plan.convertValue);
        const byKey = new Map<string, object | null>([['', instance]]);
        for (const { path, plan: p, keys } of relatedPlans) {
          const parent = byKey.get(path.relations.slice(0, -1).join('__'));
          const pkIndex = path.meta.fields.indexOf(path.meta.pk);
          const child = row[keys[pkIndex]] === null || row[keys[pkIndex]] === undefined ? null : p.hydrateWith(row, keys, connection.alias);
          byKey.set(path.key, child);
          if (parent !== null && parent !== undefined) relatedCache(parent)[path.relations[path.relations.length - 1]] = child;
        }
        return instance as R;
      });
    }
    const convert = values.annotations === undefined ? plan.convertValue : valueConverter(values, plan.convertValue);
    return rows.map((row) => {
      const out = convertValues(values, row, convert) as Record<string, unknown> | unknown[];
      if (annotations.length === 0 || values.mode === 'flat' || values.exact === true) return out as R;
      if (Array.isArray(out)) return [...out, ...annotations.map((a) => convertAggregate(a, row[a.alias], plan.convertValue))] as R;
      for (const a of annotations) out[a.alias] = convertAggregate(a, row[a.alias], plan.convertValue);
      return out as R;
    });
  }

  #annotationSpecs(spec: Record<string, Aggregate<unknown>>, what: string): AnnotationSpec[] {
    const meta = this.#state.meta;
    if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw new FieldError(`${what}() takes { alias: Count('field'), ... }`, { model: meta.name });
    return Object.keys(spec).map((alias) => {
      const aggregate = spec[alias];
      if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(alias) || alias.includes('__')) {
        throw new FieldError(`${what}(): '${clip(alias)}' is not a usable alias; use letters, digits and '_' (no '__')`, { model: meta.name });
      }
      if (what === 'annotate' && alias in (meta.cls.prototype as object)) {
        throw new FieldError(`${what}(): the alias '${clip(alias)}' would shadow ${meta.name}.prototype.${clip(alias)}; choose another name`, { model: meta.name });
      }
      if (what === 'annotate' && (meta.findField(alias) !== undefined || this.#state.annotations.some((a) => a.alias === alias))) {
        throw new FieldError(`${what}(): the alias '${clip(alias)}' clashes with a field or annotation of ${meta.name}`, { model: meta.name });
      }
      if (!(aggregate instanceof Aggregate)) throw new FieldError(`${what}(): '${clip(alias)}' must be an aggregate such as Count('id')`, { model: meta.name });
      let source: Field | null = null;
      let relations: readonly string[] = [];
      if (aggregate.expression !== null) {
        // Arithmetic over fields: `source` describes the expression's value (integer, float or decimal).
        source = expressionField(meta, aggregate.expression);
      } else if (aggregate.path !== '*') {
        const { lhs } = parseKey(meta, aggregate.path, false);
        if (lhs.jsonPath.length > 0 || lhs.transforms.length > 0) throw new FieldError(`${what}(): aggregate a field, not '${clip(aggregate.path)}'`, { model: meta.name });
        source = lhs.field;
        relations = lhs.relations;
      }
      if ((aggregate.fn === 'sum' || aggregate.fn === 'avg') && source !== null && !['int', 'smallint', 'bigint', 'float', 'decimal'].includes(source.kind)) {
        throw new FieldError(`${what}(): ${aggregate.fn.toUpperCase()} needs a numeric field; '${clip(aggregate.path)}' is ${source.kind}`, { model: meta.name });
      }
      let result: Field;
      if (aggregate.fn === 'count') result = new IntFieldDef();
      else if ((aggregate.fn === 'min' || aggregate.fn === 'max') && source !== null) result = source;
      else if (source?.kind === 'decimal') {
        const d = source as DecimalFieldDef;
        result = new DecimalFieldDef({ maxDigits: 65, decimalPlaces: aggregate.fn === 'avg' ? Math.min(30, d.decimalPlaces + 4) : d.decimalPlaces });
      } else result = new FloatFieldDef();
      const expression = aggregate.expression ?? undefined;
      return Object.freeze({ alias, fn: aggregate.fn, distinct: aggregate.distinct, source, relations: Object.freeze([...relations]), result, ...(expression === undefined ? {} : { expression }) });
    });
  }

  /**
   * Adds aggregates per row (grouped by primary key) or, after `values(...)`, per group of those
   * fields. Annotations become properties of the instances (or keys of the value objects), can be
   * filtered on (HAVING) and ordered by.
   *
   * @example
   * ```ts
   * await Book.all().values('genre').annotate({ n: Count('id') }).orderBy('-n');
   * ```
   */
  annotate<S extends Record<string, Aggregate<unknown>>>(spec: S & NoFieldClash<M, S>): QuerySet<M & AnnotationsOf<S>, R & AnnotationsOf<S>> {
    const annotations = this.#annotationSpecs(spec as Record<string, Aggregate<unknown>>, 'annotate');
    const groupByValues = this.#state.annotations.length > 0 ? this.#state.groupByValues : this.#state.values !== null;
    return this.#with({ annotations: Object.freeze([...this.#state.annotations, ...annotations]), groupByValues }) as unknown as QuerySet<M & AnnotationsOf<S>, R & AnnotationsOf<S>>;
  }

  /**
   * Aggregates over the matching rows: `{ alias: value }`. `Count` is a number (0 over no rows);
   * `Sum`/`Avg`/`Min`/`Max` are null over no rows.
   */
  aggregate<K extends string>(spec: Record<K, Aggregate<unknown>>): Promise<Record<K, unknown>> {
    return lazy(() => this.#aggregate(spec));
  }

  async #aggregate<K extends string>(spec: Record<K, Aggregate<unknown>>): Promise<Record<K, unknown>> {
    if (this.#state.annotations.length > 0) throw new FieldError('aggregate() over an annotate()d QuerySet is not supported; aggregate the base QuerySet', { model: this.#state.meta.name });
    if (isPlainObject(spec) && Object.keys(spec).length === 0) return {} as Record<K, unknown>; // nothing asked: no query (Django's aggregate())
    const specs = this.#annotationSpecs(spec, 'aggregate');
    const { connection, db } = this.#db();
    const result = await connection.execute<Record<string, unknown>>(compileAggregate(db, this.#state, connection.driver, specs));
    const row = result.rows[0] ?? {};
    const plan = planFor(connection.driver, this.#state.meta);
    const out = {} as Record<K, unknown>;
    for (const a of specs) out[a.alias as K] = convertAggregate(a, row[a.alias], plan.convertValue);
    return out;
  }

  /** PromiseLike: `await qs` runs it. */
  then<T1 = R[], T2 = never>(onfulfilled?: ((value: R[]) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    return this.execute().then(onfulfilled, onrejected);
  }

  /** `for await (const row of qs)`: streams in chunks of 1000 rows. */
  [Symbol.asyncIterator](): AsyncIterator<R> {
    return this.iterator()[Symbol.asyncIterator]();
  }

  /**
   * Streams rows in chunks with bounded memory: a server-side cursor on PostgreSQL, a streamed result
   * on MySQL. Where one connection serves every query (SQLite), each chunk is its own query and the
   * connection is free while the loop body runs, so the body may write (`save()`) without waiting for
   * the stream: chunks follow the primary key (`pk > last`) when the QuerySet is unordered and unsliced,
   * else LIMIT/OFFSET pages of the ordering with the primary key as tie-breaker (a body that changes
   * the ordering columns can then move rows between pages).
   */
  async *iterator(options: { chunkSize?: number } = {}): AsyncGenerator<R, void, undefined> {
    const chunkSize = options.chunkSize ?? 1000;
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new FieldError('iterator() chunkSize must be a positive integer');
    if (this.#state.resultCache !== null) {
      for (const row of this.#state.resultCache) yield row as R;
      return;
    }
    if (this.connection().features.singleConnection) {
      yield* this.#chunks(chunkSize);
      return;
    }
    const { connection, db } = this.#db();
    const compiled = compileSelect(db, this.#state, connection.driver);
    for await (const chunk of db.getExecutor().stream<Record<string, unknown>>(compiled, chunkSize)) {
      for (const item of this.#convert(chunk.rows, connection)) yield item;
    }
  }

  /**
   * `iterator()` on a single-connection dialect: one query per chunk, nothing held between chunks.
   * Like the streams of the other dialects it loads no `prefetchRelated` relations (selectRelated works).
   */
  async *#chunks(chunkSize: number): AsyncGenerator<R, void, undefined> {
    const state = this.#state;
    const pk = state.meta.pk;
    const order = effectiveOrder(state);
    if (order.length === 0 && state.limit === null && state.offset === null && state.values === null && state.annotations.length === 0 && !state.distinct) {
      // Keyset: each chunk starts after the last key seen, an index range scan whatever the table's size.
      let last: unknown = undefined;
      for (;;) {
        const after = last === undefined ? {} : this.#conditionPatch(parseFilterArgs(state.meta, [{ pk__gt: last }]));
        const rows = await this.#with<R>({ ...after, order: this.#pkOrder(false), limit: chunkSize, prefetch: NO_PREFETCH }).execute();
        for (const row of rows) yield row;
        if (rows.length < chunkSize) return;
        last = (rows[rows.length - 1] as Record<string, unknown>)[pk.attname];
      }
    }
    const ordering = order.some((t) => t.field === pk && (t.relations ?? []).length === 0) ? order : [...order, ...this.#pkOrder(false)];
    const start = state.offset ?? 0;
    let remaining = state.limit ?? Number.POSITIVE_INFINITY;
    for (let done = 0; remaining > 0; ) {
      const take = Math.min(chunkSize, remaining);
      const rows = await this.#with<R>({ order: ordering, offset: start + done, limit: take, prefetch: NO_PREFETCH }).execute();
      for (const row of rows) yield row;
      if (rows.length < take) return;
      done += rows.length;
      remaining -= rows.length;
    }
  }

  /**
   * The single row matching the conditions.
   * @throws Model.DoesNotExist when none matches; Model.MultipleObjectsReturned when several do.
   */
  get(...conditions: FilterArg<M>[]): Promise<R> {
    return lazy(() => this.#get(conditions));
  }

  async #get(conditions: FilterArg<M>[]): Promise<R> {
    const node = conditions.length === 0 ? null : parseFilterArgs(this.#state.meta, conditions as (QExpression | FilterSpec)[], this.#state.annotations);
    const patch = { ...this.#conditionPatch(node), limit: Math.min(this.#state.limit ?? GET_LIMIT, GET_LIMIT), order: this.#state.order ?? NO_ORDER };
    const rows = await this.#with<R>(patch).execute();
    const cls = this.#state.meta.cls as unknown as { DoesNotExist: ModelErrorClass; MultipleObjectsReturned: ModelErrorClass };
    const name = this.#state.meta.name;
    if (rows.length === 0) throw new (cls.DoesNotExist ?? DoesNotExist)(`${name} matching the query does not exist`, { model: name });
    if (rows.length > 1) {
      const count = rows.length === GET_LIMIT ? `more than ${GET_LIMIT - 1}` : String(rows.length);
      throw new (cls.MultipleObjectsReturned ?? MultipleObjectsReturned)(`get() returned more than one ${name}: it returned ${count}`, { model: name });
    }
    return rows[0];
  }

  /** Like `get()`, but resolves to null when no row matches. */
  getOrNull(...conditions: FilterArg<M>[]): Promise<R | null> {
    return lazy(() => this.#getOrNull(conditions));
  }

  async #getOrNull(conditions: FilterArg<M>[]): Promise<R | null> {
    try {
      return await this.#get(conditions);
    } catch (error) {
      if (error instanceof DoesNotExist) return null;
      throw error;
    }
  }

  #pkOrder(descending: boolean): OrderTerm[] {
    const pk = this.#state.meta.pk;
    return [{ name: pk.name, field: pk, descending }];
  }

  /** The first row (by the ordering, else by primary key), or null. */
  first(): Promise<R | null> {
    return lazy(() => this.#first());
  }

  async #first(): Promise<R | null> {
    const order = effectiveOrder(this.#state);
    const rows = await this.#with<R>({ order: order.length > 0 ? order : this.#pkOrder(false), limit: 1 }).execute();
    return rows[0] ?? null;
  }

  /** The last row (the ordering reversed, else primary key descending), or null. */
  last(): Promise<R | null> {
    return lazy(() => this.#last());
  }

  async #last(): Promise<R | null> {
    const order = effectiveOrder(this.#state);
    const reversed = order.length > 0 ? order.map((t) => ({ ...t, descending: !t.descending })) : this.#pkOrder(true);
    const rows = await this.#with<R>({ order: reversed, limit: 1 }).execute();
    return rows[0] ?? null;
  }

  /** How many rows match (honours limit/offset). */
  count(): Promise<number> {
    return lazy(() => this.#count());
  }

  async #count(): Promise<number> {
    if (this.#state.resultCache !== null) return this.#state.resultCache.length;
    const { connection, db } = this.#db();
    const result = await connection.execute<{ n: unknown }>(compileCount(db, this.#state, connection.driver));
    return Number(result.rows[0]?.n ?? 0);
  }

  /** True when at least one row matches. */
  exists(): Promise<boolean> {
    return lazy(() => this.#exists());
  }

  async #exists(): Promise<boolean> {
    if (this.#state.resultCache !== null) return this.#state.resultCache.length > 0;
    const { connection, db } = this.#db();
    const result = await connection.execute(compileExists(db, this.#state, connection.driver));
    return result.rows.length > 0;
  }

  #valuesSpec(names: readonly string[], mode: ValuesSpec['mode']): ValuesSpec {
    const meta = this.#state.meta;
    const existing = this.#state.annotations;
    const keys = names.length === 0 ? [...meta.fieldNames, ...existing.map((a) => a.alias)] : names;
    const paths: (readonly string[])[] = [];
    const named: (AnnotationSpec | undefined)[] = [];
    const fields: Field[] = keys.map((name) => {
      if (typeof name !== 'string') throw new FieldError('values() takes field names', { model: meta.name });
      const annotation = existing.find((a) => a.alias === name);
      named.push(annotation);
      if (annotation !== undefined) {
        paths.push([]);
        return annotation.result;
      }
      const { lhs } = parseKey(meta, name, false, existing);
      if (lhs.jsonPath.length > 0 || lhs.transforms.length > 0) throw new FieldError(`values() takes field names; '${clip(name)}' is a lookup path`, { model: meta.name });
      paths.push(lhs.relations);
      return lhs.field;
    });
    const annotations = named.some((a) => a !== undefined) ? Object.freeze(named) : undefined;
    return Object.freeze({ fields: Object.freeze(fields), keys: Object.freeze([...keys]), paths: Object.freeze(paths), mode, exact: existing.length > 0, ...(annotations === undefined ? {} : { annotations }) });
  }

  /** Plain objects with the given fields (every field when none is named). */
  values(): QuerySet<M, ValuesRow<M, DefaultValueKey<M>>>;
  values<K extends ValueKey<M>>(...fields: K[]): QuerySet<M, ValuesRow<M, K>>;
  values(...fields: string[]): QuerySet<M, unknown> {
    return this.#with<unknown>({ values: this.#valuesSpec(fields, 'objects') });
  }

  /** Arrays of the given fields' values; `{ flat: true }` with one field gives the values themselves. */
  valuesList<K extends ValueKey<M>>(...args: [...K[], { flat: true }]): QuerySet<M, ValueOf<M, K>>;
  valuesList<K extends ValueKey<M>>(...fields: K[]): QuerySet<M, ValueOf<M, K>[]>;
  valuesList(...args: unknown[]): QuerySet<M, unknown> {
    let flat = false;
    const last = args[args.length - 1];
    if (isPlainObject(last)) {
      flat = last.flat === true;
      args = args.slice(0, -1);
    }
    if (flat && args.length !== 1) throw new FieldError(`valuesList(..., { flat: true }) takes exactly one field, got ${args.length}`, { model: this.#state.meta.name });
    return this.#with<unknown>({ values: this.#valuesSpec(args as string[], flat ? 'flat' : 'lists') });
  }

  /** `{ items, total, page, pages, pageSize }` for 1-based `page`. Unordered QuerySets are ordered by primary key. */
  paginate(options: { page: number; pageSize: number }): Promise<Page<R>> {
    return lazy(() => this.#paginate(options));
  }

  async #paginate(options: { page: number; pageSize: number }): Promise<Page<R>> {
    const page = options?.page;
    const pageSize = options?.pageSize;
    if (!Number.isInteger(page) || page < 1) throw new FieldError(`paginate(): page must be an integer of at least 1, got ${String(page)}`);
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new FieldError(`paginate(): pageSize must be a positive integer, got ${String(pageSize)}`);
    this.#requireUnsliced('paginate');
    const total = await this.count();
    const order = effectiveOrder(this.#state);
    const items = await this.#with<R>({ order: order.length > 0 ? order : this.#pkOrder(false), offset: (page - 1) * pageSize, limit: pageSize }).execute();
    return { items, total, page, pages: Math.max(1, Math.ceil(total / pageSize)), pageSize };
  }

  /** A Map from primary key to instance for the given keys (batched under the parameter limit). */
  inBulk(ids: readonly unknown[]): Promise<Map<unknown, R>> {
    return lazy(() => this.#inBulk(ids));
  }

  async #inBulk(ids: readonly unknown[]): Promise<Map<unknown, R>> {
    if (!Array.isArray(ids)) throw new FieldError('inBulk() takes an array of primary keys');
    const out = new Map<unknown, R>();
    if (ids.length === 0) return out;
    const meta = this.#state.meta;
    const batch = Math.max(1, this.connection().features.maxParameters - 100);
    for (let i = 0; i < ids.length; i += batch) {
      const rows = await this.filter({ pk__in: ids.slice(i, i + batch) } as unknown as FilterArg<M>).#with<M>({ values: null }).execute();
      for (const row of rows) out.set((row as Record<string, unknown>)[meta.pk.attname], row as unknown as R);
    }
    return out;
  }

  // ---- writing ----

  /**
   * UPDATE every matching row; values may be F expressions (`F('n').add(1)` is atomic). Sends no
   * signals. Resolves to the number of rows updated.
   */
  update(values: UpdateInput<M>): Promise<number> {
    return lazy(() => this.#update(values));
  }

  async #update(values: UpdateInput<M>): Promise<number> {
    this.#requireUnsliced('update');
    const meta = this.#state.meta;
    if (!isPlainObject(values)) throw new FieldError('update() takes an object of { field: value }', { model: meta.name });
    const keys = Object.keys(values);
    if (keys.length === 0) throw new FieldError('update() needs at least one field', { model: meta.name });
    const errors: ValidationErrors = {};
    const assignments: [Field, unknown][] = [];
    for (const key of keys) {
      const field = meta.findField(key);
      if (field === undefined || !hasOwn(values, key)) throw new FieldError(`Unknown field '${clip(key)}' in ${meta.name} update()${suggestion(key, meta.fieldNames)}`, { model: meta.name, field: key });
      let value = (values as Record<string, unknown>)[key];
      if (field instanceof ForeignKeyDef && value !== null && typeof value === 'object' && !(value instanceof FExpression)) {
        // `author: bob` (as in filters and create): the instance's primary key.
        const target = meta.findRelation(field.name)?.target;
        if (target === undefined || !(value instanceof (target.cls as unknown as new () => object))) {
          errors[key] = [`must be a ${target?.name ?? 'related'} instance or its key, got a ${(value as object).constructor?.name ?? 'object'}`];
          continue;
        }
        value = (value as Record<string, unknown>)[target.pk.attname];
        if (value === undefined || value === null) {
          errors[key] = [`the ${target.name} is not saved yet (it has no ${target.pk.name}); save it first`];
          continue;
        }
      }
      if (value instanceof FExpression) {
        checkExpression(meta, value);
        assignments.push([field, value]);
        continue;
      }
      const { value: cleaned, messages } = field.check(value);
      if (messages.length > 0) errors[key] = messages;
      else assignments.push([field, cleaned]);
    }
    if (Object.keys(errors).length > 0) throw ValidationError.of(meta.name, errors);
    const { connection, db } = this.#db();
    const result = await connection.execute(compileUpdate(db, connection.driver, this.#state, assignments));
    return Number(result.numAffectedRows ?? 0n);
  }

  /**
   * DELETE every matching row. Sends no signals. Related rows follow their foreign keys' `onDelete`
   * (done by the database; SET_DEFAULT by the ORM, first, in the same transaction).
   * Resolves to the number of rows deleted.
   */
  delete(): Promise<number> {
    return lazy(() => this.#delete());
  }

  async #delete(): Promise<number> {
    this.#requireUnsliced('delete');
    const connection = this.connection();
    const meta = this.#state.meta;
    const setDefault = [...meta.relations.values()].filter((r) => (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') && r.fk?.onDelete === 'SET_DEFAULT');
    const run = async (): Promise<number> => {
      const db = connection.executor();
      const result = await connection.execute(compileDelete(db, connection.driver, this.#state));
      return Number(result.numAffectedRows ?? 0n);
    };
    if (setDefault.length === 0) return run();
    return transaction({ using: connection.alias }, async () => {
      const pks = (await this.#with<unknown>({ values: this.#valuesSpec(['pk'], 'flat'), annotations: [], order: [] }).execute()) as unknown[];
      const batch = Math.max(1, connection.features.maxParameters - 100);
      for (const relation of setDefault) {
        const fk = relation.fk!;
        for (let i = 0; i < pks.length; i += batch) {
          await QuerySet.of(relation.target).using(connection.alias).filter({ [`${fk.attname}__in`]: pks.slice(i, i + batch) } as never).update({ [fk.attname]: fk.getDefault() } as never);
        }
      }
      return run();
    });
  }

  // ---- inspection ----

  /** The SQL and parameters this QuerySet would run, without running it. */
  compile(): { sql: string; parameters: readonly unknown[] } {
    const connection = this.connection();
    const compiled = compileSelect(connection.kysely, this.#state, connection.driver);
    return { sql: compiled.sql, parameters: compiled.parameters };
  }

  /** The database's query plan, as text. */
  explain(): Promise<string> {
    return lazy(() => this.#explain());
  }

  async #explain(): Promise<string> {
    const { connection, db } = this.#db();
    const compiled = compileSelect(db, this.#state, connection.driver);
    const result = await connection.execute<Record<string, unknown>>(CompiledQuery.raw(connection.driver.sql.explain(compiled.sql), [...compiled.parameters]));
    return connection.driver.sql.formatPlan(result.rows);
  }
}

/** A converter for values() rows that names annotations: those keys convert as aggregates. */
function valueConverter(spec: ValuesSpec, convert: (field: Field, value: unknown) => unknown): (field: Field, value: unknown) => unknown {
  const byField = new Map<Field, AnnotationSpec>();
  spec.annotations?.forEach((a, i) => {
    if (a !== undefined) byField.set(spec.fields[i], a);
  });
  return (field, value) => {
    const annotation = byField.get(field);
    return annotation === undefined ? convert(field, value) : convertAggregate(annotation, value, convert);
  };
}

function convertValues(spec: ValuesSpec, row: Record<string, unknown>, convert: (field: Field, value: unknown) => unknown): unknown {
  const { fields, keys, mode } = spec;
  if (mode === 'flat') return convert(fields[0], row[keys[0]]);
  if (mode === 'lists') return fields.map((f, i) => convert(f, row[keys[i]]));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) out[keys[i]] = convert(fields[i], row[keys[i]]);
  return out;
}

setQuerySets({ of: (meta) => QuerySet.of(meta), is: (value): value is QuerySet<any, any> => value instanceof QuerySet });
