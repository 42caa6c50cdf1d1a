/**
 * Vitest global setup: probes the three dialects once per run, prints which ones the behaviour tests
 * will run on, and hands the answer to the test files through `provide('oxenDialects', ...)`.
 *
 * - SQLite is available when better-sqlite3 loads.
 * - PostgreSQL: `OXEN_PG_URL` (default `postgres://root@127.0.0.1:5432/test`).
 * - MySQL/MariaDB: `OXEN_MYSQL_URL` (default `mysql://root@127.0.0.1:3306/test`).
 * - `OXEN_REQUIRE_DIALECTS=sqlite,postgres,mysql` turns a skipped dialect into a failed run (CI sets it).
 *
 * The probes use the drivers directly (not Oxen), so a broken `src/` cannot hide a server.
 */
import type { TestProject } from 'vitest/node';

export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** What the probe found out about one dialect. */
export interface DialectStatus {
  readonly available: boolean;
  /** The base URL (credentials included; never printed). */
  readonly url: string;
  /** The URL with its password replaced by `***`. */
  readonly display: string;
  /** Why the dialect is unavailable (password-free). */
  readonly reason?: string;
  /** The environment variable that sets the URL, for hints. */
  readonly env?: string;
}

export type DialectStatusMap = Readonly<Record<DialectName, DialectStatus>>;

declare module 'vitest' {
  export interface ProvidedContext {
    oxenDialects: DialectStatusMap;
  }
}

export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres', 'mysql'];
const PROBE_TIMEOUT_MS = 3000;
const DEFAULT_PG_URL = 'postgres://root@127.0.0.1:5432/test';
const DEFAULT_MYSQL_URL = 'mysql://root@127.0.0.1:3306/test';

function envUrl(name: string, fallback: string): string {
  const value = process.env[name];
  return value !== undefined && value.trim() !== '' ? value.trim() : fallback;
}

/** Removes the password from a URL (the authority ends at the first '/', '?' or '#'; the last '@' in it separates the credentials). */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^/?#]*@/i, '$1:***@');
}

function passwordOf(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p === '' ? undefined : decodeURIComponent(p);
  } catch {
    return undefined;
  }
}

/** A one-line, password-free reason. */
function reasonOf(error: unknown, url: string): string {
  let text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (text.trim() === '' && typeof code === 'string') text = code;
  if (error instanceof AggregateError && error.errors.length > 0) text = (error.errors[0] as Error).message ?? text;
  const password = passwordOf(url);
  if (password !== undefined) text = text.split(password).join('***');
  text = text.split(url).join(redact(url)).replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function probeSqlite(): Promise<void> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(':memory:');
  try {
    const row = db.prepare('select 1 as x').get() as { x: number };
    if (row.x !== 1) throw new Error('better-sqlite3 answered select 1 wrongly');
  } finally {
    db.close();
  }
}

function pgClientConfig(url: string): { connectionString: string; connectionTimeoutMillis: number } {
  const parsed = new URL(url);
  parsed.search = ''; // Oxen's own parameters (schema=...) mean nothing to pg
  return { connectionString: parsed.toString(), connectionTimeoutMillis: PROBE_TIMEOUT_MS };
}

function mysqlConfig(url: string) {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? 3306 : Number(u.port),
    user: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined,
    connectTimeout: PROBE_TIMEOUT_MS,
  };
}

async function probePostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(pgClientConfig(url));
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), 'connect');
    await withTimeout(client.query('select 1'), 'select 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeMysql(url: string): Promise<void> {
  const { default: mysql } = await import('mysql2/promise');
  const connection = await withTimeout(mysql.createConnection(mysqlConfig(url)), 'connect');
  connection.on('error', () => undefined);
  try {
    await withTimeout(connection.query('select 1'), 'select 1');
  } finally {
    connection.destroy();
  }
}

async function status(url: string, env: string | undefined, probe: () => Promise<void>): Promise<DialectStatus> {
  const base = { url, display: redact(url), ...(env === undefined ? {} : { env }) };
  try {
    await withTimeout(probe(), 'probe');
    return { ...base, available: true };
  } catch (error) {
    return { ...base, available: false, reason: reasonOf(error, url) };
  }
}

/** Probes every dialect (in parallel, each bounded to ~3 s). */
export async function probeDialects(): Promise<DialectStatusMap> {
  const pgUrl = envUrl('OXEN_PG_URL', DEFAULT_PG_URL);
  const mysqlUrl = envUrl('OXEN_MYSQL_URL', DEFAULT_MYSQL_URL);
  const [sqlite, postgres, mysql] = await Promise.all([
    status('sqlite://:memory:', undefined, probeSqlite),
    status(pgUrl, 'OXEN_PG_URL', () => probePostgres(pgUrl)),
    status(mysqlUrl, 'OXEN_MYSQL_URL', () => probeMysql(mysqlUrl)),
  ]);
  return { sqlite, postgres, mysql };
}

