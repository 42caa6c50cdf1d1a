import { FieldError, IntegrityError, ValidationError } from '../errors/index.js';
import { getConnection, inTransaction, transaction } from '../engine/index.js';
import type { DialectFeatures } from '../dialects/index.js';
import type { Field } from '../fields/index.js';
import type { ModelMeta } from '../metadata/index.js';
import { compileBulkUpdate, compileInsert, insertRows, type ConflictMode } from '../query/compile/index.js';
import { LOADED_FROM, PERSISTED, planFor } from '../query/hydrate/index.js';
import type { QuerySet } from '../query/queryset/index.js';
import { clip, isPlainObject, suggestion } from '../utils/index.js';
import { validateInstance } from './validate.js';
import { buildInstance, saveInstance, stampTimestamps } from './write.js';

/** Options of `bulkCreate()`. */
export interface BulkCreateOptions {
  /** Rows per INSERT (capped so no statement exceeds the dialect's parameter limit). */
  batchSize?: number;
  /** Skip rows that violate a unique constraint (primary keys are then not set on the instances). */
  ignoreConflicts?: boolean;
  /** Upsert: on a unique conflict over `uniqueFields`, update `fields` of the existing row. */
  updateConflicts?: { fields: readonly string[]; uniqueFields: readonly string[] };
  /** Set false to skip validation. */
  validate?: boolean;
  /** The connection alias. */
  using?: string;
}

/** Options of `bulkUpdate()`. */
export interface BulkUpdateOptions {
  /** Rows per UPDATE statement (capped by the parameter limit). */
  batchSize?: number;
  /** Set false to skip validation. */
  validate?: boolean;
  /** The connection alias. */
  using?: string;
}

type InstanceRecord = Record<string | symbol, unknown>;

function fieldsNamed(meta: ModelMeta, names: readonly string[], what: string): Field[] {
  if (!Array.isArray(names) || names.length === 0) throw new FieldError(`${what} takes a non-empty list of field names`, { model: meta.name });
  return names.map((name) => {
    const field = meta.findField(name);
    if (field === undefined) throw new FieldError(`Unknown field '${clip(name)}' in ${what} for ${meta.name}${suggestion(name, meta.fieldNames)}`, { model: meta.name, field: name });
    return field;
  });
}

function batchOf(requested: number | undefined, columns: number, features: DialectFeatures): number {
  const limit = Math.max(1, Math.floor((features.maxParameters - 1) / Math.max(1, columns)));
  if (requested === undefined) return Math.min(limit, features.bulkInsertRows ?? DEFAULT_BULK_ROWS);
  if (!Number.isInteger(requested) || requested < 1) throw new FieldError(`batchSize must be a positive integer, got ${String(requested)}`);
  return Math.min(requested, limit);
}

/** Rows per multi-row statement when neither the caller nor the dialect says otherwise. */
const DEFAULT_BULK_ROWS = 1000;

/** Runs `work` atomically when it spans several statements (a savepoint inside an open transaction). */
async function atomically<T>(alias: string, statements: number, work: () => Promise<T>): Promise<T> {
  return statements > 1 ? transaction({ using: alias }, work) : work();
}

/**
 * INSERTs many rows in batched multi-row statements; plain objects or built instances. Every row is
 * validated before anything is written, and several batches run in one transaction (all or nothing).
 * Sends no per-instance signals. Primary keys are set on the returned instances where the dialect
 * reports them (RETURNING on SQLite and PostgreSQL; consecutive AUTO_INCREMENT ids on MySQL).
 */
