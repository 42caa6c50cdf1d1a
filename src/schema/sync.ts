import { sql, type ColumnDefinitionBuilder } from 'kysely';
import { ConfigurationError, TransactionError } from '../errors/index.js';
import { currentFrame, getConnection } from '../engine/index.js';
import { shortName } from '../dialects/index.js';
import type { Field } from '../fields/index.js';
import { registry, type ModelMeta } from '../metadata/index.js';

/** Options of `syncSchema()` and `dropSchema()`. */
export interface SchemaOptions {
  /** The connection alias (default `'default'`). */
  using?: string;
  /** The models to act on (default: every registered model routed to that connection). */
  models?: readonly (abstract new (...args: never[]) => object)[];
}

/** What `syncSchema()` did. */
export interface SyncResult {
  /** Tables created. */
  readonly tables: string[];
  /** Indexes created (including unique indexes for `uniqueTogether`). */
  readonly indexes: string[];
}

interface IndexPlan {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

function modelsFor(alias: string, options: SchemaOptions): ModelMeta[] {
  if (options.models !== undefined) {
    return options.models.map((cls) => {
      const meta = registry.get(cls);
      if (meta.abstract) throw new ConfigurationError(`${meta.name} is abstract and has no table`);
      return meta;
    });
  }
  return registry.models().filter((m) => (m.connection ?? 'default') === alias);
}

/** Index names follow one pattern and fit every dialect's identifier limit. */
export function indexPlans(meta: ModelMeta): IndexPlan[] {
  const plans: IndexPlan[] = [];
  const columns = (names: readonly string[]): string[] => names.map((n) => meta.field(n).column);
  for (const field of meta.fields) {
    if (field.options.index === true && !field.primaryKey && field.options.unique !== true) {
      plans.push({ name: shortName(`${meta.table}_${field.column}_idx`), columns: [field.column], unique: false });
    }
  }
  for (const names of meta.indexes) {
    const cols = columns(names);
    plans.push({ name: shortName(`${meta.table}_${cols.join('_')}_idx`), columns: cols, unique: false });
  }
  for (const names of meta.uniqueTogether) {
    const cols = columns(names);
    plans.push({ name: shortName(`${meta.table}_${cols.join('_')}_uniq`), columns: cols, unique: true });
  }
  return plans;
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
 * Idempotent: existing tables are left as they are (changing them is the migrations' job).
 *
 * @example
 * ```ts
 * await connect('sqlite://./app.db');
 * await syncSchema();
 * ```
 */
export async function syncSchema(options: SchemaOptions = {}): Promise<SyncResult> {
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  const { driver } = connection;
  refuseDdlInTransaction(alias, driver.features.transactionalDdl);
  const db = connection.executor();
  const result: SyncResult = { tables: [], indexes: [] };
  for (const meta of modelsFor(alias, options)) {
    if (!(await driver.tableExists(db, meta.table))) {
      let create = db.schema.createTable(meta.table);
      for (const field of meta.fields) {
        create = create.addColumn(field.column, sql.raw(driver.columnType(field)), (column) => columnOptions(column, field, driver.autoIncrement));
      }
      const tableOptions = driver.tableOptions();
      if (tableOptions !== undefined) create = create.modifyEnd(sql.raw(tableOptions));
      await create.execute();
      result.tables.push(meta.table);
    }
    const existing = await driver.indexNames(db, meta.table);
    for (const plan of indexPlans(meta)) {
      if (existing.has(plan.name)) continue;
      let index = db.schema.createIndex(plan.name).on(meta.table).columns([...plan.columns]);
      if (plan.unique) index = index.unique();
      await index.execute();
      result.indexes.push(plan.name);
    }
  }
  return result;
}

function columnOptions(column: ColumnDefinitionBuilder, field: Field, autoIncrement: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder): ColumnDefinitionBuilder {
  let c = column;
  if (field.primaryKey) {
    c = c.primaryKey();
    if (field.autoIncrement) c = autoIncrement(c);
  } else {
    if (!field.nullable) c = c.notNull();
    if (field.options.unique === true) c = c.unique();
  }
  return c;
}

/** Drops the tables of every model (or the given ones) that exist. Idempotent. */
export async function dropSchema(options: SchemaOptions = {}): Promise<string[]> {
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  refuseDdlInTransaction(alias, connection.features.transactionalDdl);
  const db = connection.executor();
  const dropped: string[] = [];
  for (const meta of modelsFor(alias, options).reverse()) {
    if (!(await connection.driver.tableExists(db, meta.table))) continue;
    await db.schema.dropTable(meta.table).execute();
    dropped.push(meta.table);
  }
  return dropped;
}