/** `Oxen test dialects: sqlite ran · postgres ran · mysql SKIPPED (connect ECONNREFUSED ...; set OXEN_MYSQL_URL)` */
export function summary(map: DialectStatusMap): string {
  const parts = DIALECTS.map((name) => {
    const s = map[name];
    if (s.available) return `${name} ran`;
    const hint = s.env === undefined ? '' : `; set ${s.env}`;
    return `${name} SKIPPED (${s.reason ?? 'unavailable'}${hint})`;
  });
  return `Oxen test dialects: ${parts.join(' · ')}`;
}

/** The dialects named by `OXEN_REQUIRE_DIALECTS` (comma list); unknown names are an error. */
export function requiredDialects(value = process.env.OXEN_REQUIRE_DIALECTS ?? ''): DialectName[] {
  const names = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
  for (const name of names) {
    if (!(DIALECTS as readonly string[]).includes(name)) {
      throw new Error(`OXEN_REQUIRE_DIALECTS names an unknown dialect '${name}'; use a comma list of ${DIALECTS.join(', ')}`);
    }
  }
  return names as DialectName[];
}

function banner(text: string): string {
  const line = '─'.repeat(Math.min(100, text.length));
  return `\n${line}\n${text}\n${line}\n`;
}

const LOCK_POLL_MS = 500;

/**
 * Two test runs against the same servers would reset each other's `oxen_t<id>` schemas mid-run. Each run
 * therefore holds a server-side lock per schema prefix (a PostgreSQL advisory lock, a MySQL named lock)
 * from setup to teardown; a second run waits for it (printing why), up to OXEN_TEST_LOCK_TIMEOUT_MS.
 * The lock dies with its connection, so a killed run never leaves it behind.
 */
async function lockServers(map: DialectStatusMap, prefix: string): Promise<() => Promise<void>> {
  const releases: (() => Promise<void>)[] = [];
  const timeoutMs = Number(process.env.OXEN_TEST_LOCK_TIMEOUT_MS ?? 600_000);
  const name = `oxen-tests:${prefix}`;
  const waitFor = async (dialect: string, tryLock: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let told = false;
    while (!(await tryLock())) {
      if (!told) {
        console.log(`Another Oxen test run holds the ${dialect} schemas '${prefix}*'; waiting for it (set OXEN_TEST_SCHEMA_PREFIX to run side by side).`);
        told = true;
      }
      if (Date.now() > deadline) {
        throw new Error(`Another Oxen test run kept the ${dialect} schemas '${prefix}*' for ${timeoutMs} ms; set OXEN_TEST_SCHEMA_PREFIX to run side by side`);
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  };
  try {
    // Always PostgreSQL first, then MySQL: two runs cannot deadlock.
    if (map.postgres.available) {
      const { default: pg } = await import('pg');
      const client = new pg.Client(pgClientConfig(map.postgres.url));
      client.on('error', () => undefined);
      await client.connect();
      releases.push(() => client.end().catch(() => undefined));
      await waitFor('postgres', async () => (await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [name])).rows[0].ok);
    }
    if (map.mysql.available) {
      const { default: mysql } = await import('mysql2/promise');
      const connection = await mysql.createConnection(mysqlConfig(map.mysql.url));
      connection.on('error', () => undefined);
      releases.push(async () => connection.destroy());
      await waitFor('mysql', async () => {
        const [rows] = await connection.query('select get_lock(?, 0) as ok', [name]);
        return Number((rows as { ok: number | string }[])[0].ok) === 1;
      });
    }
  } catch (error) {
    for (const release of releases.reverse()) await release();
    throw error;
  }
  return async () => {
    for (const release of releases.reverse()) await release();
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const required = requiredDialects();
  const map = await probeDialects();
  const text = summary(map);
  console.log(banner(text));
  const missing = required.filter((name) => !map[name].available);
  if (missing.length > 0) {
    const why = missing.map((name) => `${name} (${map[name].display}): ${map[name].reason ?? 'unavailable'}`).join('; ');
    throw new Error(`OXEN_REQUIRE_DIALECTS=${process.env.OXEN_REQUIRE_DIALECTS} requires dialects that are unavailable: ${why}`);
  }
  const unlock = await lockServers(map, process.env.OXEN_TEST_SCHEMA_PREFIX ?? 'oxen_t');
  project.provide('oxenDialects', map);
  return async () => {
    await unlock();
    console.log(banner(text));
  };
}