export async function bulkCreate<M extends object>(cls: new () => M, meta: ModelMeta, rows: readonly (M | object)[], options: BulkCreateOptions = {}): Promise<M[]> {
  if (!Array.isArray(rows)) throw new FieldError(`${meta.name}.bulkCreate() takes an array`, { model: meta.name });
  if (options.ignoreConflicts === true && options.updateConflicts !== undefined) throw new FieldError('bulkCreate(): ignoreConflicts and updateConflicts exclude each other', { model: meta.name });
  const alias = options.using ?? meta.connection ?? 'default';
  const connection = getConnection(alias);
  const instances = rows.map((row) => (row instanceof cls ? row : isPlainObject(row) ? buildInstance(cls, row) : badRow(meta, row))) as M[];
  if (instances.length === 0) return instances;
  const pk = meta.pk;
  const now = new Date();
  for (const [index, instance] of instances.entries()) {
    const record = instance as InstanceRecord;
    stampTimestamps(record, meta, true, now);
    for (const field of meta.fields) {
      if (record[field.attname] === undefined && field.hasDefault) record[field.attname] = field.getDefault();
    }
    if (options.validate !== false) {
      try {
        const pending = validateInstance(instance, meta);
        if (pending !== undefined) await pending;
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(`${meta.name}.bulkCreate(): row ${index} is not valid: ${error.message.replace(/^.*? is not valid: /, '')}`, error.errors, { model: meta.name });
        throw error;
      }
    }
  }
  let conflict: ConflictMode = null;
  if (options.ignoreConflicts === true) conflict = { ignore: true };
  else if (options.updateConflicts !== undefined) {
    const { fields, uniqueFields } = options.updateConflicts;
    conflict = {
      conflictColumns: fieldsNamed(meta, uniqueFields, 'updateConflicts.uniqueFields').map((f) => f.column),
      updateColumns: fieldsNamed(meta, fields, 'updateConflicts.fields').map((f) => f.column),
    };
  }
  // Rows whose auto-increment key is given are inserted with it; the others get generated keys.
  const hasKey = (i: M): boolean => (i as InstanceRecord)[pk.attname] !== undefined && (i as InstanceRecord)[pk.attname] !== null;
  const groups: { generated: boolean; rows: M[] }[] = pk.autoIncrement
    ? [
        { generated: false, rows: instances.filter(hasKey) },
        { generated: true, rows: instances.filter((i) => !hasKey(i)) },
      ]
    : [{ generated: false, rows: instances }];
  const batches: { generated: boolean; rows: M[]; written: Field[] }[] = [];
  for (const group of groups) {
    const written = meta.fields.filter((f) => !(group.generated && f === pk));
    const size = batchOf(options.batchSize, written.length, connection.features);
    for (let i = 0; i < group.rows.length; i += size) batches.push({ generated: group.generated, rows: group.rows.slice(i, i + size), written });
  }
  await atomically(alias, batches.length, async () => {
    const db = connection.executor();
    for (const { generated, rows: batch, written } of batches) {
      const returnPk = generated && conflict === null;
      const rows = insertRows(connection.driver, meta, written, batch);
      const result = await connection.execute<Record<string, unknown>>(compileInsert(db, connection.driver, meta, rows, returnPk, conflict));
      if (returnPk) {
        if (connection.features.supportsReturning) result.rows.forEach((row, i) => ((batch[i] as InstanceRecord)[pk.attname] = Number(row[pk.column])));
        else if (result.insertId !== undefined) batch.forEach((instance, i) => ((instance as InstanceRecord)[pk.attname] = Number(result.insertId) + i));
      }
    }
  });
  if (conflict === null) {
    for (const instance of instances) {
      (instance as InstanceRecord)[PERSISTED] = true;
      (instance as InstanceRecord)[LOADED_FROM] = alias;
    }
  }
  return instances;
}

function badRow(meta: ModelMeta, row: unknown): never {
  throw new FieldError(`${meta.name}.bulkCreate() takes plain objects or ${meta.name} instances, got ${row === null ? 'null' : typeof row}`, { model: meta.name });
}

/**
 * UPDATEs the given fields of many saved instances with one `CASE` statement per batch; several
 * batches run in one transaction. Sends no signals. Resolves to the number of rows updated.
 */
export async function bulkUpdate(meta: ModelMeta, instances: readonly object[], fieldNames: readonly string[], options: BulkUpdateOptions = {}): Promise<number> {
  if (!Array.isArray(instances)) throw new FieldError(`${meta.name}.bulkUpdate() takes an array of instances`, { model: meta.name });
  const fields = fieldsNamed(meta, fieldNames, 'bulkUpdate()');
  if (fields.some((f) => f.primaryKey)) throw new FieldError(`bulkUpdate() cannot change the primary key of ${meta.name}`, { model: meta.name });
  if (instances.length === 0) return 0;
  for (const instance of instances) {
    if (!(instance instanceof (meta.cls as unknown as new () => object)) || (instance as InstanceRecord)[PERSISTED] !== true) {
      throw new FieldError(`bulkUpdate() takes saved ${meta.name} instances`, { model: meta.name });
    }
    if (options.validate !== false) {
      const pending = validateInstance(instance, meta, fields);
      if (pending !== undefined) await pending;
    }
  }
  const alias = options.using ?? meta.connection ?? 'default';
  const connection = getConnection(alias);
  const plan = planFor(connection.driver, meta);
  const size = batchOf(options.batchSize, 2 * fields.length + 1, connection.features);
  const batches: object[][] = [];
  for (let i = 0; i < instances.length; i += size) batches.push(instances.slice(i, i + size));
  return atomically(alias, batches.length, async () => {
    const db = connection.executor();
    let updated = 0;
    for (const batch of batches) {
      const rows = batch.map((instance) => {
        const record = instance as InstanceRecord;
        return [plan.valueToDb(meta.pk, record[meta.pk.attname]), ...fields.map((f) => plan.valueToDb(f, record[f.attname]))];
      });
      const result = await connection.execute(compileBulkUpdate(db, connection.driver, meta, fields, rows));
      updated += Number(result.numAffectedRows ?? 0n);
    }
    return updated;
  });
}

