import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder } from 'kysely';
import { ConfigurationError, TransactionError } from '../errors/index.js';
import { currentFrame, getConnection } from '../engine/index.js';
import { shortName } from '../dialects/index.js';
import { ForeignKeyDef, type Field, type OnDelete } from '../fields/index.js';
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

/**
 * The models `syncSchema`/`dropSchema` act on: the given ones plus the join tables Oxen generated for
 * their many-to-many relations, else every model routed to the alias.
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
  return registry.metas().filter((m) => (m.connection ?? 'default') === alias);
}

/** Index names follow one pattern and fit every dialect's identifier limit. */
export function indexPlans(meta: ModelMeta): IndexPlan[] {
  const plans: IndexPlan[] = [];
  const columns = (names: readonly string[]): string[] => names.map((n) => meta.field(n).column);
  for (const field of meta.fields) {
    const indexed = field.options.index === true || (field instanceof ForeignKeyDef && field.options.index !== false);
    if (indexed && !field.primaryKey && !field.unique) {
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
/**
 * The referential action for a foreign key. SET_DEFAULT is done by the ORM (defaults live in JS and
 * may be functions), so the constraint itself is NO ACTION.
 */
function referentialAction(onDelete: OnDelete): 'cascade' | 'set null' | 'restrict' | 'no action' {
  switch (onDelete) {
    case 'CASCADE':
      return 'cascade';
    case 'SET_NULL':
      return 'set null';
    case 'RESTRICT':
      return 'restrict';
    case 'SET_DEFAULT':
      return 'no action';
    case 'NO_ACTION':
      return 'no action';
  }
}

function foreignKeys(meta: ModelMeta): { name: string; field: ForeignKeyDef; target: ModelMeta }[] {
  const out: { name: string; field: ForeignKeyDef; target: ModelMeta }[] = [];
  for (const field of meta.fields) {
    if (!(field instanceof ForeignKeyDef)) continue;
    const relation = meta.findRelation(field.name);
    if (relation === undefined) throw new ConfigurationError(`${meta.name}.${field.name}: the related model is not registered (is it defined with @model()?)`);
    out.push({ name: shortName(`${meta.table}_${field.column}_fk`), field, target: relation.target });
  }
  return out;
}

export async function syncSchema(options: SchemaOptions = {}): Promise<SyncResult> {
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  const { driver } = connection;
  refuseDdlInTransaction(connection.alias, driver.features.transactionalDdl);
  const db = connection.executor();
  const result: SyncResult = { tables: [], indexes: [] };
  const models = schemaModels(alias, options);
  const laterForeignKeys: { meta: ModelMeta; fks: ReturnType<typeof foreignKeys> }[] = [];
  for (const meta of models) {
    if (!(await driver.tableExists(db, meta.table))) {
      let create: CreateTableBuilder<string, any> = db.schema.createTable(meta.table);
      for (const field of meta.fields) {
        create = create.addColumn(field.column, sql.raw(driver.columnType(field)), (column) => columnOptions(column, field, driver.autoIncrement));
      }
      const fks = foreignKeys(meta);
      if (driver.features.alterTableAddsForeignKeys) laterForeignKeys.push({ meta, fks });
      else {
        for (const fk of fks) {
          create = create.addForeignKeyConstraint(fk.name, [fk.field.column] as never, fk.target.table, [fk.target.pk.column], (c) => c.onDelete(referentialAction(fk.field.onDelete)));
        }
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
  // Constraints after every table exists, so cycles and forward references need no ordering.
  for (const { meta, fks } of laterForeignKeys) {
    for (const fk of fks) {
      await db.schema
        .alterTable(meta.table)
        .addForeignKeyConstraint(fk.name, [fk.field.column], fk.target.table, [fk.target.pk.column])
        .onDelete(referentialAction(fk.field.onDelete))
        .execute();
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
    if (field.unique) c = c.unique();
  }
  return c;
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
