import { ConfigurationError, ConnectionError } from '../errors/index.js';
import { createMysqlDialect, createPostgresDialect, createSqliteDialect, type DialectFactory, type DialectName } from '../dialects/index.js';
import { isPlainObject, suggestion } from '../utils/index.js';
import { checkOptions, parseUrl, resolveDeadline, resolveLogger, resolvePool, type ConnectOptions, type ConnectionSpec } from './config.js';
import { Connection } from './connection.js';
import { resolveNPlusOne } from './n-plus-one.js';
import { resolveStatementLog } from './statement-log.js';
import { loadTracing } from './tracing.js';

const FACTORIES: Record<DialectName, DialectFactory> = {
  sqlite: createSqliteDialect,
  postgres: createPostgresDialect,
  mysql: createMysqlDialect,
};

const connections = new Map<string, Connection>();
const opening = new Map<string, Promise<Connection>>();

/** The URL `connect()` uses without arguments: `DATABASE_URL`, else the SQLite file `./oxen.sqlite3`. */
export function defaultUrl(): string {
  const env = process.env.DATABASE_URL;
  return env !== undefined && env.trim() !== '' ? env : 'sqlite://./oxen.sqlite3';
}

async function open(url: string, options: ConnectOptions): Promise<Connection> {
  const alias = options.alias ?? 'default';
  if (connections.has(alias) || opening.has(alias)) {
    throw new ConfigurationError(`A connection named '${alias}' is already open; close it first (closeAll()) or pass another alias`);
  }
  const parsed = parseUrl(url);
  const log = resolveLogger(options.logger);
  const pool = resolvePool(options.pool, parsed.dialect);
  const nPlusOne = resolveNPlusOne(options.nPlusOne, log);
  const statementLog = resolveStatementLog(options.log, log);
  const promise = (async () => {
    let connection: Connection | undefined;
    try {
      const driver = await FACTORIES[parsed.dialect]({
        ...parsed,
        pool,
        statementTimeoutMs: options.statementTimeoutMs,
        readOnly: options.readOnly === true,
        onBackgroundError: (error) => log.warn(`connection '${alias}' lost a client: ${error instanceof Error ? error.message : String(error)}`),
      });
      const tracing = await loadTracing(options.tracing !== false, parsed.dialect, parsed.database ?? parsed.filename);
      connection = new Connection(driver, {
        alias,
        display: parsed.display,
        acquireTimeoutMs: pool.acquireTimeoutMs,
        poolMax: pool.max,
        slowQueryMs: options.slowQueryMs,
        deadlineMs: resolveDeadline(options),
        readOnly: options.readOnly === true,
        log,
        statementLog,
        tracing,
        nPlusOne,
      });
      await connection.healthCheck();
      await driver.prepare(connection.kysely);
      connections.set(alias, connection);
      return connection;
    } catch (error) {
      await connection?.close().catch(() => undefined);
      if (error instanceof ConfigurationError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(`Cannot connect '${alias}' to ${parsed.display}: ${reason.replace(/^Health check .*? failed: /, '')}`, { cause: error });
    } finally {
      opening.delete(alias);
    }
  })();
  opening.set(alias, promise);
  return promise;
}

/**
 * Opens one or more named connections. Without arguments: `DATABASE_URL`, else the SQLite file
 * `./oxen.sqlite3`. With a map, the first entry is also the default unless one is named `default`.
 * Resolves to the (first) connection once it answered a health check.
 *
 * @example
 * ```ts
 * await connect();                                  // DATABASE_URL or ./oxen.sqlite3
 * await connect('sqlite://:memory:');
 * await connect('postgres://app@127.0.0.1:5432/app', { alias: 'pg', pool: { max: 10 } });
 * await connect({ default: 'postgres://.../app', replica: { url: 'postgres://.../app', readOnly: true } });
 * ```
 */
export async function connect(url?: string, options?: ConnectOptions): Promise<Connection>;
export async function connect(connections: Record<string, ConnectionSpec>): Promise<Connection>;
export async function connect(target?: string | Record<string, ConnectionSpec>, options?: ConnectOptions): Promise<Connection> {
  if (target === undefined || typeof target === 'string') return open(target ?? defaultUrl(), checkOptions(options));
  if (!isPlainObject(target)) throw new ConfigurationError('connect() takes a URL string or an object of { alias: url | { url, ...options } }');
  if (options !== undefined) throw new ConfigurationError('connect({ ... }) takes options inside each entry, not as a second argument');
  const entries = Object.entries(target);
  if (entries.length === 0) throw new ConfigurationError('connect({}) names no connection');
  const opened: Connection[] = [];
  try {
    for (const [alias, spec] of entries) {
      if (typeof spec === 'string') opened.push(await open(spec, { alias }));
      else if (isPlainObject(spec) && typeof spec.url === 'string') {
        const { url, ...rest } = spec;
        opened.push(await open(url, { ...checkOptions(rest), alias }));
      } else throw new ConfigurationError(`connect(): entry '${alias}' must be a URL or { url, ...options }`);
    }
  } catch (error) {
    await Promise.all(opened.map((c) => closeConnection(c.alias)));
    throw error;
  }
  const first = opened[0];
  if (!connections.has('default')) connections.set('default', first);
  return connections.get('default') ?? first;
}

/**
 * The connection named `alias` (default `'default'`).
 * @throws ConfigurationError when it was never opened, naming the open ones.
 */
export function getConnection(alias = 'default'): Connection {
  const c = connections.get(alias);
  if (c === undefined || c.closed) {
    const open = [...connections.keys()];
    throw new ConfigurationError(
      open.length === 0
        ? `No database connection '${alias}': call connect() first (e.g. await connect('sqlite://./app.db'))`
        : `No database connection '${alias}'${suggestion(alias, open)}`,
    );
  }
  return c;
}

/** Every open connection. */
export function listConnections(): readonly Connection[] {
  return [...new Set(connections.values())];
}

async function closeConnection(alias: string): Promise<void> {
  const c = connections.get(alias);
  if (c === undefined) return;
  for (const [key, value] of connections) if (value === c) connections.delete(key);
  await c.close();
}

/** Closes one connection by alias. Idempotent. */
export async function disconnect(alias = 'default'): Promise<void> {
  await closeConnection(alias);
}

/** Closes every connection's pool. Idempotent. */
export async function closeAll(): Promise<void> {
  const all = listConnections();
  connections.clear();
  await Promise.all(all.map((c) => c.close()));
}