/** The plain `field: value` entries of a lookup (keys without `__`), used as creation data. */
function lookupData(meta: ModelMeta, lookup: object): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(lookup)) {
    const name = key.endsWith('__exact') ? key.slice(0, -7) : key;
    if (!name.includes('__') && meta.findField(name) !== undefined) data[name === 'pk' ? meta.pk.name : name] = (lookup as Record<string, unknown>)[key];
  }
  return data;
}

/**
 * Fetches the row matching `lookup`, or creates it from the lookup's plain fields and `defaults`.
 * Safe under a race when the lookup fields are unique: the loser of the INSERT race reads the
 * winner's row. Resolves to `[instance, created]`.
 */
export async function getOrCreate<M extends object>(cls: new () => M, qs: QuerySet<M>, lookup: object, defaults: object = {}): Promise<[M, boolean]> {
  const meta = qs.meta;
  const existing = await qs.getOrNull(lookup as never);
  if (existing !== null) return [existing, false];
  const alias = qs.state.using ?? meta.connection ?? 'default';
  try {
    const created = await transaction({ using: alias }, async () => {
      const instance = buildInstance(cls, { ...lookupData(meta, lookup), ...defaults });
      await saveInstance(instance, { forceInsert: true, using: alias });
      return instance;
    });
    return [created, true];
  } catch (error) {
    if (!(error instanceof IntegrityError) || error.kind !== 'unique') throw error;
    // Inside a transaction a locking read sees the winner's committed row (MySQL's REPEATABLE READ
    // snapshot would not); outside one every statement reads the latest committed data.
    const winner = await (inTransaction(alias) ? qs.selectForUpdate() : qs).getOrNull(lookup as never);
    if (winner === null) throw error;
    return [winner, false];
  }
}

/**
 * Updates the row matching `lookup` with `defaults` (locking it), or creates it. Race-safe like
 * `getOrCreate`. Resolves to `[instance, created]`.
 */
export async function updateOrCreate<M extends object>(cls: new () => M, qs: QuerySet<M>, lookup: object, defaults: object = {}): Promise<[M, boolean]> {
  const meta = qs.meta;
  const alias = qs.state.using ?? meta.connection ?? 'default';
  if (!isPlainObject(defaults)) throw new FieldError('updateOrCreate() takes defaults as a plain object', { model: meta.name });
  const apply = async (instance: M): Promise<[M, boolean]> => {
    for (const key of Object.keys(defaults)) {
      if (meta.findField(key) === undefined) throw new FieldError(`Unknown field '${clip(key)}' in updateOrCreate() defaults${suggestion(key, meta.fieldNames)}`, { model: meta.name });
      (instance as Record<string, unknown>)[key] = (defaults as Record<string, unknown>)[key];
    }
    await saveInstance(instance, { using: alias });
    return [instance, false];
  };
  // A plain read first: a locking read of a missing row would take gap locks on MySQL, and two racing
  // creators would deadlock on their INSERTs. The INSERT runs in a savepoint; the loser of the race gets
  // a unique violation and reads the winner's row with a lock (which sees it, even in REPEATABLE READ).
  return transaction({ using: alias }, async () => {
    const locked = qs.selectForUpdate();
    if ((await qs.getOrNull(lookup as never)) !== null) return apply((await locked.get(lookup as never)) as M);
    try {
      const created = await transaction({ using: alias }, async () => {
        const instance = buildInstance(cls, { ...lookupData(meta, lookup), ...defaults });
        await saveInstance(instance, { forceInsert: true, using: alias });
        return instance;
      });
      return [created, true] as [M, boolean];
    } catch (error) {
      if (!(error instanceof IntegrityError) || error.kind !== 'unique') throw error;
      const winner = await locked.getOrNull(lookup as never);
      if (winner === null) throw error;
      return apply(winner);
    }
  });
}

