/**
 * Runs one behaviour suite on every dialect: `forEachDialect('QuerySet.filter', (ctx) => { it(...) })`
 * declares `describe('QuerySet.filter [sqlite]')`, `[postgres]` and `[mysql]`; a dialect whose server the
 * global setup could not reach becomes `describe.skip` with the reason in its title.
 *
 * Isolation: each vitest worker (VITEST_POOL_ID) owns the PostgreSQL schema `oxen_t<id>` and the MariaDB
 * database `oxen_t<id>`, reset in `beforeAll`; SQLite uses a fresh `sqlite://:memory:`.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, inject } from 'vitest';
import { closeAll, connect, disconnect, getConnection, syncSchema, type ConnectOptions, type Connection } from '../../src/index.js';
import { schemaModels } from '../../src/schema/index.js';

export type TestDialect = 'sqlite' | 'postgres' | 'mysql';

/** What a suite body receives. `url` and `connection()` are usable from hooks and tests (not at collection time). */
export interface DialectContext {
  readonly dialect: TestDialect;
  /** The isolated database URL of this worker (set in `beforeAll`; empty at collection time). */
  readonly url: string;
  /** The `'default'` connection opened for this suite. */
  connection(): Connection;
}

/** A model class, as metadata sees it. */
type ModelClassLike = abstract new (...a: never[]) => object;

export interface ForEachDialectOptions {
  /** Models whose tables `syncSchema` creates in `beforeAll` and whose rows are deleted before each test. */
  readonly models?: readonly ModelClassLike[];
  /** Extra options of the suite's `'default'` connection. */
  readonly connectOptions?: ConnectOptions;
}

export const TEST_DIALECTS: readonly TestDialect[] = ['sqlite', 'postgres', 'mysql'];
const BOOTSTRAP_ALIAS = '__bootstrap';

/** Whether the global setup reached the dialect, and the base URL (with credentials) if so. */
export function dialectStatus(dialect: TestDialect): { readonly available: boolean; readonly url: string; readonly reason?: string } {
  return inject('oxenDialects')[dialect];
}

/** The schema (PostgreSQL) / database (MySQL) this worker owns: `oxen_t<id>`. */
export function workerNamespace(): string {
  const id = process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? '0';
  const prefix = process.env.OXEN_TEST_SCHEMA_PREFIX ?? 'oxen_t';
  const name = `${prefix}${id}`;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Bad test schema name '${name}' (check OXEN_TEST_SCHEMA_PREFIX)`);
  return name;
}

async function withBootstrap(url: string, fn: (conn: Connection) => Promise<void>): Promise<void> {
  const conn = await connect(url, { alias: BOOTSTRAP_ALIAS, pool: { max: 1, acquireTimeoutMs: 10_000 } });
  try {
    await fn(conn);
  } finally {
    await disconnect(BOOTSTRAP_ALIAS);
  }
}

/**
 * An isolated, freshly reset database URL for the current worker: PostgreSQL `...?schema=oxen_t<id>`
 * (the schema dropped and re-created), MySQL `.../oxen_t<id>` (the database dropped and re-created),
 * SQLite `sqlite://:memory:`.
 */
export async function testUrl(dialect: TestDialect): Promise<string> {
  const status = dialectStatus(dialect);
  if (!status.available) throw new Error(`Dialect ${dialect} is unavailable: ${status.reason ?? 'not probed'}`);
  const name = workerNamespace();
  switch (dialect) {
    case 'sqlite':
      return 'sqlite://:memory:';
    case 'postgres': {
      const base = new URL(status.url);
      base.searchParams.delete('schema');
      await withBootstrap(base.toString(), async (conn) => {
        await sql`drop schema if exists ${sql.id(name)} cascade`.execute(conn.kysely);
        await sql`create schema ${sql.id(name)}`.execute(conn.kysely);
      });
      const url = new URL(base.toString());
      url.searchParams.set('schema', name);
      return url.toString();
    }
    case 'mysql': {
      await withBootstrap(status.url, async (conn) => {
        await sql`drop database if exists ${sql.id(name)}`.execute(conn.kysely);
        await sql`create database ${sql.id(name)} character set utf8mb4`.execute(conn.kysely);
      });
      const url = new URL(status.url);
      url.pathname = `/${name}`;
      return url.toString();
    }
  }
}

/** Deletes every row of the tables and resets their id sequences, on one pinned connection. */
async function emptyTables(conn: Connection, tables: readonly string[]): Promise<void> {
  if (tables.length === 0) return;
  await conn.kysely.connection().execute(async (db) => {
    switch (conn.dialect) {
      case 'postgres':
        await sql`truncate ${sql.join(tables.map((t) => sql.table(t)))} restart identity cascade`.execute(db);
        return;
      case 'mysql':
        await sql`set foreign_key_checks = 0`.execute(db);
        try {
          for (const t of tables) await sql`truncate table ${sql.table(t)}`.execute(db);
        } finally {
          await sql`set foreign_key_checks = 1`.execute(db);
        }
        return;
      case 'sqlite': {
        await sql`pragma foreign_keys = off`.execute(db);
        try {
          for (const t of tables) await sql`delete from ${sql.table(t)}`.execute(db);
          const seq = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name = 'sqlite_sequence'`.execute(db);
          if (seq.rows.length > 0) await sql`delete from sqlite_sequence`.execute(db);
        } finally {
          await sql`pragma foreign_keys = on`.execute(db);
        }
        return;
      }
    }
  });
}

/**
 * Declares `describe(`${title} [${dialect}]`)` for each dialect and runs `body` inside it. Hooks:
 * `beforeAll` resets the worker's schema/database, connects it as `'default'` (plus `connectOptions`)
 * and, given `models`, runs `syncSchema({ models })`; `beforeEach` empties the models' tables;
 * `afterAll` runs `closeAll()` (so every alias a test opened is closed too).
 */
export function forEachDialect(title: string, body: (ctx: DialectContext) => void, options: ForEachDialectOptions = {}): void {
  for (const dialect of TEST_DIALECTS) {
    const status = dialectStatus(dialect);
    let url = '';
    const ctx: DialectContext = {
      dialect,
      get url() {
        return url;
      },
      connection: () => getConnection('default'),
    };
    if (!status.available) {
      describe.skip(`${title} [${dialect}] (SKIPPED: ${status.reason ?? 'unavailable'})`, () => body(ctx));
      continue;
    }
    describe(`${title} [${dialect}]`, () => {
      // The models' tables plus the join tables Oxen generated for their many-to-many relations.
      const tables = (): string[] => (options.models === undefined ? [] : schemaModels('default', { models: options.models }).map((m) => m.table));
      beforeAll(async () => {
        url = await testUrl(dialect);
        await connect(url, { ...options.connectOptions, alias: 'default' });
        if (options.models !== undefined && options.models.length > 0) {
          await syncSchema({ models: options.models });
        }
      });
      beforeEach(async () => {
        await emptyTables(getConnection('default'), tables());
      });
      afterAll(async () => {
        await closeAll();
      });
      body(ctx);
    });
  }
}
