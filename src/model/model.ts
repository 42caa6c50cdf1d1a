import { CompiledQuery } from 'kysely';
import { assertBindable } from '../dialects/index.js';
import { FieldError, type DoesNotExist, type MultipleObjectsReturned } from '../errors/index.js';
import { getConnection, noteLazyLoad } from '../engine/index.js';
import { NO_SIBLINGS, SIBLINGS, registry, type ModelMeta } from '../metadata/index.js';
import { LOADED_FROM, planFor } from '../query/hydrate/index.js';
import type { Aggregate } from '../query/filter/index.js';
import { QuerySet, isCached, parsePrefetch, prefetch, type CreateInput, type FilterArg, type FilterOf, type OrderKey, type Page, type UpdateInput, type ValueKey, type ValuesRow, type DefaultValueKey, type FieldNames, type ManyRelationNames, type AnnotationsOf, type NoFieldClash } from '../query/queryset/index.js';
import {
  buildInstance,
  bulkCreate,
  bulkUpdate,
  deleteInstance,
  getOrCreate,
  isPersisted,
  refreshInstance,
  saveInstance,
  updateOrCreate,
  validateInstance,
  type BulkCreateOptions,
  type BulkUpdateOptions,
  type DeleteOptions,
  type SaveOptions,
} from '../persistence/index.js';

/** A concrete model class, as static methods see `this`. */
export interface ModelStatic<M extends Model> {
  new (): M;
  readonly meta: ModelMeta;
  readonly name: string;
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  return value;
}

/**
 * The base class of every model. Subclass it, decorate the class with `@model()` and its properties
 * with field decorators; the static methods query, the instance methods save and delete.
 *
 * @example
 * ```ts
 * @model({ table: 'authors' })
 * class Author extends Model {
 *   @CharField({ maxLength: 100 }) name!: string;
 *   @IntField({ default: 0, min: 0 }) age!: number;
 * }
 * const ann = await Author.create({ name: 'Ann' });
 * const adults = await Author.filter({ age__gte: 18 }).orderBy('name');
 * ```
 */
export abstract class Model {
  /** Thrown by `get()` when no row matches; each model has its own subclass. */
  declare static readonly DoesNotExist: typeof DoesNotExist;
  /** Thrown by `get()` when several rows match; each model has its own subclass. */
  declare static readonly MultipleObjectsReturned: typeof MultipleObjectsReturned;

  constructor() {
    // The N+1 detector's slot, present on every instance (see NO_SIBLINGS).
    (this as unknown as Record<symbol, unknown>)[SIBLINGS] = NO_SIBLINGS;
  }

  /** The model's metadata (table, fields, primary key, options). */
  static get meta(): ModelMeta {
    return registry.get(this);
  }

  /** A QuerySet of every row. */
  static all<M extends Model>(this: ModelStatic<M>): QuerySet<M> {
    return QuerySet.of<M>(this.meta);
  }

  /** Rows matching the conditions. */
  static filter<M extends Model>(this: ModelStatic<M>, ...conditions: NoInfer<FilterArg<M>>[]): QuerySet<M> {
    return QuerySet.of<M>(this.meta).filter(...conditions);
  }

  /** Rows not matching the conditions (NULLs kept, as in Django). */
  static exclude<M extends Model>(this: ModelStatic<M>, ...conditions: NoInfer<FilterArg<M>>[]): QuerySet<M> {
    return QuerySet.of<M>(this.meta).exclude(...conditions);
  }

  /** Every row, ordered. */
  static orderBy<M extends Model>(this: ModelStatic<M>, ...terms: OrderKey<M>[]): QuerySet<M> {
    return QuerySet.of<M>(this.meta).orderBy(...terms);
  }

  /** A QuerySet on another connection alias. */
  static using<M extends Model>(this: ModelStatic<M>, alias: string): QuerySet<M> {
    return QuerySet.of<M>(this.meta).using(alias);
  }

  /** The single matching row; `Model.DoesNotExist` / `Model.MultipleObjectsReturned` otherwise. */
  static get<M extends Model>(this: ModelStatic<M>, ...conditions: NoInfer<FilterArg<M>>[]): Promise<M> {
    return QuerySet.of<M>(this.meta).get(...conditions);
  }

  /** The single matching row, or null. */
  static getOrNull<M extends Model>(this: ModelStatic<M>, ...conditions: NoInfer<FilterArg<M>>[]): Promise<M | null> {
    return QuerySet.of<M>(this.meta).getOrNull(...conditions);
  }

