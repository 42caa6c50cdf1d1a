import { ConfigurationError, RelationNotLoadedError, ValidationError } from '../errors/index.js';
import { ForeignKeyDef, type Field, type ManyToManyDef, type ModelThunk } from '../fields/index.js';
import { snakeCase } from '../utils/index.js';
import { ModelMeta, type ModelClassLike, type Relation } from './model-meta.js';

/** Per-instance cache of loaded related objects (forward relations and prefetched lists). */
export const RELATED = Symbol('oxen:related');

/** The N+1 detector's record of the result set an instance was loaded in (set by the engine). */
export const SIBLINGS = Symbol('oxen:siblings');

/** What relation accessors tell the N+1 detector: a loaded relation was read. */
export interface RelationReads {
  read(relation: string): void;
}

class NoSiblings implements RelationReads {
  read(): void {}
}

/**
 * What every instance holds under `SIBLINGS` until a multi-row query marks it. It has no own
 * properties, like the engine's sibling sets (all private state), so instances compare equal with
 * `toEqual` whether or not the detector marked them.
 */
export const NO_SIBLINGS: RelationReads = Object.freeze(new NoSiblings());

/** Tells the instance's sibling set (if any) that a loaded relation was read. */
export function noteRead(instance: object, relation: string): void {
  (instance as Record<symbol, RelationReads | undefined>)[SIBLINGS]?.read(relation);
}

/** Creates the manager object behind a to-many accessor (installed by the model layer). */
export type ManagerFactory = (instance: object, relation: Relation) => unknown;

let managerFactory: ManagerFactory | undefined;

/** Sets how to-many accessors build their managers. Called once by the model layer. */
export function setManagerFactory(factory: ManagerFactory): void {
  managerFactory = factory;
}

/** The related-object cache of an instance (created on first use). */
export function relatedCache(instance: object): Record<string, unknown> {
  const record = instance as Record<symbol, Record<string, unknown> | undefined>;
  let cache = record[RELATED];
  if (cache === undefined) {
    cache = {};
    Object.defineProperty(instance, RELATED, { value: cache, enumerable: false, writable: true, configurable: true });
  }
  return cache;
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

function tryResolve(thunk: ModelThunk): ModelClassLike | undefined {
  try {
    return thunk() ?? undefined;
  } catch {
    return undefined;
  }
}

/** Installs the `author` accessor of a foreign key: the loaded instance, or RelationNotLoadedError. */
export function installForwardAccessor(meta: ModelMeta, fk: ForeignKeyDef, resolveTarget: () => ModelMeta | undefined): void {
  const { name, attname } = fk;
  Object.defineProperty(meta.cls.prototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Record<string, unknown>) {
      const id = this[attname];
      const cache = (this as unknown as Record<symbol, Record<string, unknown> | undefined>)[RELATED];
      if (cache !== undefined && Object.prototype.hasOwnProperty.call(cache, name)) {
        const cached = cache[name] as Record<string, unknown> | null;
        const target = resolveTarget();
        if (cached === null ? id === null || id === undefined : target !== undefined && cached[target.pk.attname] === id) {
          noteRead(this, name);
          return cached;
        }
      }
      if (id === null || id === undefined) return null;
      throw new RelationNotLoadedError(
        `${meta.name}.${name} is not loaded: use ${meta.name}.filter(...).selectRelated('${name}') or prefetchRelated('${name}'), or await instance.load('${name}'). ${meta.name}.${attname} (${String(id)}) is always set.`,
        { model: meta.name, field: name },
      );
    },
    set(this: Record<string, unknown>, value: unknown) {
      const cache = relatedCache(this);
      if (value === null || value === undefined) {
        this[attname] = null;
        cache[name] = null;
        return;
      }
      const target = resolveTarget();
      if (target === undefined || !(value instanceof (target.cls as unknown as new () => object))) {
        const got = value !== null && typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
        throw ValidationError.of(meta.name, { [name]: [`must be a ${target?.name ?? 'related'} instance, got ${got} (to set the key alone, assign ${attname})`] });
      }
      this[attname] = (value as Record<string, unknown>)[target.pk.attname];
      cache[name] = value;
    },
  });
}

function installManagerAccessor(relation: Relation): void {
  Object.defineProperty(relation.model.cls.prototype, relation.name, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      if (managerFactory === undefined) throw new ConfigurationError('Relation managers are not available: import the package root (oxen-orm)');
      return managerFactory(this, relation);
    },
  });
}

function installReverseOneAccessor(relation: Relation): void {
  Object.defineProperty(relation.model.cls.prototype, relation.name, {
    configurable: true,
    enumerable: false,
    get(this: object) {
      const cache = (this as Record<symbol, Record<string, unknown> | undefined>)[RELATED];
      if (cache !== undefined && Object.prototype.hasOwnProperty.call(cache, relation.name)) {
        noteRead(this, relation.name);
        return cache[relation.name];
      }
      throw new RelationNotLoadedError(
        `${relation.model.name}.${relation.name} is not loaded: use selectRelated('${relation.name}') or prefetchRelated('${relation.name}'), or await instance.load('${relation.name}')`,
        { model: relation.model.name, field: relation.name },
      );
    },
  });
}

function addRelation(meta: ModelMeta, relation: Relation): void {
  if (meta.fieldMap.has(relation.name) && relation.kind !== 'fk' && relation.kind !== 'o2o') {
    throw new ConfigurationError(`${meta.name} already has a field '${relation.name}'; give the relation from ${relation.target.name} another relatedName`);
  }
  const existing = meta.relations.get(relation.name);
  // Any other relation under the same name clashes, also one of the same kind to the same model (two
  // ForeignKeys from Book to Author both defaulting to `bookSet`).
  if (existing !== undefined && (existing.target !== relation.target || existing.kind !== relation.kind || existing.fk !== relation.fk || existing.through?.meta !== relation.through?.meta)) {
    throw new ConfigurationError(`${meta.name} already has a relation '${relation.name}'; give the relation from ${relation.target.name} another relatedName`);
  }
  meta.relations.set(relation.name, relation);
}

