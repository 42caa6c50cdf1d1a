import { sql, type CompiledQuery, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DialectDriver } from '../../dialects/index.js';
import type { Field } from '../../fields/index.js';
import type { AnnotationSpec } from '../filter/index.js';
import { aggregateExpression, columnRef, compileFilter, type CompileContext } from './where.js';
import type { OrderTerm, QueryState } from './state.js';

type AnySelect = SelectQueryBuilder<any, any, any>;

/** The effective ordering: explicit, else the model's default. */
export function effectiveOrder(state: QueryState): readonly OrderTerm[] {
  if (state.order !== null) return state.order;
  return state.meta.ordering.map((term) => {
    const descending = term.startsWith('-');
    const name = descending ? term.slice(1) : term;
    return { name, field: state.meta.field(name), descending };
  });
}

function context(state: QueryState, driver: DialectDriver, eb: CompileContext['eb']): CompileContext {
  return { meta: state.meta, driver, eb };
}

/** FROM, WHERE: the part every read and write shares. */
export function baseSelect(db: Kysely<any>, state: QueryState, driver: DialectDriver): AnySelect {
  let q: AnySelect = db.selectFrom(state.meta.table);
  const where = state.where;
  if (where !== null) q = q.where((eb) => compileFilter(context(state, driver, eb), where));
  return q;
}

/** ORDER BY, LIMIT, OFFSET, DISTINCT and FOR UPDATE. */
export function applyModifiers(q: AnySelect, state: QueryState, driver: DialectDriver, order: readonly OrderTerm[] = effectiveOrder(state)): AnySelect {
  for (const term of order) {
    const nulls = driver.sql.nullsOrder(term.descending);
    const target = term.annotation !== undefined ? sql.ref(term.annotation.alias) : driver.sql.orderable(term.field, sql.ref(`${state.meta.table}.${term.field.column}`));
    q = q.orderBy(target, (ob) => {
      const o = term.descending ? ob.desc() : ob.asc();
      return nulls === 'first' ? o.nullsFirst() : nulls === 'last' ? o.nullsLast() : o;
    });
  }
  if (state.limit !== null) q = q.limit(state.limit);
  if (state.offset !== null) {
    if (state.limit === null) {
      const max = driver.sql.offsetWithoutLimit();
      if (max !== undefined) q = q.limit(max as number);
    }
    q = q.offset(state.offset);
  }
  if (state.distinct) q = q.distinct();
  if (state.forUpdate !== null && driver.features.supportsSelectForUpdate) {
    q = q.forUpdate();
    if (state.forUpdate.nowait) q = q.noWait();
    if (state.forUpdate.skipLocked) q = q.skipLocked();
  }
  return q;
}

/** The columns a full-model read selects. */
export function selectColumns(q: AnySelect, state: QueryState, fields: readonly Field[] = state.meta.fields): AnySelect {
  return q.select(fields.map((f) => `${state.meta.table}.${f.column}`));
}

/** Aggregates as output columns, GROUP BY and HAVING, for annotated QuerySets. */
function applyAnnotations(q: AnySelect, state: QueryState, driver: DialectDriver): AnySelect {
  if (state.annotations.length === 0) return q;
  q = q.select((eb) => state.annotations.map((a) => sql`${aggregateExpression(context(state, driver, eb), a)}`.as(a.alias)));
  const groupFields = state.groupByValues && state.values !== null ? state.values.fields : [state.meta.pk];
  q = q.groupBy(groupFields.map((f) => `${state.meta.table}.${f.column}`));
  const having = state.having;
  if (having !== null) q = q.having((eb) => compileFilter(context(state, driver, eb), having));
  return q;
}

/** The SELECT of a QuerySet before ORDER BY/LIMIT: columns, annotations, GROUP BY, HAVING. */
export function selectQuery(db: Kysely<any>, state: QueryState, driver: DialectDriver): AnySelect {
  const fields = state.values?.fields ?? state.meta.fields;
  return applyAnnotations(selectColumns(baseSelect(db, state, driver), state, fields), state, driver);
}

/** SELECT of whole rows (or of the `values()` fields), with annotations. */
export function compileSelect(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  return applyModifiers(selectQuery(db, state, driver), state, driver).compile();
}

/** SELECT COUNT(*), honouring limit/offset/distinct through a subquery. */
export function compileCount(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  if (state.annotations.length > 0) {
    const inner = applyModifiers(selectQuery(db, state, driver), state, driver, state.order ?? []);
    return db
      .selectFrom(inner.as('oxen_sub'))
      .select((eb) => eb.fn.countAll().as('n'))
      .compile();
  }
  if (state.limit === null && state.offset === null && !state.distinct) {
    return baseSelect(db, state, driver)
      .select((eb) => eb.fn.countAll().as('n'))
      .compile();
  }
  const fields = state.values?.fields ?? [state.meta.pk];
  const inner = applyModifiers(selectColumns(baseSelect(db, state, driver), state, fields), state, driver, state.order ?? []);
  return db
    .selectFrom(inner.as('oxen_sub'))
    .select((eb) => eb.fn.countAll().as('n'))
    .compile();
}

/** SELECT 1 ... LIMIT 1. */
export function compileExists(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  if (state.annotations.length > 0) {
    return applyModifiers(selectQuery(db, state, driver), { ...state, limit: 1 }, driver, []).compile();
  }
  const q = applyModifiers(baseSelect(db, state, driver).select(sql.lit(1).as('one')), { ...state, limit: 1, order: [] }, driver, []);
  return q.compile();
}

/** A column reference helper for other compile modules. */
export { columnRef };

/**
 * SELECT of aggregates over the matching rows. A sliced or distinct QuerySet is aggregated through a
 * subquery so that LIMIT/OFFSET/DISTINCT apply first.
 */
export function compileAggregate(db: Kysely<any>, state: QueryState, driver: DialectDriver, specs: readonly AnnotationSpec[]): CompiledQuery {
  if (state.limit === null && state.offset === null && !state.distinct) {
    return baseSelect(db, state, driver)
      .select((eb) => specs.map((a) => sql`${aggregateExpression(context(state, driver, eb), a)}`.as(a.alias)))
      .compile();
  }
  const sources = [...new Set(specs.flatMap((a) => (a.source === null ? [] : [a.source])))];
  const inner = applyModifiers(selectColumns(baseSelect(db, state, driver), state, sources.length > 0 ? sources : [state.meta.pk]), state, driver, state.order ?? []);
  return db
    .selectFrom(inner.as(state.meta.table))
    .select((eb) => specs.map((a) => sql`${aggregateExpression(context(state, driver, eb), a)}`.as(a.alias)))
    .compile();
}
