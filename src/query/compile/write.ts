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

/** INSERT of one row; RETURNING the primary key where the dialect can and the key is generated. */
export function compileInsert(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, row: ColumnValues, returnPk: boolean): CompiledQuery {
  const returning = returnPk && driver.features.supportsReturning;
  const columns = Object.keys(row);
  return cachedCompile(
    driver,
    `I|${meta.table}|${columns.join(',')}|${returning ? 'R' : ''}`,
    () => columns.map((c) => row[c]),
    () => {
      const q = db.insertInto(meta.table).values(row);
      return returning ? q.returning(meta.pk.column).compile() : q.compile();
    },
  );
}

/** How an INSERT treats unique-constraint conflicts. */
export type ConflictMode = { readonly ignore: true } | { readonly conflictColumns: readonly string[]; readonly updateColumns: readonly string[] } | null;

/** INSERT of many rows in one statement, optionally ignoring or updating on conflict. */
export function compileInsertMany(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, rows: readonly ColumnValues[], returnPk: boolean, conflict: ConflictMode = null): CompiledQuery {
  const returning = returnPk && driver.features.supportsReturning;
  const columns = rows.length === 0 ? [] : Object.keys(rows[0]);
  const mode = conflict === null ? '' : 'ignore' in conflict ? 'ignore' : `upsert:${conflict.conflictColumns.join(',')}:${conflict.updateColumns.join(',')}`;
  return cachedCompile(
    driver,
    `IM|${meta.table}|${columns.join(',')}|${rows.length}|${mode}|${returning ? 'R' : ''}`,
    () => {
      const out: unknown[] = [];
      for (const row of rows) for (const c of columns) out.push(row[c]);
      return out;
    },
    () => {
      let q = db.insertInto(meta.table).values(rows as ColumnValues[]);
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

/** UPDATE of every row the state matches; values may be F expressions over the model's own fields. */
export function compileUpdate(db: Kysely<any>, driver: DialectDriver, state: QueryState, assignments: readonly (readonly [Field, unknown])[]): CompiledQuery {
  const plan = planFor(driver, state.meta);
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
