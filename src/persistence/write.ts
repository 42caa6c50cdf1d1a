import { DoesNotExist, FieldError, OxenError } from '../errors/index.js';
import { getConnection, type Connection } from '../engine/index.js';
import type { DateTimeFieldDef, Field } from '../fields/index.js';
import { registry, type ModelMeta } from '../metadata/index.js';
import { compileInsert, compileSelect, compileUpdateByPk, initialState, insertRows, toColumnValues } from '../query/compile/index.js';
import { LOADED_FROM, PERSISTED, planFor } from '../query/hydrate/index.js';
import { QuerySet } from '../query/queryset/index.js';
import { postDelete, postSave, preDelete, preSave, reportSignalError, type Sender } from '../signals/index.js';
import { clip, hasOwn, isPlainObject, suggestion } from '../utils/index.js';
import { validateInstance } from './validate.js';

/** Options of `save()`. */
export interface SaveOptions {
  /** UPDATE only these fields (the instance must already be saved). `autoNow` fields are added. */
  updateFields?: readonly string[];
  /** Set false to skip validation. */
  validate?: boolean;
  /** Write to this connection alias. */
  using?: string;
  /** INSERT even if the instance was loaded from the database. */
  forceInsert?: boolean;
}

/** Options of instance `delete()`. */
export interface DeleteOptions {
  /** Delete through this connection alias. */
  using?: string;
}

type InstanceRecord = Record<string | symbol, unknown>;

/** Set by `delete()` on the instance: its key still names the deleted row, until the next save(). */
const DELETED = Symbol('oxen:deleted');

/** The metadata of an instance's class. */
export function metaOf(instance: object): ModelMeta {
  return registry.get(instance.constructor);
}

function aliasFor(instance: InstanceRecord, meta: ModelMeta, using: string | undefined): string {
  return using ?? (instance[LOADED_FROM] as string | undefined) ?? meta.connection ?? 'default';
}

/** Is the instance stored in the database? */
export function isPersisted(instance: object): boolean {
  return (instance as InstanceRecord)[PERSISTED] === true;
}

async function runHooks(instance: InstanceRecord, methods: readonly string[]): Promise<void> {
  for (const method of methods) await (instance[method] as () => unknown).call(instance);
}

/** Post hooks and post-signal handlers never fail the write: their errors go to `signals.onError` and the logger. */
async function runPostHooks(instance: InstanceRecord, methods: readonly string[], signal: string, connection: Connection): Promise<void> {
  for (const method of methods) {
    try {
      await (instance[method] as () => unknown).call(instance);
    } catch (error) {
      await reportSignalError({ error, signal, sender: instance.constructor as Sender, instance });
      connection.log.error(`${signal} hook ${String(instance.constructor.name)}.${method}() threw; the write stands`, { error });
    }
  }
}

function logHandlerErrors(errors: readonly unknown[], signal: string, meta: ModelMeta, connection: Connection): void {
  for (const error of errors) connection.log.error(`a ${signal} handler for ${meta.name} threw; the write stands`, { error });
}

/**
 * Sets `autoNow` fields (every write) and unset `autoNowAdd` fields (inserts) to `now`, so that every
 * stamped field of one write holds the same instant.
 */
export function stampTimestamps(record: Record<string | symbol, unknown>, meta: ModelMeta, adding: boolean, now: Date): void {
  for (const field of meta.fields) {
    if (field.kind !== 'datetime') continue;
    const f = field as DateTimeFieldDef;
    if (f.autoNow || (adding && f.autoNowAdd && (record[f.attname] === undefined || record[f.attname] === null))) record[f.attname] = now;
  }
}

/**
 * Builds an unsaved instance: defaults first, then the given values. Unknown keys are a FieldError.
 */
