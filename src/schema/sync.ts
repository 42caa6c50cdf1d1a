import { ConfigurationError, TransactionError } from '../errors/index.js';
import { currentFrame, getConnection } from '../engine/index.js';
import { registry, type ModelMeta } from '../metadata/index.js';
import { addForeignKeyQuery, createIndexQuery, createTableQuery, indexPlans, tableSpecOf, type TableSpec } from './ddl.js';

/** Options of `syncSchema()` and `dropSchema()`. */
export interface SchemaOptions {
  /** The connection alias (default `'default'`). */
  using?: string;
  /** The models to act on (default: every registered model routed to that connection). */
  models?: readonly (abstract new (...args: never[]) => object)[];
}

/** A table whose columns differ from its model's (found by `syncSchema()`, which never alters a table). */
export interface SchemaDrift {
  readonly table: string;
  readonly model: string;
  /** Columns the model has and the table lacks (queries touching them fail until you migrate). */
  readonly missingColumns: readonly string[];
  /** Columns the table has and the model does not declare. */
  readonly extraColumns: readonly string[];
}

/** What `syncSchema()` did. */
export interface SyncResult {
  /** Tables created. */
  readonly tables: string[];
  /** Indexes created (including unique indexes for `uniqueTogether`). */
  readonly indexes: string[];
  /** Existing tables whose columns differ from their models (also logged as a warning with the fix). */
  readonly drift: SchemaDrift[];
}

/**
 * The models `syncSchema`/`dropSchema` act on: the given ones plus the join tables Oxen generated for
 * their many-to-many relations, else every model routed to the alias. Models with `managed: false` are
 * left out unless named.
 */
export function schemaModels(alias: string, options: SchemaOptions): ModelMeta[] {
  if (options.models !== undefined) {
    const metas = options.models.map((cls) => {
      const meta = registry.get(cls);
      if (meta.abstract) throw new ConfigurationError(`${meta.name} is abstract and has no table`);
      return meta;
    });
    for (const meta of [...metas]) {
      for (const relation of meta.relations.values()) {
        const through = relation.through?.meta;
        if (through !== undefined && through.autoCreated && !metas.includes(through)) metas.push(through);
      }
    }
    return metas;
  }
  return registry.metas().filter((m) => (m.connection ?? 'default') === alias && m.managed);
}

function refuseDdlInTransaction(alias: string, transactionalDdl: boolean): void {
  if (!transactionalDdl && currentFrame(alias) !== undefined) {
    throw new TransactionError(
      `Schema changes on '${alias}' cannot run inside a transaction: this database commits DDL implicitly, which would commit your transaction's earlier writes. Run syncSchema()/dropSchema() outside transaction().`,
    );
  }
}

/**
 * Creates the missing tables, indexes and unique constraints of every model (or the given ones).
 * Idempotent: existing tables are left as they are (changing them is the migrations' job); an existing
 * table whose columns differ from its model is reported in `drift` and logged as a warning that names
 * the fix.
 *
 * @example
 * ```ts
 * await connect('sqlite://./app.db');
 * const { tables, drift } = await syncSchema();
 * ```
 */
export async function syncSchema(options: SchemaOptions = {}): Promise<SyncResult> {
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  const { driver } = connection;
  refuseDdlInTransaction(connection.alias, driver.features.transactionalDdl);
  const db = connection.executor();
  const result: SyncResult = { tables: [], indexes: [], drift: [] };
  const models = schemaModels(alias, options);
  const laterForeignKeys: { table: string; spec: TableSpec }[] = [];
  for (const meta of models) {
    if (!(await driver.tableExists(db, meta.table))) {
      const spec = tableSpecOf(meta);
      const inline = !driver.features.alterTableAddsForeignKeys;
      if (!inline) laterForeignKeys.push({ table: meta.table, spec });
      await createTableQuery(db, driver, spec, { foreignKeys: inline }).execute();
      result.tables.push(meta.table);
    } else {
      const drift = await columnDrift(meta, await driver.schemaDdl.columns(db, meta.table));
      if (drift !== undefined) {
        result.drift.push(drift);
        connection.log.warn(
          `Table '${drift.table}' differs from model ${drift.model}` +
            (drift.missingColumns.length > 0 ? `: the table lacks ${drift.missingColumns.join(', ')}` : '') +
            (drift.extraColumns.length > 0 ? `${drift.missingColumns.length > 0 ? ';' : ':'} the model does not declare ${drift.extraColumns.join(', ')}` : '') +
            '. syncSchema() never alters existing tables: change the table to match the model (in development: dropSchema() then syncSchema(), which loses its rows).',
          { table: drift.table, missingColumns: drift.missingColumns, extraColumns: drift.extraColumns },
        );
      }
    }
    const existing = await driver.indexNames(db, meta.table);
    for (const plan of indexPlans(meta)) {
      if (existing.has(plan.name)) continue;
      await createIndexQuery(db, meta.table, plan).execute();
      result.indexes.push(plan.name);
    }
  }
  // Constraints after every table exists, so cycles and forward references need no ordering.
  for (const { table, spec } of laterForeignKeys) {
    for (const fk of spec.foreignKeys) await addForeignKeyQuery(db, table, fk).execute();
  }
  return result;
}

function columnDrift(meta: ModelMeta, actual: readonly string[]): SchemaDrift | undefined {
  const have = new Set(actual);
  const want = new Set(meta.columns);
  const missingColumns = meta.columns.filter((c) => !have.has(c));
  const extraColumns = actual.filter((c) => !want.has(c));
  if (missingColumns.length === 0 && extraColumns.length === 0) return undefined;
  return { table: meta.table, model: meta.name, missingColumns, extraColumns };
}

/** Drops the tables of every model (or the given ones) that exist. Idempotent. */
export async function dropSchema(options: SchemaOptions = {}): Promise<string[]> {
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  refuseDdlInTransaction(connection.alias, connection.features.transactionalDdl);
  const db = connection.executor();
  const dropped: string[] = [];
  for (const meta of schemaModels(alias, options).reverse()) {
    if (await connection.driver.tableExists(db, meta.table)) dropped.push(meta.table);
  }
  await connection.driver.dropTables(db, dropped);
  return dropped;
}
