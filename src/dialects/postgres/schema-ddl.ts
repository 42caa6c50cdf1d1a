import { sql, type Kysely } from 'kysely';
import type { CatalogUnique, SchemaDdl } from '../dialect.js';

/** PostgreSQL's catalog reads and ALTERs for migrations (the connection's current schema). */
export const postgresSchemaDdl: SchemaDdl = {
  async columns(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = ${table} order by ordinal_position`.execute(db);
    return r.rows.map((x) => x.name);
  },
  async foreignKeys(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string; column: string }>`
      select con.conname as name, att.attname as column
      from pg_constraint con
      join pg_class cls on cls.oid = con.conrelid
      join pg_namespace ns on ns.oid = cls.relnamespace
      join pg_attribute att on att.attrelid = con.conrelid and att.attnum = con.conkey[1]
      where con.contype = 'f' and ns.nspname = current_schema() and cls.relname = ${table}
      order by con.conname`.execute(db);
    return r.rows;
  },
  async uniques(db: Kysely<unknown>, table: string) {
    const r = await sql<{ name: string; columns: string[]; is_index: boolean }>`
      select coalesce(con.conname, i.relname) as name, array_agg(a.attname::text order by k.ord) as columns, (con.oid is null) as is_index
      from pg_index x
      join pg_class i on i.oid = x.indexrelid
      join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      cross join lateral unnest(x.indkey) with ordinality as k(attnum, ord)
      join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
      left join pg_constraint con on con.conindid = x.indexrelid and con.contype = 'u'
      where x.indisunique and not x.indisprimary and n.nspname = current_schema() and t.relname = ${table}
      group by con.conname, i.relname, con.oid
      order by 1`.execute(db);
    return r.rows.map((u): CatalogUnique => ({ name: u.name, columns: u.columns, index: u.is_index }));
  },
  alterColumn(table, column, type, nullable, change) {
    const out = [];
    if (change.type) out.push(sql`alter table ${sql.table(table)} alter column ${sql.id(column)} type ${sql.raw(type)} using ${sql.id(column)}::${sql.raw(type)}`);
    if (change.nullable) out.push(sql`alter table ${sql.table(table)} alter column ${sql.id(column)} ${sql.raw(nullable ? 'drop not null' : 'set not null')}`);
    return out;
  },
  dropForeignKey: (table, name) => sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`,
  dropUnique: (table, unique) => (unique.index ? sql`drop index ${sql.id(unique.name)}` : sql`alter table ${sql.table(table)} drop constraint ${sql.id(unique.name)}`),
  dropCheck: (table, name) => sql`alter table ${sql.table(table)} drop constraint ${sql.id(name)}`,
  // Transaction-scoped: released by COMMIT/ROLLBACK, so it never outlives a pooled session (PgBouncer).
  migrationLock: { scope: 'transaction', statement: (key) => sql`select pg_advisory_xact_lock(hashtext(${key} || current_schema()))` },
};
