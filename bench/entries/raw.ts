/**
 * The baseline: the raw drivers as a careful hand-written application would use them.
 * SQLite: better-sqlite3 with statements prepared once; rows become plain objects with the two
 * conversions the semantics need (INTEGER 0/1 → boolean, ISO text → Date).
 * PostgreSQL: pg with one Client (no pool), named prepared statements, pg-cursor for streaming; pg
 * already returns booleans and Dates.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import Cursor from 'pg-cursor';
import { SQLITE_PRAGMAS, type Entry, type PostLike, type Target, type UserInput, type UserLike } from '../lib/common.js';
import { pgConfig } from '../lib/datasets.js';

const USER_COLUMNS = 'id, name, email, age, is_active AS "isActive", created_at AS "createdAt"';

interface SqliteUserRow {
  id: number;
  name: string;
  email: string;
  age: number;
  isActive: number | boolean;
  createdAt: string | Date;
}

/** In place: the two conversions SQLite needs. */
function toUser(row: SqliteUserRow): UserLike {
  row.isActive = row.isActive === 1;
  row.createdAt = new Date(row.createdAt as string);
  return row as UserLike;
}

export async function createEntry(target: Target): Promise<Entry> {
  return target.dialect === 'sqlite' ? sqliteEntry(target.file!) : postgresEntry(target);
}

function sqliteEntry(file: string): Entry {
  const db = new Database(file);
  for (const p of SQLITE_PRAGMAS) db.pragma(p);
  const insert = db.prepare('INSERT INTO users (name, email, age, is_active, created_at) VALUES (?, ?, ?, ?, ?)');
  const byPk = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`);
  const filtered = db.prepare(`SELECT ${USER_COLUMNS} FROM users WHERE age >= ? AND is_active = ? ORDER BY name LIMIT ?`);
  const all = db.prepare(`SELECT ${USER_COLUMNS} FROM users`);
  const update = db.prepare('UPDATE users SET age = ?, is_active = ? WHERE id = ?');
  const count = db.prepare('SELECT COUNT(*) AS n FROM users WHERE age = ? AND is_active = ?').pluck();
  const bulk = db.transaction((rows: UserInput[]) => {
    for (const u of rows) insert.run(u.name, u.email, u.age, u.isActive ? 1 : 0, u.createdAt.toISOString());
  });
  const postsOf = db.prepare('SELECT id, user_id AS "userId", title, published FROM posts WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY id');

  return {
    async insertOne(u) {
      const info = insert.run(u.name, u.email, u.age, u.isActive ? 1 : 0, u.createdAt.toISOString());
      return { id: Number(info.lastInsertRowid), ...u };
    },
    async bulkInsert(rows) {
      bulk(rows);
    },
    async findByPk(id) {
      return toUser(byPk.get(id) as SqliteUserRow);
    },
    async filtered() {
      return (filtered.all(30, 1, 100) as SqliteUserRow[]).map(toUser);
    },
    async all() {
      return (all.all() as SqliteUserRow[]).map(toUser);
    },
    async eager() {
      const users = (all.all() as SqliteUserRow[]).map(toUser);
      const out = users.map((user) => ({ user, posts: [] as PostLike[] }));
      const byId = new Map(out.map((o) => [o.user.id, o.posts]));
      const posts = postsOf.all(JSON.stringify(users.map((u) => u.id))) as { id: number; userId: number; title: string; published: number | boolean }[];
      for (const p of posts) {
        p.published = p.published === 1;
        byId.get(p.userId)!.push(p as PostLike);
      }
      return out;
    },
    async updateOne(id, age, isActive) {
      update.run(age, isActive ? 1 : 0, id);
    },
    async count(age) {
      return count.get(age, 1) as number;
    },
    async stream(_chunkSize, onRow) {
      for (const row of all.iterate() as IterableIterator<SqliteUserRow>) onRow(toUser(row));
    },
    async close() {
      db.close();
    },
  };
}

async function postgresEntry(target: Target): Promise<Entry> {
  const client = new pg.Client(pgConfig(target));
  await client.connect();
  const q = <R extends pg.QueryResultRow>(name: string, text: string, values: unknown[] = []) => client.query<R>({ name, text, values });
  return {
    async insertOne(u) {
      const r = await q<{ id: number }>('ins', 'INSERT INTO users (name, email, age, is_active, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id', [u.name, u.email, u.age, u.isActive, u.createdAt]);
      return { id: r.rows[0].id, ...u };
    },
    async bulkInsert(rows, chunk) {
      await client.query('BEGIN');
      try {
        for (let i = 0; i < rows.length; i += chunk) {
          const part = rows.slice(i, i + chunk);
          const values: unknown[] = [];
          const tuples = part.map((u, j) => {
            values.push(u.name, u.email, u.age, u.isActive, u.createdAt);
            const b = j * 5;
            return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5})`;
          });
          await client.query(`INSERT INTO users (name, email, age, is_active, created_at) VALUES ${tuples.join(', ')}`, values);
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    async findByPk(id) {
      return (await q<UserLike>('pk', `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id])).rows[0];
    },
    async filtered() {
      return (await q<UserLike>('w4', `SELECT ${USER_COLUMNS} FROM users WHERE age >= $1 AND is_active = $2 ORDER BY name LIMIT $3`, [30, true, 100])).rows;
    },
    async all() {
      return (await q<UserLike>('all', `SELECT ${USER_COLUMNS} FROM users`)).rows;
    },
    async eager() {
      const users = (await q<UserLike>('all', `SELECT ${USER_COLUMNS} FROM users`)).rows;
      const out = users.map((user) => ({ user, posts: [] as PostLike[] }));
      const byId = new Map(out.map((o) => [o.user.id, o.posts]));
      const posts = await q<PostLike & { userId: number }>('posts', 'SELECT id, user_id AS "userId", title, published FROM posts WHERE user_id = ANY($1) ORDER BY id', [users.map((u) => u.id)]);
      for (const p of posts.rows) byId.get(p.userId)!.push(p);
      return out;
    },
    async updateOne(id, age, isActive) {
      await q('upd', 'UPDATE users SET age = $1, is_active = $2 WHERE id = $3', [age, isActive, id]);
    },
    async count(age) {
      const r = await q<{ n: string }>('count', 'SELECT COUNT(*) AS n FROM users WHERE age = $1 AND is_active = $2', [age, true]);
      return Number(r.rows[0].n);
    },
    async stream(chunkSize, onRow) {
      const cursor = client.query(new Cursor(`SELECT ${USER_COLUMNS} FROM users`));
      try {
        for (;;) {
          const rows = (await cursor.read(chunkSize)) as UserLike[];
          if (rows.length === 0) break;
          for (const r of rows) onRow(r);
        }
      } finally {
        await cursor.close();
      }
    },
    async close() {
      await client.end();
    },
  };
}
