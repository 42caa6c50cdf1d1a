import { ConfigurationError, DoesNotExist, MultipleObjectsReturned } from '../errors/index.js';
import type { ModelClassLike, ModelMeta } from './model-meta.js';

const byClass = new WeakMap<object, ModelMeta>();
const all: ModelMeta[] = [];
const byTable = new Map<string, ModelMeta>();

/**
 * The metadata registry: every model class decorated with `@model()` is registered here.
 *
 * @example
 * ```ts
 * import { registry } from 'oxen-orm';
 * for (const meta of registry.models()) console.log(meta.name, meta.table);
 * ```
 */
export const registry = {
  /** Every concrete (non-abstract) model, in registration order. */
  models(): readonly ModelMeta[] {
    return all.filter((m) => !m.abstract);
  },
  /** The metadata of a model class, or undefined when the class is not a registered model. */
  find(cls: object): ModelMeta | undefined {
    return byClass.get(cls);
  },
  /** The metadata of a model class; a {@link ConfigurationError} when the class lacks `@model()`. */
  get(cls: object): ModelMeta {
    const meta = byClass.get(cls);
    if (meta === undefined) {
      const name = (cls as { name?: string }).name ?? 'this class';
      throw new ConfigurationError(`${name} is not a registered model: decorate it with @model() (import { model } from 'oxen-orm')`);
    }
    return meta;
  },
  /** The model registered for a table name, if any. */
  byTable(table: string): ModelMeta | undefined {
    return byTable.get(table);
  },
  /** Registers a model (called by `@model()`). */
  register(meta: ModelMeta): void {
    if (!meta.abstract) {
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
  },
  /** Forgets a model (for tests that define throw-away models). */
  unregister(cls: object): void {
    const meta = byClass.get(cls);
    if (meta === undefined) return;
    byClass.delete(cls);
    all.splice(all.indexOf(meta), 1);
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
