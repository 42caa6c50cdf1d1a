/**
 * Table DDL shared by `syncSchema()` and migrations: one description of a table (its columns, foreign
 * keys, indexes and checks) and the Kysely statements that create it. Identifiers come only from model
 * metadata or migration state; CHECK conditions are developer-written SQL (never user input).
 *
 * @module
 */
import { sql, type ColumnDefinitionBuilder, type Compilable, type CreateIndexBuilder, type CreateTableBuilder, type Kysely } from 'kysely';
import { ConfigurationError } from '../errors/index.js';
import { shortName, type DialectDriver, type DialectName } from '../dialects/index.js';
import { ForeignKeyDef, type Field, type OnDelete } from '../fields/index.js';
import type { CheckConstraint, ModelMeta } from '../metadata/index.js';

/** A DDL statement built with Kysely: compiled for `sqlmigrate`, executed otherwise. */
export type DdlStatement = Compilable<unknown> & { execute(): Promise<unknown> };

/** An index of a table, named by one pattern that fits every dialect's identifier limit. */
export interface IndexPlan {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
}

/** A foreign-key constraint of a table. */
export interface ForeignKeyPlan {
  readonly name: string;
  readonly column: string;
  readonly targetTable: string;
  readonly targetColumn: string;
  readonly onDelete: OnDelete;
}

/** Everything needed to create one table. */
export interface TableSpec {
  readonly table: string;
  /** Columns in order, the primary key first; foreign keys resolved (their type is the target key's). */
  readonly fields: readonly Field[];
  readonly foreignKeys: readonly ForeignKeyPlan[];
  readonly indexes: readonly IndexPlan[];
  readonly checks: readonly CheckConstraint[];
}

/** The shape {@link indexPlans} reads: a model's metadata, or a model in migration state. */
export interface IndexSource {
  readonly table: string;
  readonly fields: readonly Field[];
  readonly indexes: readonly (readonly string[])[];
  readonly uniqueTogether: readonly (readonly string[])[];
}

/** The indexes of a table: indexed fields, foreign keys (unless `index: false`), `indexes` and `uniqueTogether`. */
export function indexPlans(source: IndexSource): IndexPlan[] {
  const plans: IndexPlan[] = [];
  const columnOf = (name: string): string => {
    const field = source.fields.find((f) => f.name === name);
    if (field === undefined) throw new ConfigurationError(`${source.table}: unknown field '${name}' in an index`);
    return field.column;
  };
  for (const field of source.fields) {
    const indexed = field.options.index === true || (field instanceof ForeignKeyDef && field.options.index !== false);
    if (indexed && !field.primaryKey && !field.unique) {
      plans.push({ name: shortName(`${source.table}_${field.column}_idx`), columns: [field.column], unique: false });
    }
  }
  for (const names of source.indexes) {
    const cols = names.map(columnOf);
    plans.push({ name: shortName(`${source.table}_${cols.join('_')}_idx`), columns: cols, unique: false });
  }
  for (const names of source.uniqueTogether) {
    const cols = names.map(columnOf);
    plans.push({ name: shortName(`${source.table}_${cols.join('_')}_uniq`), columns: cols, unique: true });
  }
  return plans;
}

/** The name Oxen gives the foreign-key constraint of a column. */
export function foreignKeyName(table: string, column: string): string {
  return shortName(`${table}_${column}_fk`);
}

/** The foreign keys of a model. */
export function foreignKeyPlans(meta: ModelMeta): ForeignKeyPlan[] {
  const out: ForeignKeyPlan[] = [];
  for (const field of meta.fields) {
    if (!(field instanceof ForeignKeyDef)) continue;
    const relation = meta.findRelation(field.name);
    if (relation === undefined) throw new ConfigurationError(`${meta.name}.${field.name}: the related model is not registered (is it defined with @model()?)`);
    out.push({ name: foreignKeyName(meta.table, field.column), column: field.column, targetTable: relation.target.table, targetColumn: relation.target.pk.column, onDelete: field.onDelete });
  }
  return out;
}

/** The table of a model. */
export function tableSpecOf(meta: ModelMeta): TableSpec {
  return { table: meta.table, fields: meta.fields, foreignKeys: foreignKeyPlans(meta), indexes: indexPlans(meta), checks: meta.checks };
}

/**
 * The referential action for a foreign key. SET_DEFAULT is done by the ORM (defaults live in JS and
 * may be functions), so the constraint itself is NO ACTION.
 */
export function referentialAction(onDelete: OnDelete): 'cascade' | 'set null' | 'restrict' | 'no action' {
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

/** The condition of a CHECK constraint on a dialect; a ConfigurationError when it has none for it. */
export function checkCondition(check: CheckConstraint, dialect: DialectName, table: string): string {
  const text = typeof check.sql === 'string' ? check.sql : check.sql[dialect];
  if (text === undefined) {
    throw new ConfigurationError(`${table}: check '${check.name}' has no condition for ${dialect}; add sql.${dialect} (or give one condition for every dialect)`);
  }
  return text;
}

/** The definition of one column: type, key, auto-increment, NOT NULL, UNIQUE. */
export function columnDefinition(column: ColumnDefinitionBuilder, field: Field, driver: DialectDriver, options: { readonly nullable?: boolean } = {}): ColumnDefinitionBuilder {
  let c = column;
  if (field.primaryKey) {
    c = c.primaryKey();
    if (field.autoIncrement) c = driver.autoIncrement(c);
  } else {
    if (!(options.nullable ?? field.nullable)) c = c.notNull();
    if (field.unique) c = c.unique();
  }
  return c;
}

/**
 * CREATE TABLE for a table. Foreign keys are declared inside it unless `foreignKeys: false` (the caller
 * then adds them with {@link addForeignKeyQuery} once every table exists).
 */
export function createTableQuery(db: Kysely<any>, driver: DialectDriver, spec: TableSpec, options: { readonly foreignKeys: boolean }): CreateTableBuilder<string, any> {
  let create: CreateTableBuilder<string, any> = db.schema.createTable(spec.table);
  for (const field of spec.fields) {
    create = create.addColumn(field.column, sql.raw(driver.columnType(field)), (column) => columnDefinition(column, field, driver));
  }
  if (options.foreignKeys) {
    for (const fk of spec.foreignKeys) {
      create = create.addForeignKeyConstraint(fk.name, [fk.column] as never, fk.targetTable, [fk.targetColumn], (c) => c.onDelete(referentialAction(fk.onDelete)));
    }
  }
  for (const check of spec.checks) create = create.addCheckConstraint(check.name, sql.raw(checkCondition(check, driver.name, spec.table)));
  const tableOptions = driver.tableOptions();
  if (tableOptions !== undefined) create = create.modifyEnd(sql.raw(tableOptions));
  return create;
}

/** CREATE [UNIQUE] INDEX for an index plan. */
export function createIndexQuery(db: Kysely<any>, table: string, plan: IndexPlan): CreateIndexBuilder<any> {
  const index = db.schema.createIndex(plan.name).on(table).columns([...plan.columns]);
  return plan.unique ? index.unique() : index;
}

/** ALTER TABLE ... ADD FOREIGN KEY. */
export function addForeignKeyQuery(db: Kysely<any>, table: string, fk: ForeignKeyPlan): DdlStatement {
  return db.schema.alterTable(table).addForeignKeyConstraint(fk.name, [fk.column], fk.targetTable, [fk.targetColumn]).onDelete(referentialAction(fk.onDelete));
}