export function buildInstance<M extends object>(cls: new () => M, data: object | undefined): M {
  const meta = registry.get(cls);
  if (data !== undefined && !isPlainObject(data)) throw new FieldError(`${meta.name}.build()/create() take a plain object of field values`, { model: meta.name });
  const instance = new cls() as InstanceRecord;
  const given = (data ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!meta.fieldMap.has(key) && meta.findField(key) === undefined) {
      if (meta.findRelation(key)?.many === true) {
        throw new FieldError(`${meta.name}.${key} is a to-many relation: save the instance first, then use ${key}.add(...) or ${key}.set([...])`, { model: meta.name, field: key });
      }
      throw new FieldError(`Unknown field '${clip(key)}' for ${meta.name}${suggestion(key, meta.fieldNames)}`, { model: meta.name, field: key });
    }
  }
  for (const field of meta.fields) {
    if (field.attname !== field.name && hasOwn(given, field.name) && given[field.name] !== undefined) {
      instance[field.name] = given[field.name]; // a related instance: the accessor checks its model and sets the key
    } else if (hasOwn(given, field.attname) && given[field.attname] !== undefined) instance[field.attname] = given[field.attname];
    else if (hasOwn(given, field.name) && given[field.name] !== undefined) instance[field.attname] = given[field.name];
    else if (field.hasDefault) instance[field.attname] = field.getDefault();
  }
  return instance as M;
}

function resolveUpdateFields(meta: ModelMeta, names: readonly string[]): Field[] {
  if (!Array.isArray(names)) throw new FieldError('save({ updateFields }) takes an array of field names', { model: meta.name });
  const fields = new Set<Field>();
  for (const name of names) {
    const field = meta.findField(name);
    if (field === undefined || name === 'pk') throw new FieldError(`Unknown field '${clip(name)}' in save({ updateFields }) for ${meta.name}${suggestion(name, meta.fieldNames)}`, { model: meta.name, field: name });
    if (field.primaryKey) throw new FieldError(`save({ updateFields }) cannot change the primary key of ${meta.name}`, { model: meta.name, field: name });
    fields.add(field);
  }
  for (const field of meta.fields) if ((field as DateTimeFieldDef).autoNow === true) fields.add(field);
  return [...fields];
}

/**
 * Saves an instance: INSERT when it is new, else UPDATE by primary key. Order: timestamps and defaults →
 * validation of the fields that hold a value → preSave hooks and handlers → validation of the fields
 * that were still unset (a pre listener may fill them) → SQL → postSave hooks and handlers.
 */
export async function saveInstance(instance: object, options: SaveOptions = {}): Promise<void> {
  const meta = metaOf(instance);
  const record = instance as InstanceRecord;
  const alias = aliasFor(record, meta, options.using);
  const connection = getConnection(alias);
  const adding = options.forceInsert === true || record[PERSISTED] !== true;
  if (adding && options.updateFields !== undefined) {
    throw new OxenError(`save({ updateFields }) needs a saved ${meta.name}; this one was never saved`, { model: meta.name });
  }
  const written = options.updateFields === undefined ? meta.fields : resolveUpdateFields(meta, options.updateFields);
  stampTimestamps(record, meta, adding, new Date());
  if (adding) {
    for (const field of meta.fields) if (record[field.attname] === undefined && field.hasDefault) record[field.attname] = field.getDefault();
  }
  // Fields still unset (no value, no default) are validated after the preSave hooks and listeners, which
  // may fill them (a slug from the title); every value that is set is validated before them.
  const unset: Field[] = [];
  if (options.validate !== false) {
    for (const f of written) if (record[f.attname] === undefined && !f.autoIncrement) unset.push(f);
    await validateInstance(instance, meta, unset.length === 0 ? written : written.filter((f) => !unset.includes(f)));
  }
  const updateFields = options.updateFields === undefined ? null : written.map((f) => f.name);
  const payload = { sender: meta.cls as Sender, instance, created: adding, updateFields, using: alias };
  await runHooks(record, meta.hooks.preSave);
  await preSave.send(payload);
  if (unset.length > 0) await validateInstance(instance, meta, unset);

  const db = connection.executor();
  const pk = meta.pk;
  if (adding && record[DELETED] === true) {
    // A deleted instance saved again is a new row: an auto-incremented key is generated anew (as in
    // Django); any other key (a UUID, a natural key) is inserted again as it is.
    if (pk.autoIncrement) record[pk.attname] = undefined;
    delete record[DELETED];
  }
  if (adding) {
    const generated = pk.autoIncrement && (record[pk.attname] === undefined || record[pk.attname] === null);
    const fields = generated ? written.filter((f) => f !== pk) : written;
    // The generated key comes back as insertId where the dialect reports it for one row, else RETURNING.
    const returning = generated && connection.features.insertIdOfOneRow !== true;
    const result = await connection.execute<Record<string, unknown>>(compileInsert(db, connection.driver, meta, insertRows(connection.driver, meta, fields, [record]), returning));
    if (generated) {
      const raw = returning && connection.features.supportsReturning ? result.rows[0]?.[pk.column] : result.insertId;
      record[pk.attname] = Number(raw);
    }
    record[PERSISTED] = true;
    record[LOADED_FROM] = alias;
  } else {
    const entries = written.filter((f) => f !== pk).map((f) => [f, record[f.attname] ?? null] as const);
    if (entries.length > 0) {
      const result = await connection.execute(compileUpdateByPk(db, connection.driver, meta, toColumnValues(connection.driver, meta, entries), record[pk.attname]));
      if (Number(result.numAffectedRows ?? 0n) === 0) {
        const cls = meta.cls as unknown as { DoesNotExist: typeof DoesNotExist };
        throw new cls.DoesNotExist(`${meta.name} with ${pk.name}=${String(record[pk.attname])} no longer exists; nothing was updated`, { model: meta.name });
      }
    }
  }

  await runPostHooks(record, meta.hooks.postSave, 'postSave', connection);
  logHandlerErrors(await postSave.send(payload), 'postSave', meta, connection);
}

