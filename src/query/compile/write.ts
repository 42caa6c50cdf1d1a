import type { CompiledQuery, Kysely } from 'kysely';
import type { DialectDriver } from '../../dialects/index.js';
import type { Field } from '../../fields/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import { FExpression } from '../filter/index.js';
import { planFor } from '../hydrate/index.js';
import type { QueryState } from './state.js';
import { compileExpression, compileFilter } from './where.js';

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
  const q = db.insertInto(meta.table).values(row);
  if (returnPk && driver.features.supportsReturning) return q.returning(meta.pk.column).compile();
  return q.compile();
}

/** INSERT of many rows in one statement. */
export function compileInsertMany(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, rows: readonly ColumnValues[], returnPk: boolean): CompiledQuery {
  const q = db.insertInto(meta.table).values(rows as ColumnValues[]);
  if (returnPk && driver.features.supportsReturning) return q.returning(meta.pk.column).compile();
  return q.compile();
}

/** UPDATE of one row by primary key. */
export function compileUpdateByPk(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, row: ColumnValues, pk: unknown): CompiledQuery {
  const pkValue = planFor(driver, meta).valueToDb(meta.pk, pk);
  return db.updateTable(meta.table).set(row).where(meta.pk.column, '=', pkValue).compile();
}

/** DELETE of one row by primary key. */
export function compileDeleteByPk(db: Kysely<any>, driver: DialectDriver, meta: ModelMeta, pk: unknown): CompiledQuery {
  const pkValue = planFor(driver, meta).valueToDb(meta.pk, pk);
  return db.deleteFrom(meta.table).where(meta.pk.column, '=', pkValue).compile();
}

/** UPDATE of every row the state matches; values may be F expressions. */
export function compileUpdate(db: Kysely<any>, driver: DialectDriver, state: QueryState, assignments: readonly (readonly [Field, unknown])[]): CompiledQuery {
  const plan = planFor(driver, state.meta);
  let q = db.updateTable(state.meta.table).set((eb) => {
    const ctx = { meta: state.meta, driver, eb };
    const set: Record<string, unknown> = {};
    for (const [field, value] of assignments) {
      set[field.column] = value instanceof FExpression ? compileExpression(ctx, value.node) : plan.valueToDb(field, value);
    }
    return set;
  });
  const where = state.where;
  if (where !== null) q = q.where((eb) => compileFilter({ meta: state.meta, driver, eb }, where));
  return q.compile();
}

/** DELETE of every row the state matches. */
export function compileDelete(db: Kysely<any>, driver: DialectDriver, state: QueryState): CompiledQuery {
  let q = db.deleteFrom(state.meta.table);
  const where = state.where;
  if (where !== null) q = q.where((eb) => compileFilter({ meta: state.meta, driver, eb }, where));
  return q.compile();
}
