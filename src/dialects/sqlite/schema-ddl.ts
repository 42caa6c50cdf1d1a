import { sql, type Kysely } from 'kysely';
import type { CatalogUnique, SchemaDdl } from '../dialect.js';

/**
 * SQLite's catalog reads for migrations. SQLite cannot ALTER a column's type, nullability or constraints:
 * migrations rebuild the table instead (no `alterColumn`, `dropForeignKey` or `dropCheck`).
 */
export const sqliteSchemaDdl: SchemaDdl = {
  async columns(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string }>`select name from pragma_table_info(${table}) order by cid`.execute(db);
    return r.rows.map((x) => x.name);
  },
  async foreignKeys(db: Kysely<unknown>, table: string) {
    const r = await sql<{ id: number; from: string }>`select id, "from" from pragma_foreign_key_list(${table}) where seq = 0 order by id`.execute(db);
    // SQLite's foreign keys have no names of their own; they change only through a rebuild.
    return r.rows.map((x) => ({ name: `${table}_fk_${x.id}`, column: x.from }));
  },
  async uniques(db: Kysely<unknown>, table: string) {
    const list = await sql<{ name: string; origin: string }>`select name, origin from pragma_index_list(${table}) where "unique" = 1 and origin <> 'pk' order by name`.execute(db);
    const out: CatalogUnique[] = [];
    for (const index of list.rows) {
      const cols = await sql<{ name: string }>`select name from pragma_index_info(${index.name}) order by seqno`.execute(db);
      // origin 'u': a UNIQUE clause of CREATE TABLE (an automatic index that only a rebuild removes).
      out.push({ name: index.name, columns: cols.rows.map((c) => c.name), index: index.origin === 'c' });
    }
    return out;
  },
  dropUnique: (_table, unique) => sql`drop index ${sql.id(unique.name)}`,
  // The runner's first write in the migration's transaction takes SQLite's write lock.
  migrationLock: { scope: 'transaction' },
};