  /** The first row (by the default ordering, else primary key), or null. */
  static first<M extends Model>(this: ModelStatic<M>): Promise<M | null> {
    return QuerySet.of<M>(this.meta).first();
  }

  /** The last row, or null. */
  static last<M extends Model>(this: ModelStatic<M>): Promise<M | null> {
    return QuerySet.of<M>(this.meta).last();
  }

  /** How many rows there are. */
  static count<M extends Model>(this: ModelStatic<M>): Promise<number> {
    return QuerySet.of<M>(this.meta).count();
  }

  /** True when the table has a row. */
  static exists<M extends Model>(this: ModelStatic<M>): Promise<boolean> {
    return QuerySet.of<M>(this.meta).exists();
  }

  /** Plain objects of the given fields for every row. */
  static values<M extends Model>(this: ModelStatic<M>): QuerySet<M, ValuesRow<M, DefaultValueKey<M>>>;
  static values<M extends Model, K extends ValueKey<M>>(this: ModelStatic<M>, ...fields: K[]): QuerySet<M, ValuesRow<M, K>>;
  static values<M extends Model>(this: ModelStatic<M>, ...fields: string[]): QuerySet<M, unknown> {
    return QuerySet.of<M>(this.meta).values(...(fields as ValueKey<M>[]));
  }

  /** Instances by primary key. */
  static inBulk<M extends Model>(this: ModelStatic<M>, ids: readonly unknown[]): Promise<Map<unknown, M>> {
    return QuerySet.of<M>(this.meta).inBulk(ids);
  }

  /** One page of rows. */
  static paginate<M extends Model>(this: ModelStatic<M>, options: { page: number; pageSize: number }): Promise<Page<M>> {
    return QuerySet.of<M>(this.meta).paginate(options);
  }

  /** Aggregates over every row: `await Author.aggregate({ avgAge: Avg('age'), n: Count('id') })`. */
  static aggregate<M extends Model, K extends string>(this: ModelStatic<M>, spec: Record<K, Aggregate<unknown>>): Promise<Record<K, unknown>> {
    return QuerySet.of<M>(this.meta).aggregate(spec);
  }

  /** Every row with aggregates added (see `QuerySet.annotate`). */
  static annotate<M extends Model, S extends Record<string, Aggregate<unknown>>>(this: ModelStatic<M>, spec: S & NoFieldClash<M, S>): QuerySet<M & AnnotationsOf<S>> {
    return QuerySet.of<M>(this.meta).annotate<S>(spec as never);
  }

  /** UPDATE of every row (no signals). */
  static update<M extends Model>(this: ModelStatic<M>, values: UpdateInput<M>): Promise<number> {
    return QuerySet.of<M>(this.meta).update(values);
  }

  /** An unsaved instance with defaults applied, then `data`. */
  static build<M extends Model>(this: ModelStatic<M>, data?: CreateInput<M>): M {
    return buildInstance(this, data);
  }

  /** Validates, sends signals and INSERTs a new row; resolves to the saved instance. */
  static async create<M extends Model>(this: ModelStatic<M>, data?: CreateInput<M>, options: Omit<SaveOptions, 'updateFields' | 'forceInsert'> = {}): Promise<M> {
    const instance = buildInstance(this, data);
    await saveInstance(instance, { ...options, forceInsert: true });
    return instance;
  }

  /**
   * INSERTs many rows in batches (plain objects or built instances), validated first, all or nothing;
   * no per-instance signals. `ignoreConflicts` skips duplicates; `updateConflicts` upserts.
   *
   * @example
   * ```ts
   * await Author.bulkCreate(rows, { batchSize: 1000 });
   * await Author.bulkCreate(rows, { updateConflicts: { fields: ['name'], uniqueFields: ['email'] } });
   * ```
   */
  static bulkCreate<M extends Model>(this: ModelStatic<M>, rows: readonly NoInfer<M | CreateInput<M>>[], options?: BulkCreateOptions): Promise<M[]> {
    return bulkCreate<M>(this, this.meta, rows as readonly (M | object)[], options);
  }

  /** UPDATEs `fields` of many saved instances with one statement per batch; no signals. Resolves to rows updated. */
  static bulkUpdate<M extends Model>(this: ModelStatic<M>, instances: readonly NoInfer<M>[], fields: readonly NoInfer<Exclude<FieldNames<M>, ManyRelationNames<M>>>[], options?: BulkUpdateOptions): Promise<number> {
    return bulkUpdate(this.meta, instances, fields, options);
  }

