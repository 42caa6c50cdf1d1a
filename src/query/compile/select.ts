import { clip } from '../../utils/index.js';
import { expressionBuilder, sql, type AliasedExpression, type CompiledQuery, type Expression, type Kysely, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { FieldError } from '../../errors/index.js';
import type { DialectDriver } from '../../dialects/index.js';
import type { Field } from '../../fields/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import type { AnnotationSpec } from '../filter/index.js';
import { JoinPlanner } from './joins.js';
import { cachedCompile, filterParameters, filterShape, limitParameters } from './cache.js';
import type { OrderTerm, QueryState, SelectRelatedPath } from './state.js';
import { aggregateExpression, columnRef, compileFilter, rootContext, type CompileContext } from './where.js';

type AnySelect = SelectQueryBuilder<any, any, any>;

/** The effective ordering: explicit, else the model's default. */
export function effectiveOrder(state: QueryState): readonly OrderTerm[] {
  if (state.order !== null) return state.order;
  return state.meta.ordering.map((term) => {
    const descending = term.startsWith('-');
    const name = descending ? term.slice(1) : term;
    return { name, field: state.meta.field(name), descending, relations: [] };
  });
}

/** The output-column name of `selectRelated` path `p`, field `f` (short, so no dialect truncates it). */
export function relatedColumn(pathIndex: number, fieldIndex: number): string {
  return `oxen_r${pathIndex}_${fieldIndex}`;
}

/** Everything a SELECT compiles to before the builder is assembled. */
interface Plan {
  readonly ctx: CompileContext;
  readonly where: Expression<SqlBool> | null;
}

function plan(state: QueryState, driver: DialectDriver): Plan {
  const ctx = rootContext(state.meta, driver, expressionBuilder<any, any>());
  return { ctx, where: state.where === null ? null : compileFilter(ctx, state.where) };
}

/**
 * Can the ORDER BY term be NULL? Only a NOT NULL column of the model itself is certain not to be: an
 * annotation can be NULL, and a column reached through a LEFT JOIN is NULL when the related row is missing.
 */
function mayBeNull(term: OrderTerm): boolean {
  return term.annotation !== undefined || (term.relations ?? []).length > 0 || term.field.nullable;
}

/**
 * ORDER BY terms compiled to expressions (planning their joins), applied later with `orderBy`. The
 * NULL-ordering clause is left out where no NULL can occur: PostgreSQL uses a plain index only for its
 * default order (`ASC NULLS LAST`), so `NULLS FIRST` on a NOT NULL column would cost a sort for nothing.
 */
function orderTerms(ctx: CompileContext, order: readonly OrderTerm[]): ((q: AnySelect) => AnySelect)[] {
  return order.map((term) => {
    const nulls = mayBeNull(term) ? ctx.driver.sql.nullsOrder(term.descending) : undefined;
    const target =
      term.annotation !== undefined
        ? ctx.driver.sql.orderable(term.annotation.result, sql.ref(term.annotation.alias))
        : ctx.driver.sql.orderable(term.field, columnRef(ctx, term.field.column, term.relations ?? [], true));
    return (q: AnySelect) =>
      q.orderBy(target, (ob) => {
        const o = term.descending ? ob.desc() : ob.asc();
        return nulls === 'first' ? o.nullsFirst() : nulls === 'last' ? o.nullsLast() : o;
      });
  });
}

function limits(q: AnySelect, state: QueryState, driver: DialectDriver): AnySelect {
  if (state.limit !== null) q = q.limit(driver.sql.literalLimit === true ? sql.lit(state.limit) : state.limit);
  if (state.offset !== null) {
    if (state.limit === null) {
      const max = driver.sql.offsetWithoutLimit();
      if (max !== undefined) q = q.limit(max as number);
    }
    q = q.offset(state.offset);
  }
  return q;
}

/** Columns of a full-model read, of `values()`, of `selectRelated` paths, and annotations. */
function selections(state: QueryState, ctx: CompileContext): AliasedExpression<unknown, string>[] {
  const out: AliasedExpression<unknown, string>[] = [];
  const values = state.values;
  if (values !== null) {
    values.fields.forEach((field, i) => {
      if (values.annotations?.[i] === undefined) out.push(sql`${columnRef(ctx, field.column, values.paths[i], true)}`.as(values.keys[i]));
    });
  } else {
    for (const field of state.meta.fields) out.push(sql`${columnRef(ctx, field.column)}`.as(field.column));
    state.selectRelated.forEach((path, p) => {
      const alias = ctx.joins.alias(path.relations);
      path.meta.fields.forEach((field, f) => out.push(sql`${sql.ref(`${alias}.${field.column}`)}`.as(relatedColumn(p, f))));
    });
  }
  for (const a of state.annotations) out.push(sql`${aggregateExpression(ctx, a)}`.as(a.alias));
  return out;
}

function groupBy(state: QueryState, ctx: CompileContext): Expression<unknown>[] | null {
  if (state.annotations.length === 0) return null;
  if (state.groupByValues && state.values !== null) {
    const values = state.values;
    return values.fields.flatMap((f, i) => (values.annotations?.[i] === undefined ? [columnRef(ctx, f.column, values.paths[i], true)] : []));
  }
  const keys = [columnRef(ctx, state.meta.pk.column)];
  // PostgreSQL accepts the primary key alone; selected related columns are grouped by their key too.
  for (const path of state.selectRelated) keys.push(sql.ref(`${ctx.joins.alias(path.relations)}.${path.meta.pk.column}`));
  return keys;
}

/** The complete SELECT of a QuerySet (rows, values, annotations, selectRelated). */
export function selectQuery(db: Kysely<any>, state: QueryState, driver: DialectDriver, order: readonly OrderTerm[] = effectiveOrder(state)): AnySelect {
  const { ctx, where } = plan(state, driver);
  const columns = selections(state, ctx);
  const group = groupBy(state, ctx);
  const having = state.having === null ? null : compileFilter(ctx, state.having);
  const ordering = orderTerms(ctx, order);
  let q = ctx.joins.apply(db.selectFrom(state.meta.table));
  q = q.select(columns as never);
  if (where !== null) q = q.where(where);
  if (group !== null) q = q.groupBy(group as never);
  if (having !== null) q = q.having(having);
  for (const apply of ordering) q = apply(q);
  q = limits(q, state, driver);
  if (state.distinct) q = q.distinct();
  if (state.forUpdate !== null && driver.features.supportsSelectForUpdate) {
    q = q.forUpdate();
    if (state.forUpdate.nowait) q = q.noWait();
    if (state.forUpdate.skipLocked) q = q.skipLocked();
  }
  return q;
}

/** The cache shape of a plain SELECT (no annotations, related rows or relation paths), or null. */
function selectShape(state: QueryState, order: readonly OrderTerm[], driver: DialectDriver): string | null {
  if (state.annotations.length > 0 || state.selectRelated.length > 0 || state.having !== null) return null;
  if (order.some((t) => (t.relations?.length ?? 0) > 0 || t.annotation !== undefined)) return null;
  if (state.values !== null && state.values.paths.some((p) => p.length > 0)) return null;
  const where = filterShape(state.where);
  if (where === null) return null;
  const values = state.values === null ? '*' : state.values.keys.join(',');
  const ordering = order.map((t) => `${t.descending ? '-' : ''}${t.field.column}`).join(',');
  const lock = state.forUpdate === null ? '' : `${state.forUpdate.nowait ? 'n' : ''}${state.forUpdate.skipLocked ? 's' : ''}u`;
  const limit = state.limit === null ? '' : driver.sql.literalLimit === true ? `L${state.limit}` : 'L';
  return `S|${state.meta.table}|${values}|${where}|${ordering}|${limit}${state.offset === null ? '' : 'O'}|${state.distinct ? 'D' : ''}|${lock}`;
}

/** SELECT of whole rows (or of the `values()` fields), with annotations and related rows. */
export function compileSelect(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  const order = effectiveOrder(state);
  return cachedCompile(
    driver,
    selectShape(state, order, driver),
    () => {
      const out: unknown[] = [];
      filterParameters(driver, state, state.where, out);
      limitParameters(driver, state, out);
      return out;
    },
    () => selectQuery(db, state, driver, order).compile(),
  );
}

/** The primary keys of the rows a QuerySet matches (for writes whose filter needs joins). */
export function primaryKeySelect(db: Kysely<any>, state: QueryState, driver: DialectDriver): AnySelect {
  const { ctx, where } = plan(state, driver);
  let q = ctx.joins.apply(db.selectFrom(state.meta.table)).select(sql`${columnRef(ctx, state.meta.pk.column)}`.as('oxen_pk'));
  if (where !== null) q = q.where(where);
  return q;
}

/** True when the QuerySet's filter crosses relations (joins or EXISTS subqueries). */
export function filterUsesRelations(state: QueryState, driver: DialectDriver): boolean {
  const { ctx } = plan(state, driver);
  return ctx.joins.size > 0 || ctx.counter.next > 0;
}

/** SELECT COUNT(*), honouring limit/offset/distinct/annotations through a subquery. */
export function compileCount(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  if (state.annotations.length === 0 && state.limit === null && state.offset === null && !state.distinct && state.values === null) {
    const shape = filterShape(state.where);
    return cachedCompile(
      driver,
      shape === null ? null : `C|${state.meta.table}|${shape}`,
      () => {
        const out: unknown[] = [];
        filterParameters(driver, state, state.where, out);
        return out;
      },
      () => {
        const { ctx, where } = plan(state, driver);
        let q = ctx.joins.apply(db.selectFrom(state.meta.table)).select((eb) => eb.fn.countAll().as('n'));
        if (where !== null) q = q.where(where);
        return q.compile();
      },
    );
  }
  const inner = selectQuery(db, { ...state, selectRelated: [] }, driver, state.order ?? []);
  return db
    .selectFrom(inner.as('oxen_sub'))
    .select((eb) => eb.fn.countAll().as('n'))
    .compile();
}

/** SELECT 1 ... LIMIT 1. */
export function compileExists(db: Kysely<any>, state: QueryState, driver: DialectDriver): CompiledQuery {
  if (state.annotations.length > 0 || state.values !== null || state.distinct) {
    return selectQuery(db, { ...state, limit: 1, selectRelated: [] }, driver, []).compile();
  }
  const { ctx, where } = plan(state, driver);
  let q = ctx.joins.apply(db.selectFrom(state.meta.table)).select(sql.lit(1).as('one'));
  if (where !== null) q = q.where(where);
  return limits(q, { ...state, limit: 1 }, driver).compile();
}

/**
 * SELECT of aggregates over the matching rows. A sliced or distinct QuerySet is aggregated through a
 * subquery so that LIMIT/OFFSET/DISTINCT apply first.
 */
export function compileAggregate(db: Kysely<any>, state: QueryState, driver: DialectDriver, specs: readonly AnnotationSpec[]): CompiledQuery {
  if (state.limit === null && state.offset === null && !state.distinct) {
    const { ctx, where } = plan(state, driver);
    const columns = specs.map((a) => sql`${aggregateExpression(ctx, a)}`.as(a.alias));
    let q = ctx.joins.apply(db.selectFrom(state.meta.table)).select(columns as never);
    if (where !== null) q = q.where(where);
    return q.compile();
  }
  if (specs.some((a) => a.relations.length > 0)) throw new FieldError('aggregate() across relations on a sliced or distinct QuerySet is not supported', { model: state.meta.name });
  if (specs.some((a) => a.expression !== undefined)) throw new FieldError('aggregate() of an F() expression on a sliced or distinct QuerySet is not supported; aggregate the unsliced QuerySet', { model: state.meta.name });
  const sources = [...new Set(specs.flatMap((a) => (a.source === null ? [] : [a.source])))];
  const fields: Field[] = sources.length > 0 ? sources : [state.meta.pk];
  const inner = selectQuery(db, { ...state, values: { fields, keys: fields.map((f) => f.column), paths: fields.map(() => []), mode: 'objects' }, annotations: [], selectRelated: [] }, driver, state.order ?? []);
  const outer = rootContext(state.meta, driver, expressionBuilder<any, any>());
  return db
    .selectFrom(inner.as(state.meta.table))
    .select(specs.map((a) => sql`${aggregateExpression(outer, a)}`.as(a.alias)) as never)
    .compile();
}

/** Resolves `selectRelated` paths (to-one only). */
export function resolveSelectRelated(meta: ModelMeta, paths: readonly string[]): SelectRelatedPath[] {
  const out: SelectRelatedPath[] = [];
  const seen = new Set<string>();
  const add = (relations: string[]): void => {
    const key = relations.join('__');
    if (seen.has(key)) return;
    const { meta: target, relations: walked } = JoinPlanner.walk(meta, relations);
    if (walked.some((r) => r.many)) throw new FieldError(`selectRelated('${clip(key)}'): '${clip(key)}' crosses a to-many relation; use prefetchRelated('${clip(key)}')`, { model: meta.name });
    seen.add(key);
    out.push(Object.freeze({ key, relations: Object.freeze(relations), meta: target }));
  };
  for (const path of paths) {
    if (typeof path !== 'string' || path === '') throw new FieldError("selectRelated() takes relation paths like 'author' or 'author__publisher'", { model: meta.name });
    const parts = path.split('__');
    for (let i = 1; i <= parts.length; i++) add(parts.slice(0, i));
  }
  return out;
}
