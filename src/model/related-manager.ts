import { FieldError, OxenError } from '../errors/index.js';
import { noteLazyLoad } from '../engine/index.js';
import { RELATED, noteRead, type Relation } from '../metadata/index.js';
import { QuerySet, type CreateInput, type FilterArg, type OrderKey } from '../query/queryset/index.js';
import { bulkCreate, buildInstance, isPersisted, saveInstance } from '../persistence/index.js';

type Row = Record<string | symbol, unknown>;

/**
 * The manager behind a to-many accessor: `author.books` (reverse foreign key) and `book.tags`
 * (many-to-many, either side). QuerySet-compatible; after `prefetchRelated`, `all()` is served from
 * the prefetched rows without a query.
 *
 * @example
 * ```ts
 * await author.books.all();
 * await author.books.filter({ title__startswith: 'A' }).count();
 * await author.books.create({ title: 'New' });
 * await book.tags.add(t1, t2); await book.tags.remove(t1); await book.tags.set([t3]); await book.tags.clear();
 * ```
 */
export class RelatedManager<T extends object> {
  readonly #instance: object;
  readonly #relation: Relation;

  /** @internal Managers are created by the relation accessors. */
  constructor(instance: object, relation: Relation) {
    this.#instance = instance;
    this.#relation = relation;
  }

