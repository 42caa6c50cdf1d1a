import { sql, type Kysely } from 'kysely';
import type { CatalogUnique, SchemaDdl } from '../dialect.js';

/** MySQL/MariaDB's catalog reads and ALTERs for migrations (the connection's current database). */
export const mysqlSchemaDdl: SchemaDdl = {
  async columns(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = database() and table_name = ${table} order by ordinal_position`.execute(db);
    return r.rows.map((x) => x.name);
  },
  async foreignKeys(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string; column: string }>`
      select constraint_name as name, column_name as \`column\`
      from information_schema.key_column_usage
      where table_schema = database() and table_name = ${table} and referenced_table_name is not null and ordinal_position = 1
      order by constraint_name`.execute(db);
    return r.rows;
  },
  async uniques(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string; columns: string }>`
      select index_name as name, group_concat(column_name order by seq_in_index separator ',') as columns
      from information_schema.statistics
      where table_schema = database() and table_name = ${table} and non_unique = 0 and index_name <> 'PRIMARY'
      group by index_name
      order by index_name`.execute(db);
    return r.rows.map((u): CatalogUnique => ({ name: u.name, columns: String(u.columns).split(','), index: true }));
  },
  alterColumn(table, column, type, nullable) {
    // MODIFY restates the whole column: type and nullability in one statement.
    return [sql`alter table ${sql.table(table)} modify column ${sql.id(column)} ${sql.raw(type)} ${sql.raw(nullable ? 'null' : 'not null')}`];
  },
  dropForeignKey: (table, name) => sql`alter table ${sql.table(table)} drop foreign key ${sql.id(name)}`,
  dropUnique: (table, unique) => sql`alter table ${sql.table(table)} drop index ${sql.id(unique.name)}`,
  dropCheck: (table, name) => sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`,
  // DDL commits implicitly: a named lock held by one connection for the whole run.
  migrationLock: {
    scope: 'session',
    acquire: (key, timeoutSeconds) => sql<{ locked: unknown }>`select get_lock(concat(${key}, database()), ${timeoutSeconds}) as locked`,
    release: (key) => sql`select release_lock(concat(${key}, database()))`,
  },
};
