/**
 * Creates the datasets with the raw drivers, outside any timing: SQLite files and PostgreSQL databases
 * with the shared schema, seeded with the deterministic rows of common.ts.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_DDL, SQLITE_DDL, SQLITE_PRAGMAS, formatSqliteDate, postAt, userAt, type DateFormat, type Target } from './common.js';

// ---- SQLite ----

export interface SeedSpec {
  readonly users: number;
  readonly postsPerUser: number;
}

/** Creates a SQLite file with the schema and `spec` seeded (users 1..n with ids 1..n), dates in `format`. */
export function createSqliteDataset(file: string, spec: SeedSpec, format: DateFormat): void {
  const db = new Database(file);
  try {
    for (const p of SQLITE_PRAGMAS) db.pragma(p);
    for (const ddl of SQLITE_DDL) db.exec(ddl);
    seedSqlite(db, spec, format);
    db.exec('ANALYZE');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

function seedSqlite(db: Database.Database, spec: SeedSpec, format: DateFormat): void {
  const insertUser = db.prepare('INSERT INTO users (id, name, email, age, is_active, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const insertPost = db.prepare('INSERT INTO posts (user_id, title, published) VALUES (?, ?, ?)');
  const batch = 50_000;
  for (let start = 1; start <= spec.users; start += batch) {
    db.transaction(() => {
      const end = Math.min(spec.users, start + batch - 1);
      for (let i = start; i <= end; i++) {
        const u = userAt(i);
        insertUser.run(i, u.name, u.email, u.age, u.isActive ? 1 : 0, formatSqliteDate(u.createdAt, format));
        for (let k = 0; k < spec.postsPerUser; k++) {
          const p = postAt(i, k);
          insertPost.run(p.userId, p.title, p.published ? 1 : 0);
        }
      }
    })();
  }
}

// ---- PostgreSQL ----

export function pgConfig(target: Target, database = target.pg!.database): pg.ClientConfig {
  const p = target.pg!;
  return { host: p.host, port: p.port, user: p.user, password: p.password, database };
}

/** Is the server there? Resolves to an error message, or null. */
export async function probePostgres(target: Target): Promise<string | null> {
  const client = new pg.Client({ ...pgConfig(target, 'postgres'), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drops and re-creates database `name` (connecting through the `postgres` maintenance database). */
export async function recreatePgDatabase(target: Target, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
  const client = new pg.Client(pgConfig(target, 'postgres'));
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
    // Commits do not wait for the WAL flush (like SQLite's synchronous=NORMAL in WAL mode): W1 and W7
    // commit once per row, and an fsync per commit would measure the disk rather than the libraries.
    await client.query(`ALTER DATABASE ${name} SET synchronous_commit = off`);
  } finally {
    await client.end();
  }
}

/** Drops and re-creates the tables of `target`'s database (a fresh schema), then seeds `spec`. */
export async function resetPgTables(target: Target, spec: SeedSpec): Promise<void> {
  const client = new pg.Client(pgConfig(target));
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS posts, users CASCADE');
    for (const ddl of POSTGRES_DDL) await client.query(ddl);
    if (spec.users > 0) {
      // The same rows as userAt()/postAt(), generated in one INSERT ... SELECT per table for speed.
      // Checked against userAt() by the children's result validation.
      await client.query(`
        INSERT INTO users (id, name, email, age, is_active, created_at)
        SELECT i,
               'user ' || lpad(((i::bigint * 7919) % 1000003)::text, 7, '0'),
               'user' || i || '@example.com',
               18 + ((i * 37) % 60),
               i % 3 <> 0,
               to_timestamp((${Date.UTC(2024, 0, 1)}::bigint + i::bigint * 61001) / 1000.0)
        FROM generate_series(1, $1::int) AS i`, [spec.users]);
      await client.query(`SELECT setval('users_id_seq', $1::int)`, [spec.users]);
      if (spec.postsPerUser > 0) {
        await client.query(`
          INSERT INTO posts (user_id, title, published)
          SELECT u, 'post ' || u || '-' || k, (u + k) % 2 = 0
          FROM generate_series(1, $1::int) AS u, generate_series(0, $2::int - 1) AS k
          ORDER BY u, k`, [spec.users, spec.postsPerUser]);
      }
    }
    await client.query('ANALYZE users');
    await client.query('ANALYZE posts');
  } finally {
    await client.end();
  }
}