  #pk(): unknown {
    const pk = (this.#instance as Row)[this.#relation.model.pk.attname];
    if (pk === undefined || pk === null || !isPersisted(this.#instance)) {
      throw new OxenError(`${this.#relation.model.name}.${this.#relation.name}: save the ${this.#relation.model.name} before using its related objects`, { model: this.#relation.model.name });
    }
    return pk;
  }

  /** The other side's relation of a many-to-many (to filter the target by this instance). */
  #reverseName(): string {
    const r = this.#relation;
    for (const candidate of r.target.relations.values()) {
      if (candidate.through?.meta === r.through?.meta && candidate.through?.source === r.through?.target && candidate.target === r.model) return candidate.name;
    }
    throw new FieldError(`${r.model.name}.${r.name}: the reverse side of the relation is missing`, { model: r.model.name });
  }

  #base(): QuerySet<T> {
    const r = this.#relation;
    const qs = QuerySet.of<T>(r.target);
    if (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') return qs.filter({ [r.fk!.attname]: this.#pk() } as never);
    return qs.filter({ [this.#reverseName()]: this.#pk() } as never);
  }

  #forget(): void {
    const cache = (this.#instance as Row)[RELATED] as Record<string, unknown> | undefined;
    if (cache !== undefined) delete cache[this.#relation.name];
  }

  /** Every related object (from the prefetch cache when there is one). */
  all(): QuerySet<T> {
    const cache = (this.#instance as Row)[RELATED] as Record<string, unknown> | undefined;
    const cached = cache?.[this.#relation.name];
    if (Array.isArray(cached)) {
      noteRead(this.#instance, this.#relation.name);
      return this.#base().withResultCache(cached as object[]);
    }
    return this.#lazy();
  }

  /** A query for this instance alone: what the N+1 detector watches. */
  #lazy(): QuerySet<T> {
    noteLazyLoad(this.#instance, this.#relation.name);
    return this.#base();
  }

  /** Related objects matching the conditions. */
  filter(...conditions: FilterArg<T>[]): QuerySet<T> {
    return this.#lazy().filter(...conditions);
  }

  /** Related objects not matching the conditions. */
  exclude(...conditions: FilterArg<T>[]): QuerySet<T> {
    return this.#lazy().exclude(...conditions);
  }

  /** Related objects, ordered. */
  orderBy(...terms: OrderKey<T>[]): QuerySet<T> {
    return this.#lazy().orderBy(...terms);
  }

  /** How many related objects there are. */
  count(): Promise<number> {
    return this.all().count();
  }

  /** True when there is at least one related object. */
  exists(): Promise<boolean> {
    return this.all().exists();
  }

  /** PromiseLike: `await author.books` is `await author.books.all()`. */
  then<A = T[], B = never>(onfulfilled?: ((value: T[]) => A | PromiseLike<A>) | null, onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }

  /** Creates a related object (a reverse foreign key is set; a many-to-many target is created then linked). */
  async create(data: CreateInput<T> = {} as CreateInput<T>): Promise<T> {
    const r = this.#relation;
    const cls = r.target.cls as unknown as new () => T;
    this.#forget();
    if (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') {
      const instance = buildInstance(cls, { ...data, [r.fk!.attname]: this.#pk() });
      await saveInstance(instance, { forceInsert: true });
      return instance;
    }
    const instance = buildInstance(cls, data);
    await saveInstance(instance, { forceInsert: true });
    await this.add(instance);
    return instance;
  }

  #ids(objects: readonly (T | unknown)[]): unknown[] {
    const target = this.#relation.target;
    return objects.map((o) => {
      if (o instanceof (target.cls as unknown as new () => object)) {
        if (!isPersisted(o)) throw new OxenError(`${target.name} must be saved before it can be related`, { model: target.name });
        return (o as Row)[target.pk.attname];
      }
      if (o !== null && typeof o === 'object') throw new FieldError(`${this.#relation.model.name}.${this.#relation.name} takes ${target.name} instances or keys`, { model: target.name });
      return o;
    });
  }

  /** Relates the given objects (instances or primary keys). */
  async add(...objects: (T | unknown)[]): Promise<void> {
    const r = this.#relation;
    const ids = this.#ids(objects);
    if (ids.length === 0) return;
    this.#forget();
    if (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') {
      await QuerySet.of(r.target).filter({ pk__in: ids } as never).update({ [r.fk!.attname]: this.#pk() } as never);
      for (const o of objects) if (o instanceof (r.target.cls as unknown as new () => object)) (o as Row)[r.fk!.attname] = this.#pk();
      return;
    }
    const through = r.through!;
    const pk = this.#pk();
    const existing = new Set(
      (await QuerySet.of(through.meta).filter({ [through.source.attname]: pk, [`${through.target.attname}__in`]: ids } as never).valuesList(through.target.attname as never, { flat: true })) as unknown[],
    );
    const missing = [...new Set(ids)].filter((id) => !existing.has(id));
    if (missing.length === 0) return;
    await bulkCreate(through.meta.cls as unknown as new () => object, through.meta, missing.map((id) => ({ [through.source.attname]: pk, [through.target.attname]: id })));
  }

  /** Unrelates the given objects (a reverse foreign key must be nullable). */
  async remove(...objects: (T | unknown)[]): Promise<void> {
    const r = this.#relation;
    const ids = this.#ids(objects);
    if (ids.length === 0) return;
    this.#forget();
    if (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') {
      if (!r.fk!.nullable) throw new FieldError(`${r.model.name}.${r.name}.remove(): ${r.target.name}.${r.fk!.name} is not nullable; delete the objects or assign them elsewhere`, { model: r.target.name });
      await QuerySet.of(r.target).filter({ pk__in: ids, [r.fk!.attname]: this.#pk() } as never).update({ [r.fk!.attname]: null } as never);
      return;
    }
    const through = r.through!;
    await QuerySet.of(through.meta).filter({ [through.source.attname]: this.#pk(), [`${through.target.attname}__in`]: ids } as never).delete();
  }

  /** Unrelates everything (a reverse foreign key must be nullable). */
  async clear(): Promise<void> {
    const r = this.#relation;
    this.#forget();
    if (r.kind === 'reverse_fk' || r.kind === 'reverse_o2o') {
      if (!r.fk!.nullable) throw new FieldError(`${r.model.name}.${r.name}.clear(): ${r.target.name}.${r.fk!.name} is not nullable`, { model: r.target.name });
      await QuerySet.of(r.target).filter({ [r.fk!.attname]: this.#pk() } as never).update({ [r.fk!.attname]: null } as never);
      return;
    }
    const through = r.through!;
    await QuerySet.of(through.meta).filter({ [through.source.attname]: this.#pk() } as never).delete();
  }

  /** Makes the related set exactly `objects`; `set([])` clears. */
  async set(objects: readonly (T | unknown)[]): Promise<void> {
    const ids = this.#ids(objects);
    this.#forget();
    const current = (await this.#base().valuesList('pk' as never, { flat: true })) as unknown[];
    const wanted = new Set(ids);
    const extra = current.filter((id) => !wanted.has(id));
    if (extra.length > 0) await this.remove(...extra);
    const have = new Set(current);
    const missing = ids.filter((id) => !have.has(id));
    if (missing.length > 0) await this.add(...missing);
  }
}

/** Builds managers for the relation accessors. @internal */
export function createManager(instance: object, relation: Relation): unknown {
  return new RelatedManager(instance, relation);
}

