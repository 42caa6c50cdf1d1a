import type { CompiledQuery, Kysely } from 'kysely';
import type { DialectDriver } from '../../dialects/index.js';
import type { Field } from '../../fields/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import { FExpression } from '../filter/index.js';
import { planFor } from '../hydrate/index.js';
import type { QueryState } from './state.js';
import { expressionBuilder } from 'kysely';
import { FieldError } from '../../errors/index.js';
import { filterUsesRelations, primaryKeySelect } from './select.js';
import { cachedCompile, filterParameters, filterShape } from './cache.js';
import { compileExpression, compileFilter, rootContext } from './where.js';

/** Values ready for the driver, keyed by column. */
export type ColumnValues = Record<string, unknown>;

/** Converts `{ field: jsValue }` entries for the driver, keyed by column. */
export function toColumnValues(driver: DialectDriver, meta: ModelMeta, entries: readonly (readonly [Field, unknown])[]): ColumnValues {
  const plan = planFor(driver, meta);
  const row: ColumnValues = {};
  for (const [field, value] of entries) row[field.column] = plan.valueToDb(field, value);
  return row;
}

/** Rows for an INSERT: the columns, and every row's driver-ready values flattened row by row. */
export interface InsertRows {
  readonly columns: readonly string[];
  /** How many rows. */
  readonly count: number;
  /** `count × columns.length` values, row after row, in column order. */
  readonly values: readonly unknown[];
}

/**
 * Reads `fields` of every record and converts them for the driver (undefined and null become null):
 * the converters are looked up once per call, not per value.
 */
export function insertRows(driver: DialectDriver, meta: ModelMeta, fields: readonly Field[], records: readonly object[]): InsertRows {
  const plan = planFor(driver, meta);
  const n = fields.length;
  const props = fields.map((f) => f.attname);
  const converters = fields.map((f) => plan.toDbOf(f));
  const values: unknown[] = [];
  for (const record of records) {
    for (let j = 0; j < n; j++) {
      const v = (record as Record<string, unknown>)[props[j]];
      const convert = converters[j];
      values.push(v === null || v === undefined ? null : convert === null ? v : convert(v));
    }
  }
  return { columns: fields.map((f) => f.column), count: records.length, values };
}

/** How an INSERT treats unique-constraint conflicts. */
export type ConflictMode = { readonly ignore: true } | { readonly conflictColumns: readonly string[]; readonly updateColumns: readonly string[] } | null;

/**
 * INSERT of one or many rows in one statement, optionally ignoring or updating on conflict;
 * RETURNING the primary key where the dialect can and `returnPk` asks for it.
 */
export function compileInsert(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, rows: InsertRows, returnPk: boolean, conflict: ConflictMode = null): CompiledQuery {
  const returning = returnPk && driver.features.supportsReturning;
  const { columns, count, values } = rows;
  const mode = conflict === null ? '' : 'ignore' in conflict ? 'ignore' : `upsert:${conflict.conflictColumns.join(',')}:${conflict.updateColumns.join(',')}`;
  return cachedCompile(
    driver,
    `I|${meta.table}|${columns.join(',')}|${count}|${mode}|${returning ? 'R' : ''}`,
    () => values as unknown[],
    () => {
      const objects: ColumnValues[] = [];
      for (let i = 0, k = 0; i < count; i++) {
        const row: ColumnValues = {};
        for (const column of columns) row[column] = values[k++];
        objects.push(row);
      }
      let q = db.insertInto(meta.table).values(objects);
      if (conflict !== null) q = driver.sql.onConflict(q, conflict);
      return returning ? q.returning(meta.pk.column).compile() : q.compile();
    },
  );
}

/**
 * One UPDATE for many rows: `SET f = CASE pk WHEN ? THEN ? ... ELSE f END WHERE pk IN (...)`.
 * `rows` holds the primary key and then one value per field, already converted for the driver.
 */