/** Builds the join table of a ManyToMany declared without `through`. */
function autoThrough(meta: ModelMeta, m2m: ManyToManyDef, target: ModelMeta, register: (through: ModelMeta) => void): { meta: ModelMeta; source: ForeignKeyDef; target: ForeignKeyDef } {
  const self = target === meta;
  const sourceName = self ? `from${meta.name}` : lowerFirst(meta.name);
  const targetName = self ? `to${target.name}` : lowerFirst(target.name);
  const table = m2m.options.table ?? `${meta.table}_${snakeCase(m2m.name)}`;
  const className = `${meta.name}${m2m.name.charAt(0).toUpperCase()}${m2m.name.slice(1)}Through`;
  const cls = { [className]: class {} }[className];
  const source = new ForeignKeyDef(() => meta.cls, { onDelete: 'CASCADE', relatedName: `${m2m.name}Through` });
  const other = new ForeignKeyDef(() => target.cls, { onDelete: 'CASCADE', relatedName: `${m2m.name}ThroughReverse` });
  source.attach(className, sourceName);
  other.attach(className, targetName);
  source.resolve(meta.pk);
  other.resolve(target.pk);
  const { IntFieldDef } = fieldClasses;
  const id = new IntFieldDef();
  id.autoIncrement = true;
  id.attach(className, 'id');
  const through = new ModelMeta({
    cls,
    name: className,
    table,
    options: { uniqueTogether: [[source.name, other.name]] },
    fields: [id, source, other],
    hooks: { preSave: [], postSave: [], preDelete: [], postDelete: [] },
    autoCreated: true,
  });
  register(through);
  return { meta: through, source, target: other };
}

/** Field classes needed at finalize time (set by decorators.ts to avoid an import cycle). */
export const fieldClasses: { IntFieldDef: new () => Field & { autoIncrement: boolean } } = { IntFieldDef: undefined as never };

/**
 * Resolves what can be resolved: foreign-key targets, reverse relations, many-to-many join tables.
 * Returns the metas still waiting for a target class that is not defined yet.
 */
export function resolveRelations(pending: readonly ModelMeta[], lookup: (cls: object) => ModelMeta | undefined, register: (meta: ModelMeta) => void): ModelMeta[] {
  const stillPending: ModelMeta[] = [];
  for (const meta of pending) {
    let complete = true;
    for (const field of meta.fields) {
      if (!(field instanceof ForeignKeyDef) || meta.relations.has(field.name)) continue;
      const cls = tryResolve(field.target);
      const target = cls === undefined ? undefined : lookup(cls);
      if (target === undefined) {
        complete = false;
        continue;
      }
      field.resolve(target.pk);
      addRelation(meta, { name: field.name, kind: field.oneToOne ? 'o2o' : 'fk', model: meta, target, many: false, fk: field });
      const reverseName = field.relatedName ?? (field.oneToOne ? lowerFirst(meta.name) : `${lowerFirst(meta.name)}Set`);
      if (!meta.autoCreated) {
        const reverse: Relation = { name: reverseName, kind: field.oneToOne ? 'reverse_o2o' : 'reverse_fk', model: target, target: meta, many: !field.oneToOne, fk: field };
        addRelation(target, reverse);
        if (reverse.many) installManagerAccessor(reverse);
        else installReverseOneAccessor(reverse);
      }
    }
    for (const m2m of meta.manyToMany) {
      if (meta.relations.has(m2m.name)) continue;
      const cls = tryResolve(m2m.target);
      const target = cls === undefined ? undefined : lookup(cls);
      let through: { meta: ModelMeta; source: ForeignKeyDef; target: ForeignKeyDef } | undefined;
      if (target !== undefined && m2m.options.through !== undefined) {
        const throughCls = tryResolve(m2m.options.through);
        const throughMeta = throughCls === undefined ? undefined : lookup(throughCls);
        if (throughMeta !== undefined) {
          const fks = throughMeta.fields.filter((f): f is ForeignKeyDef => f instanceof ForeignKeyDef);
          const toSource = fks.find((f) => tryResolve(f.target) === meta.cls);
          const toTarget = fks.find((f) => f !== toSource && tryResolve(f.target) === target.cls);
          if (toSource === undefined || toTarget === undefined) {
            throw new ConfigurationError(`${throughMeta.name} (through of ${meta.name}.${m2m.name}) needs a ForeignKey to ${meta.name} and one to ${target.name}`);
          }
          through = { meta: throughMeta, source: toSource, target: toTarget };
        }
      } else if (target !== undefined) {
        through = autoThrough(meta, m2m, target, register);
      }
      if (target === undefined || through === undefined) {
        complete = false;
        continue;
      }
      const forward: Relation = { name: m2m.name, kind: 'm2m', model: meta, target, many: true, through };
      addRelation(meta, forward);
      installManagerAccessor(forward);
      const reverseName = m2m.options.relatedName ?? `${lowerFirst(meta.name)}Set`;
      if (target !== meta || reverseName !== m2m.name) {
        const reverse: Relation = { name: reverseName, kind: 'reverse_m2m', model: target, target: meta, many: true, through: { meta: through.meta, source: through.target, target: through.source } };
        addRelation(target, reverse);
        installManagerAccessor(reverse);
      }
    }
    if (!complete) stillPending.push(meta);
  }
  return stillPending;
}
