import { clip } from '../../utils/index.js';
import { sql } from 'kysely';
import { FieldError } from '../../errors/index.js';
import { getConnection } from '../../engine/index.js';
import { relatedCache, RELATED, type ModelMeta, type Relation } from '../../metadata/index.js';
import { selectQuery, type PrefetchSpec, type QueryState } from '../compile/index.js';
import { planFor } from '../hydrate/index.js';

/**
 * What prefetching uses of a QuerySet. This module does not import queryset.ts (which imports it):
 * the QuerySet class registers itself with `setQuerySets()` when its module loads.
 */
interface LevelQuery extends PromiseLike<object[]> {
  readonly meta: ModelMeta;
  readonly state: QueryState;
  using(alias: string): LevelQuery;
  /** Typed loosely here (the callers pass `{ key__in: [...] }` conditions built from metadata). */
  filter(...conditions: never[]): LevelQuery;
}

/** How prefetching makes a QuerySet of a model and recognises one. */
export interface QuerySets {
  of(meta: ModelMeta): LevelQuery;
  is(value: unknown): value is LevelQuery;
}

let querySets: QuerySets | undefined;

/** Called once by queryset.ts. @internal */
export function setQuerySets(sets: QuerySets): void {
  querySets = sets;
}

function sets(): QuerySets {
  if (querySets === undefined) throw new Error('prefetch: the QuerySet module is not loaded');
  return querySets;
}

/** A `prefetchRelated` path, or `{ path, queryset }` (the QuerySet-typed form is `PrefetchArg`). */
export type PrefetchPath = string | { path: string; queryset?: unknown };

type Row = Record<string | symbol, unknown>;

/** Checks a prefetch path against the model. */
export function parsePrefetch(meta: ModelMeta, arg: PrefetchPath): PrefetchSpec {
  const path = typeof arg === 'string' ? arg : arg?.path;
  if (typeof path !== 'string' || path === '') throw new FieldError("prefetchRelated() takes relation paths like 'books' or 'books__tags', or { path, queryset }", { model: meta.name });
  let current = meta;
  let last: Relation | undefined;
  for (const name of path.split('__')) {
    const relation = current.findRelation(name);
    if (relation === undefined) {
      throw new FieldError(`prefetchRelated('${clip(path)}'): ${current.name} has no relation '${clip(name)}'. Relations: ${[...current.relations.keys()].sort().join(', ')}`, { model: current.name });
    }
    last = relation;
    current = relation.target;
  }
  if (typeof arg !== 'string' && arg.queryset !== undefined) {
    const what = `prefetchRelated({ path: '${clip(path)}', queryset })`;
    const queryset = arg.queryset;
    if (!sets().is(queryset) || queryset.meta !== current) throw new FieldError(`${what}: the queryset must be over ${current.name}`, { model: meta.name });
    const state = queryset.state;
    if (state.values !== null) throw new FieldError(`${what}: the queryset must return instances, not values()/valuesList()`, { model: meta.name });
    if (state.limit !== null || state.offset !== null) throw new FieldError(`${what}: the queryset cannot be sliced with limit()/offset()`, { model: meta.name });
    if ((last?.kind === 'm2m' || last?.kind === 'reverse_m2m') && (state.annotations.length > 0 || state.selectRelated.length > 0)) {
      // The many-to-many level is read with the join table in one statement and hydrated here, without
      // the QuerySet's annotation and selectRelated handling (and an annotation would need the join
      // column in its GROUP BY).
      throw new FieldError(
        `${what}: annotate() and selectRelated() are not supported on a many-to-many level; prefetch the related objects as another level instead (e.g. '${clip(path)}__<relation>')`,
        { model: meta.name },
      );
    }
    return Object.freeze({ path, queryset });
  }
  return Object.freeze({ path });
}

function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** True when the relation is in the instance's cache and, for a forward key, still matches the key column. */
export function isCached(instance: object, relation: Relation): boolean {
  const cache = (instance as Row)[RELATED] as Record<string, unknown> | undefined;
  if (cache === undefined || !Object.prototype.hasOwnProperty.call(cache, relation.name)) return false;
  if (relation.kind !== 'fk' && relation.kind !== 'o2o') return true;
  // A cached forward object is stale once the key was reassigned (`book.authorId = 2`): fetch again.
  const cached = cache[relation.name] as Row | null;
  const key = (instance as Row)[relation.fk!.attname];
  return cached === null ? key === null || key === undefined : cached[relation.target.pk.attname] === key;
}

