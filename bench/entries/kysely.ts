/**
 * Raw Kysely (the query builder Oxen is built on), used directly: Kysely's own SqliteDialect over
 * better-sqlite3 (which prepares every statement) and PostgresDialect over a pg Pool with pg-cursor.
 * Rows get the same conversions as the raw entry on SQLite.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Generated } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { SQLITE_PRAGMAS, type Entry, type PostLike, type Target, type UserLike } from '../lib/common.js';
import { pgConfig } from '../lib/datasets.js';

interface DB {
  users: { id: Generated<number>; name: string; email: string; age: number; is_active: number | boolean; created_at: string | Date };
  posts: { id: Generated<number>; user_id: number; title: string; published: number | boolean };
}

export async function createEntry(target: Target): Promise<Entry> {
  const sqlite = target.dialect === 'sqlite';
  let db: Kysely<DB>;
  if (sqlite) {
    const database = new Database(target.file!);
    for (const p of SQLITE_PRAGMAS) database.pragma(p);
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database }) });
  } else {
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ ...pgConfig(target), max: 10 }), cursor: Cursor }) });
  }
  const bool = (v: boolean) => (sqlite ? (v ? 1 : 0) : v);
  const date = (v: Date) => (sqlite ? v.toISOString() : v);
  const cols = ['id', 'name', 'email', 'age', 'is_active as isActive', 'created_at as createdAt'] as const;
  type Row = { id: number; name: string; email: string; age: number; isActive: number | boolean; createdAt: string | Date };
  const toUser = sqlite
    ? (r: Row): UserLike => {
        r.isActive = r.isActive === 1;
        r.createdAt = new Date(r.createdAt as string);
        return r as UserLike;
      }
    : (r: Row): UserLike => r as UserLike;

  return {
    async insertOne(u) {
      const values = { name: u.name, email: u.email, age: u.age, is_active: bool(u.isActive), created_at: date(u.createdAt) };
      if (sqlite) {
        const r = await db.insertInto('users').values(values).executeTakeFirstOrThrow();
        return { id: Number(r.insertId), ...u };
      }
      const r = await db.insertInto('users').values(values).returning('id').executeTakeFirstOrThrow();
      return { id: r.id, ...u };
    },
    async bulkInsert(rows, chunk) {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < rows.length; i += chunk) {
          const part = rows.slice(i, i + chunk).map((u) => ({ name: u.name, email: u.email, age: u.age, is_active: bool(u.isActive), created_at: date(u.createdAt) }));
          await trx.insertInto('users').values(part).execute();
        }
      });
    },
    async findByPk(id) {
      return toUser((await db.selectFrom('users').select(cols).where('id', '=', id).executeTakeFirstOrThrow()) as Row);
    },
    async filtered() {
      const rows = await db.selectFrom('users').select(cols).where('age', '>=', 30).where('is_active', '=', bool(true)).orderBy('name').limit(100).execute();
      return (rows as Row[]).map(toUser);
    },
    async all() {
      return ((await db.selectFrom('users').select(cols).execute()) as Row[]).map(toUser);
    },
    async eager() {
      const users = ((await db.selectFrom('users').select(cols).execute()) as Row[]).map(toUser);
      const out = users.map((user) => ({ user, posts: [] as PostLike[] }));
      const byId = new Map(out.map((o) => [o.user.id, o.posts]));
      const ids = users.map((u) => u.id);
      const posts = await db.selectFrom('posts').select(['id', 'user_id as userId', 'title', 'published']).where('user_id', 'in', ids).orderBy('id').execute();
      for (const p of posts) {
        const post = { id: p.id, title: p.title, published: sqlite ? p.published === 1 : (p.published as boolean) };
        byId.get(p.userId)!.push(post);
      }
      return out;
    },
    async updateOne(id, age, isActive) {
      await db.updateTable('users').set({ age, is_active: bool(isActive) }).where('id', '=', id).execute();
    },
    async count(age) {
      const r = await db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).where('age', '=', age).where('is_active', '=', bool(true)).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    async stream(chunkSize, onRow) {
      for await (const r of db.selectFrom('users').select(cols).stream(chunkSize)) onRow(toUser(r as Row));
    },
    async close() {
      await db.destroy();
    },
  };
}