/** Deletes one saved instance by primary key, with preDelete/postDelete hooks and handlers. Resolves to rows deleted. */
export async function deleteInstance(instance: object, options: DeleteOptions = {}): Promise<number> {
  const meta = metaOf(instance);
  const record = instance as InstanceRecord;
  if (record[PERSISTED] !== true) throw new OxenError(`Cannot delete this ${meta.name}: it was never saved`, { model: meta.name });
  const alias = aliasFor(record, meta, options.using);
  const connection = getConnection(alias);
  const payload = { sender: meta.cls as Sender, instance, using: alias };
  await runHooks(record, meta.hooks.preDelete);
  await preDelete.send(payload);
  const deleted = await QuerySet.of(meta).using(alias).filter({ pk: record[meta.pk.attname] } as never).delete();
  // The key stays: post-delete hooks and listeners (an audit log) see which row went, and so does the
  // caller. A later save() INSERTs a new row (see saveInstance).
  record[PERSISTED] = false;
  Object.defineProperty(record, DELETED, { value: true, enumerable: false, writable: true, configurable: true });
  await runPostHooks(record, meta.hooks.postDelete, 'postDelete', connection);
  logHandlerErrors(await postDelete.send(payload), 'postDelete', meta, connection);
  return deleted;
}

/** Reloads field values from the database (all fields, or the named ones). */
export async function refreshInstance(instance: object, fieldNames?: readonly string[]): Promise<void> {
  const meta = metaOf(instance);
  const record = instance as InstanceRecord;
  const pkValue = record[meta.pk.attname];
  if (pkValue === undefined || pkValue === null) throw new OxenError(`Cannot refresh this ${meta.name}: it has no primary key yet`, { model: meta.name });
  const fields = fieldNames === undefined ? meta.fields : fieldNames.map((name) => meta.field(name));
  const connection = getConnection(aliasFor(record, meta, undefined));
  const db = connection.executor();
  const plan = planFor(connection.driver, meta);
  const state = {
    ...initialState(meta),
    where: Object.freeze({
      kind: 'condition' as const,
      lhs: Object.freeze({ relations: [], field: meta.pk, jsonPath: [], transforms: [] }),
      lookup: 'exact',
      predicate: Object.freeze({ op: 'compare' as const, operator: '=' as const, rhs: { kind: 'literal' as const, value: pkValue }, caseInsensitive: false }),
    }),
    order: [],
    limit: 2,
  };
  const result = await connection.execute<Record<string, unknown>>(compileSelect(db, state, connection.driver));
  const row = result.rows[0];
  if (row === undefined) {
    const cls = meta.cls as unknown as { DoesNotExist: typeof DoesNotExist };
    throw new cls.DoesNotExist(`${meta.name} with ${meta.pk.name}=${String(pkValue)} does not exist`, { model: meta.name });
  }
  for (const field of fields) record[field.attname] = plan.convertValue(field, row[field.column]);
  record[PERSISTED] = true;
}
