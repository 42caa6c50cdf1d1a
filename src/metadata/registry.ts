import { ConfigurationError, DoesNotExist, MultipleObjectsReturned } from '../errors/index.js';
import type { ModelClassLike, ModelMeta } from './model-meta.js';
import { resolveRelations } from './relations.js';

/** A registered model class: the class itself, carrying its metadata as `.meta`. */
export type RegisteredModel = ModelClassLike & { readonly meta: ModelMeta; readonly name: string };

const byClass = new WeakMap<object, ModelMeta>();
const all: ModelMeta[] = [];
const byTable = new Map<string, ModelMeta>();
let pending: ModelMeta[] = [];

/** Resolves lazy relation targets that have become available (cheap when nothing is pending). */
function finalize(): void {
  // Resolving can register join tables, which are resolved in the next round.
  while (pending.length > 0) {
    const current = pending;
    pending = [];
    const unresolved = resolveRelations(current, (cls) => byClass.get(cls), (meta) => registerMeta(meta));
    const progressed = unresolved.length < current.length || pending.length > 0;
    pending.push(...unresolved);
    if (!progressed) return;
  }
}

function registerMeta(meta: ModelMeta): void {
  if (!meta.abstract && !meta.historical) {
    const existing = byTable.get(meta.table);
    if (existing !== undefined && existing.cls !== meta.cls) {
      throw new ConfigurationError(
        `Table '${meta.table}' is already used by model ${existing.name}; give ${meta.name} another table with @model({ table: '...' })`,
      );
    }
    byTable.set(meta.table, meta);
  }
  byClass.set(meta.cls, meta);
  all.push(meta);
  attachModelErrors(meta.cls, meta.name);
  if (!meta.abstract && (meta.manyToMany.length > 0 || meta.fields.some((f) => (f as { isRelation?: boolean }).isRelation === true))) pending.push(meta);
}

/**
 * The metadata registry: every model class decorated with `@model()` is registered here.
 *
 * @example
 * ```ts
 * import { registry } from 'oxen-orm';
 * for (const cls of registry.models()) console.log(cls.name, cls.meta.table);
 * for (const meta of registry.metas()) console.log(meta.name, meta.fieldNames);
 * ```
 */
export const registry = {
  /** Every concrete (non-abstract) model class, in registration order, each with its `.meta` (as Django's `apps.get_models()`). */
  models(): readonly RegisteredModel[] {
    finalize();
    return all.filter((m) => !m.abstract && !m.historical).map((m) => m.cls as RegisteredModel);
  },
  /** The metadata of every concrete (non-abstract) model, in registration order. */
  metas(): readonly ModelMeta[] {
    finalize();
    return all.filter((m) => !m.abstract && !m.historical);
  },
  /** The metadata of a model class, or undefined when the class is not a registered model. */
  find(cls: object): ModelMeta | undefined {
    finalize();
    return byClass.get(cls);
  },
  /** The metadata of a model class; a {@link ConfigurationError} when the class lacks `@model()`. */
  get(cls: object): ModelMeta {
    finalize();
    const meta = byClass.get(cls);
    if (meta === undefined) {
      const name = (cls as { name?: string }).name ?? 'this class';
      throw new ConfigurationError(`${name} is not a registered model: decorate it with @model() (import { model } from 'oxen-orm')`);
    }
    return meta;
  },
  /** The model registered for a table name, if any. */
  byTable(table: string): ModelMeta | undefined {
    finalize();
    return byTable.get(table);
  },
  /** Registers a model (called by `@model()`). */
  register(meta: ModelMeta): void {
    registerMeta(meta);
  },
  /** Resolves pending relations now. */
  finalize(): void {
    finalize();
  },
  /** Forgets a model (for tests that define throw-away models). */
  unregister(cls: object): void {
    const meta = byClass.get(cls);
    if (meta === undefined) return;
    byClass.delete(cls);
    all.splice(all.indexOf(meta), 1);
    pending = pending.filter((m) => m !== meta);
    if (byTable.get(meta.table) === meta) byTable.delete(meta.table);
  },
};

/** Gives each model its own `DoesNotExist` and `MultipleObjectsReturned` subclasses. */
function attachModelErrors(cls: ModelClassLike, name: string): void {
  const notFound = class extends DoesNotExist {};
  Object.defineProperty(notFound, 'name', { value: 'DoesNotExist' });
  Object.defineProperty(notFound, 'modelName', { value: name });
  const multiple = class extends MultipleObjectsReturned {};
  Object.defineProperty(multiple, 'name', { value: 'MultipleObjectsReturned' });
  Object.defineProperty(cls, 'DoesNotExist', { value: notFound, configurable: true });
  Object.defineProperty(cls, 'MultipleObjectsReturned', { value: multiple, configurable: true });
}