export function compileBulkUpdate(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, fields: readonly Field[], rows: readonly (readonly unknown[])[]): CompiledQuery {
  const pkColumn = `${meta.table}.${meta.pk.column}`;
  return db
    .updateTable(meta.table)
    .set((eb) => {
      const set: Record<string, unknown> = {};
      fields.forEach((field, i) => {
        let cases: any = eb.case(eb.ref(pkColumn));
        for (const row of rows) cases = cases.when(driver.sql.typed(meta.pk, eb.val(row[0]))).then(driver.sql.typed(field, eb.val(row[i + 1])));
        set[field.column] = cases.else(eb.ref(`${meta.table}.${field.column}`)).end();
      });
      return set;
    })
    .where(meta.pk.column, 'in', rows.map((r) => r[0]))
    .compile();
}

/** UPDATE of one row by primary key. */
export function compileUpdateByPk(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, row: ColumnValues, pk: unknown): CompiledQuery {
  const pkValue = planFor(driver, meta).valueToDb(meta.pk, pk);
  const columns = Object.keys(row);
  return cachedCompile(
    driver,
    `U|${meta.table}|${columns.join(',')}`,
    () => [...columns.map((c) => row[c]), pkValue],
    () => db.updateTable(meta.table).set(row).where(meta.pk.column, '=', pkValue).compile(),
  );
}

/**
 * The WHERE of an UPDATE/DELETE: the filter itself, or, when it crosses relations, `pk IN (SELECT pk
 * FROM (<the filtered SELECT>) AS ids)` (the derived table also satisfies MySQL's rule against reading
 * the table being changed).
 */
function writeWhere(db: Kysely<any>, driver: DialectDriver, state: QueryState) {
  const where = state.where;
  if (where === null) return null;
  const meta = state.meta;
  if (filterUsesRelations(state, driver)) {
    const ids = db.selectFrom(primaryKeySelect(db, state, driver).as('oxen_ids')).select('oxen_ids.oxen_pk');
    return expressionBuilder<any, any>()(meta.pk.column, 'in', ids);
  }
  return compileFilter(rootContext(meta, driver, expressionBuilder<any, any>()), where);
}

/**
 * The cache shape of an UPDATE whose assignments are plain values (an F expression's SQL can vary with
 * its operands' values, so those are compiled every time), or null.
 */
function updateShape(state: QueryState, assignments: readonly (readonly [Field, unknown])[]): string | null {
  let columns = '';
  for (const [field, value] of assignments) {
    if (value instanceof FExpression) return null;
    columns += `${field.column},`;
  }
  const where = filterShape(state.where);
  return where === null ? null : `UQ|${state.meta.table}|${columns}|${where}`;
}

/** UPDATE of every row the state matches; values may be F expressions over the model's own fields. */
export function compileUpdate(db: Kysely<any>, driver: DialectDriver, state: QueryState, assignments: readonly (readonly [Field, unknown])[]): CompiledQuery {
  const plan = planFor(driver, state.meta);
  return cachedCompile(
    driver,
    updateShape(state, assignments),
    () => {
      const out: unknown[] = [];
      for (const [field, value] of assignments) out.push(plan.valueToDb(field, value));
      filterParameters(driver, state, state.where, out);
      return out;
    },
    () => {
      const ctx = rootContext(state.meta, driver, expressionBuilder<any, any>());
      const set: Record<string, unknown> = {};
      for (const [field, value] of assignments) {
        set[field.column] = value instanceof FExpression ? driver.sql.assignExpression(field, compileExpression(ctx, value.node)) : plan.valueToDb(field, value);
      }
      if (ctx.joins.size > 0) throw new FieldError('update(): F() may only read fields of the model being updated', { model: state.meta.name });
      let q = db.updateTable(state.meta.table).set(set);
      const where = writeWhere(db, driver, state);
      if (where !== null) q = q.where(where);
      return q.compile();
    },
  );
}

/** DELETE of every row the state matches. */
export function compileDelete(db: Kysely<any>, driver: DialectDriver, state: QueryState): CompiledQuery {
  const shape = filterShape(state.where);
  return cachedCompile(
    driver,
    shape === null ? null : `D|${state.meta.table}|${shape}`,
    () => {
      const out: unknown[] = [];
      filterParameters(driver, state, state.where, out);
      return out;
    },
    () => {
      let q = db.deleteFrom(state.meta.table);
      const where = writeWhere(db, driver, state);
      if (where !== null) q = q.where(where);
      return q.compile();
    },
  );
}