  /** `[instance, created]`: the row matching `lookup`, or a new one from the lookup and `defaults` (race-safe on unique fields). */
  static getOrCreate<M extends Model>(this: ModelStatic<M>, lookup: FilterOf<M>, defaults?: CreateInput<M>): Promise<[M, boolean]> {
    return getOrCreate(this, QuerySet.of<M>(this.meta), lookup, defaults);
  }

  /** `[instance, created]`: the row matching `lookup` updated with `defaults` (locked while updating), or a new one. */
  static updateOrCreate<M extends Model>(this: ModelStatic<M>, lookup: FilterOf<M>, defaults?: CreateInput<M>): Promise<[M, boolean]> {
    return updateOrCreate(this, QuerySet.of<M>(this.meta), lookup, defaults);
  }

  /**
   * Runs hand-written SQL and hydrates the rows into instances. `?` placeholders work on every dialect
   * and parameters are always bound, never interpolated; a `?` inside a string literal, a quoted
   * identifier or a comment is not a placeholder, and `??` is a literal `?` (PostgreSQL's JSON key
   * operator). Parameters must be strings, numbers, bigints, booleans, null, Dates or Buffers (a
   * FieldError otherwise: an object or array is never turned into SQL).
   *
   * @example
   * ```ts
   * const older = await Author.raw('SELECT * FROM authors WHERE age > ?', [30]);
   * ```
   */
  static async raw<M extends Model>(this: ModelStatic<M>, text: string, parameters: readonly unknown[] = [], options: { using?: string } = {}): Promise<M[]> {
    if (typeof text !== 'string' || text.trim() === '') throw new FieldError('raw() takes an SQL string');
    if (!Array.isArray(parameters)) throw new FieldError('raw() takes its parameters as an array');
    parameters.forEach(assertBindable);
    const meta = this.meta;
    const connection = getConnection(options.using ?? meta.connection ?? 'default');
    const plan = planFor(connection.driver, meta);
    const result = await connection.execute<Record<string, unknown>>(CompiledQuery.raw(connection.driver.sql.placeholders(text), [...parameters]));
    return result.rows.map((row) => plan.hydrate(row, connection.alias) as M);
  }

  /** The primary key's value. */
  get pk(): unknown {
    return (this as unknown as Record<string, unknown>)[registry.get(this.constructor).pk.attname];
  }

  set pk(value: unknown) {
    (this as unknown as Record<string, unknown>)[registry.get(this.constructor).pk.attname] = value;
  }

  /** True once the instance is stored in the database. */
  get isSaved(): boolean {
    return isPersisted(this);
  }

  /** INSERT when new, else UPDATE (all fields, or `updateFields`). Validates first unless `validate: false`. */
  async save(options: SaveOptions = {}): Promise<this> {
    await saveInstance(this, options);
    return this;
  }

  /** DELETE this row (with preDelete/postDelete). Resolves to the number of rows deleted. */
  async delete(options: DeleteOptions = {}): Promise<number> {
    return deleteInstance(this, options);
  }

  /** Reloads the fields (all, or the named ones) from the database. */
  async refreshFromDb(fields?: readonly string[]): Promise<this> {
    await refreshInstance(this, fields);
    return this;
  }

  /**
   * Loads relations of this instance (one query per level): afterwards `book.author` and
   * `author.books.all()` need no query.
   *
   * @example
   * ```ts
   * await book.load('author');
   * book.author.name;
   * ```
   */
  async load(...paths: string[]): Promise<this> {
    const meta = registry.get(this.constructor);
    const alias = (this as unknown as Record<symbol, string | undefined>)[LOADED_FROM] ?? meta.connection ?? 'default';
    const specs = paths.map((p) => parsePrefetch(meta, p));
    for (const spec of specs) {
      const relation = meta.findRelation(spec.path.split('__')[0])!;
      if (!isCached(this, relation)) noteLazyLoad(this, relation.name);
    }
    await prefetch([this], meta, specs, alias);
    return this;
  }

  /** Runs field rules and class-validator decorators; throws ValidationError. */
  async validate(): Promise<void> {
    await validateInstance(this, registry.get(this.constructor));
  }

  /**
   * The field values as a JSON-safe object: bigints become strings, Buffers base64 strings, Dates stay
   * Dates (JSON.stringify writes them as ISO strings).
   */
  toJSON(): Record<string, unknown> {
    const meta = registry.get(this.constructor);
    const out: Record<string, unknown> = {};
    const record = this as unknown as Record<string, unknown>;
    for (const field of meta.fields) out[field.attname] = jsonSafe(record[field.attname]);
    return out;
  }
}