/** Fetches one relation level for `parents` (one query per batch) and stores it in each parent's cache. */
async function fetchLevel(parents: readonly object[], relation: Relation, queryset: LevelQuery | undefined, alias: string): Promise<void> {
  const connection = getConnection(alias);
  const target = relation.target;
  const base: LevelQuery = queryset ?? sets().of(target).using(alias);
  const size = Math.max(1, connection.features.maxParameters - 1000);
  const name = relation.name;
  switch (relation.kind) {
    case 'fk':
    case 'o2o': {
      const fk = relation.fk!;
      const ids = [...new Set(parents.map((p) => (p as Row)[fk.attname]).filter((v) => v !== null && v !== undefined))];
      const byPk = new Map<unknown, object>();
      for (const batch of batches(ids, size)) for (const row of await base.filter({ pk__in: batch } as never)) byPk.set((row as Row)[target.pk.attname], row as object);
      for (const p of parents) relatedCache(p)[name] = byPk.get((p as Row)[fk.attname]) ?? null;
      return;
    }
    case 'reverse_fk':
    case 'reverse_o2o': {
      const fk = relation.fk!;
      const pkName = relation.model.pk.attname;
      const ids = [...new Set(parents.map((p) => (p as Row)[pkName]))];
      const groups = new Map<unknown, object[]>();
      for (const batch of batches(ids, size)) {
        for (const row of await base.filter({ [`${fk.attname}__in`]: batch } as never)) {
          const key = (row as Row)[fk.attname];
          let list = groups.get(key);
          if (list === undefined) groups.set(key, (list = []));
          list.push(row as object);
        }
      }
      for (const p of parents) {
        const list = groups.get((p as Row)[pkName]) ?? [];
        relatedCache(p)[name] = relation.many ? list : (list[0] ?? null);
      }
      return;
    }
    case 'm2m':
    case 'reverse_m2m': {
      const through = relation.through!;
      const pkName = relation.model.pk.attname;
      const ids = [...new Set(parents.map((p) => (p as Row)[pkName]))];
      const groups = new Map<unknown, object[]>();
      const plan = planFor(connection.driver, target);
      const sourcePlan = planFor(connection.driver, through.meta);
      const db = connection.executor();
      const fetched: object[] = [];
      for (const batch of batches(ids, size)) {
        const t = 'oxen_through';
        const q = selectQuery(db, base.state, connection.driver)
          .innerJoin(`${through.meta.table} as ${t}`, `${t}.${through.target.column}`, `${target.table}.${target.pk.column}`)
          .select(sql.ref(`${t}.${through.source.column}`).as('oxen_source'))
          .where(`${t}.${through.source.column}`, 'in', batch.map((id) => sourcePlan.valueToDb(through.source, id)));
        const result = await connection.execute<Record<string, unknown>>(q.compile());
        for (const raw of result.rows) {
          const key = sourcePlan.convertValue(through.source, raw.oxen_source);
          let list = groups.get(key);
          if (list === undefined) groups.set(key, (list = []));
          const instance = plan.hydrate(raw, alias);
          list.push(instance);
          fetched.push(instance);
        }
      }
      for (const p of parents) relatedCache(p)[name] = groups.get((p as Row)[pkName]) ?? [];
      // The other kinds run `base` itself, which prefetches its own prefetchRelated(); do the same here.
      if (base.state.prefetch.length > 0) await prefetch(fetched, target, base.state.prefetch, alias);
      return;
    }
  }
}

/**
 * Loads the requested relations into the instances' caches: one query per relation level (batched
 * under the parameter limit). `'books__tags'` loads `books` first when it is not loaded yet.
 */
export async function prefetch(instances: readonly object[], meta: ModelMeta, specs: readonly PrefetchSpec[], alias: string): Promise<void> {
  if (instances.length === 0) return;
  for (const spec of specs) {
    const parts = spec.path.split('__');
    let level: object[] = [...instances];
    let current = meta;
    for (let i = 0; i < parts.length && level.length > 0; i++) {
      const relation = current.findRelation(parts[i])!;
      const last = i === parts.length - 1;
      const missing = level.filter((p) => !isCached(p, relation) || (last && spec.queryset !== undefined));
      if (missing.length > 0) await fetchLevel(missing, relation, last ? (spec.queryset as LevelQuery | undefined) : undefined, alias);
      const next: object[] = [];
      for (const p of level) {
        const value = relatedCache(p)[relation.name];
        if (Array.isArray(value)) next.push(...(value as object[]));
        else if (value !== null && value !== undefined) next.push(value as object);
      }
      level = next;
      current = relation.target;
    }
  }
}
