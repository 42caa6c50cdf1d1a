import { ConfigurationError } from '../errors/index.js';
import type { DialectName, ResolvedPoolOptions } from '../dialects/index.js';
import { isPlainObject, redactUrl, suggestion } from '../utils/index.js';
import type { NPlusOneOption } from './n-plus-one.js';
import { checkLogOption, type LogOption } from './statement-log.js';

/** Pool settings (all optional). */
export interface PoolOptions {
  /** Connections kept open when idle (default 0). */
  min?: number;
  /** Most connections at once (default 10; SQLite always uses one). */
  max?: number;
  /** How long a query waits for a free connection before a ConnectionError (default 10 000 ms). */
  acquireTimeoutMs?: number;
  /** How long an idle connection stays open (default 30 000 ms). */
  idleTimeoutMs?: number;
  /** Connections older than this are replaced (0 = never; PostgreSQL only). */
  maxLifetimeMs?: number;
}

/** A pino-style logger: each method takes a context object, then a message (`log.warn({ sql }, 'slow query')`). */
export interface OxenLogger {
  debug(context: Record<string, unknown>, message: string): void;
  info(context: Record<string, unknown>, message: string): void;
  warn(context: Record<string, unknown>, message: string): void;
  error(context: Record<string, unknown>, message: string): void;
}

/** The engine's own logging interface (message first). */
export interface Log {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** A logger as a single function. */
export type LogFunction = (level: 'debug' | 'info' | 'warn' | 'error', message: string, context?: Record<string, unknown>) => void;

/** What the client-side statement deadline adds to `statementTimeoutMs` by default (the server's own timeout answers first). */
export const DEADLINE_GRACE_MS = 2000;

/** The statement deadline in ms, or undefined for none (see `ConnectOptions.statementDeadlineMs`). */
export function resolveDeadline(options: Pick<ConnectOptions, 'statementTimeoutMs' | 'statementDeadlineMs'>): number | undefined {
  if (options.statementDeadlineMs !== undefined) return options.statementDeadlineMs > 0 ? options.statementDeadlineMs : undefined;
  return options.statementTimeoutMs !== undefined && options.statementTimeoutMs > 0 ? options.statementTimeoutMs + DEADLINE_GRACE_MS : undefined;
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /** The connection's alias (default `'default'`). */
  alias?: string;
  /** Pool settings. */
  pool?: PoolOptions;
  /** Abort statements that run longer than this (PostgreSQL and MySQL/MariaDB). */
  statementTimeoutMs?: number;
  /**
   * Client-side deadline for the server's answer to each statement (PostgreSQL and MySQL/MariaDB): past
   * it the call rejects with a ConnectionError, the connection is closed and the statement cancelled.
   * Default: `statementTimeoutMs` plus {@link DEADLINE_GRACE_MS} when `statementTimeoutMs` is set, else
   * none. 0 turns it off.
   */
  statementDeadlineMs?: number;
  /** Statements slower than this are logged (warn) with their SQL and redacted parameters. */
  slowQueryMs?: number;
  /** Where Oxen logs: a function or a pino-style object (default: warnings and errors to the console). */
  logger?: OxenLogger | LogFunction;
  /** Refuse writes at the database session level (for replicas). */
  readOnly?: boolean;
  /** The SQL log: every statement with its duration, rows and depth (see docs/diagnostics.md); `OXEN_LOG=queries` when absent. */
  log?: LogOption;
  /** The N+1 detector: `'raise'` (tests), `'warn'` (default unless NODE_ENV=production), `'off'`, or `{ mode, threshold, allow }`. */
  nPlusOne?: NPlusOneOption;
  /** OpenTelemetry spans when `@opentelemetry/api` is installed (default true). */
  tracing?: boolean;
}

/** One entry of `connect({ alias: ... })`: a URL, or options with a `url`. */
export type ConnectionSpec = string | (Omit<ConnectOptions, 'alias'> & { url: string });

const OPTION_KEYS = ['alias', 'pool', 'statementTimeoutMs', 'statementDeadlineMs', 'slowQueryMs', 'logger', 'readOnly', 'log', 'nPlusOne', 'tracing'];
const POOL_KEYS = ['min', 'max', 'acquireTimeoutMs', 'idleTimeoutMs', 'maxLifetimeMs'];
const SCHEMES: Record<string, DialectName> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};
/** sslmode values Oxen understands: off, TLS without verifying the certificate, TLS with verification. */
const SSL_MODES = ['disable', 'require', 'verify-full'];
/** prepare values: named prepared statements on (the default) or off (e.g. behind PgBouncer in transaction mode). */
const PREPARE_VALUES = ['true', 'false'];
const URL_PARAMS: Record<DialectName, string[]> = {
  sqlite: [],
  postgres: ['schema', 'sslmode', 'application_name', 'prepare'],
  mysql: [],
};

/** A parsed connection URL. */
export interface ParsedUrl {
  readonly dialect: DialectName;
  readonly filename?: string;
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly params: Readonly<Record<string, string>>;
  /** The URL with its password replaced by `***`, for messages. */
  readonly display: string;
}

/**
 * Parses a connection URL. `sqlite://:memory:`, `sqlite:///abs/path.db`, `sqlite://./rel.db`,
 * `postgres[ql]://user:pw@host:port/db?schema=s`, `mysql|mariadb://user:pw@host:port/db`.
 */
export function parseUrl(url: string): ParsedUrl {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ConfigurationError('The connection URL is empty; pass e.g. sqlite://./app.db or postgres://user@host/db');
  }
  const display = redactUrl(url);
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (m === null) throw new ConfigurationError(`Malformed connection URL '${display}': it has no scheme; use sqlite://, postgres://, postgresql://, mysql:// or mariadb://`);
  const scheme = m[1].toLowerCase();
  const dialect = SCHEMES[scheme];
  if (dialect === undefined) {
    throw new ConfigurationError(`Unknown database scheme '${scheme}' in '${display}'${suggestion(scheme, Object.keys(SCHEMES))}`);
  }
  if (dialect === 'sqlite') {
    if (!url.slice(scheme.length).startsWith('://')) {
      throw new ConfigurationError(`Malformed SQLite URL '${display}': write sqlite://:memory:, sqlite:///absolute/path.db or sqlite://./relative.db`);
    }
    const rest = url.slice(scheme.length + 3);
    const [path, query] = rest.split('?', 2);
    if (query !== undefined && query !== '') {
      throw new ConfigurationError(`SQLite URLs take no parameters ('?${query}' in '${display}')`);
    }
    if (path === '') throw new ConfigurationError(`The SQLite URL '${display}' names no file; use sqlite://:memory: or sqlite://./app.db`);
    return { dialect, filename: path === ':memory:' ? ':memory:' : decodeURIComponent(path), params: {}, display };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // No `cause`: Node's TypeError carries the raw URL (password included) in its `input` property.
    throw new ConfigurationError(`Malformed connection URL '${display}': expected ${scheme}://user:password@host:port/database`);
  }
  if (parsed.hostname === '') throw new ConfigurationError(`The URL '${display}' names no host`);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new ConfigurationError(`The URL '${display}' names no database: add it as the path, e.g. ${scheme}://user@host:port/mydb`);
  }
  let port: number | undefined;
  if (parsed.port !== '') {
    port = Number(parsed.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigurationError(`Invalid port in '${display}'`);
  }
  const params: Record<string, string> = {};
  for (const [key, value] of parsed.searchParams) {
    if (!URL_PARAMS[dialect].includes(key)) {
      const valid = URL_PARAMS[dialect];
      throw new ConfigurationError(`Unknown URL parameter '${key}' in '${display}'${valid.length === 0 ? `: ${scheme} URLs take none` : suggestion(key, valid)}`);
    }
    if (key === 'sslmode' && !SSL_MODES.includes(value)) {
      throw new ConfigurationError(`Unknown sslmode '${value}' in '${display}'${suggestion(value, SSL_MODES)}`);
    }
    if (key === 'prepare' && !PREPARE_VALUES.includes(value)) {
      throw new ConfigurationError(`Invalid value '${value}' for URL parameter 'prepare' in '${display}': use prepare=true (the default) or prepare=false`);
    }
    if (key === 'schema' && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) {
      throw new ConfigurationError(`Invalid schema name '${value}' in '${display}': use letters, digits and '_'`);
    }
    params[key] = value;
  }
  return {
    dialect,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: port ?? (dialect === 'postgres' ? 5432 : 3306),
    user: parsed.username === '' ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === '' ? undefined : decodeURIComponent(parsed.password),
    database,
    params,
    display,
  };
}

function nonNegative(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(`Option ${name} must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Checks option names and types; unknown names are a ConfigurationError with a suggestion. */
export function checkOptions(options: unknown): ConnectOptions {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw new ConfigurationError('connect() options must be an object');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) throw new ConfigurationError(`Unknown connect() option '${key}'${suggestion(key, OPTION_KEYS)}`);
  }
  const o = options as ConnectOptions;
  if (o.alias !== undefined && (typeof o.alias !== 'string' || o.alias === '')) throw new ConfigurationError('Option alias must be a non-empty string');
  if (o.pool !== undefined) {
    if (!isPlainObject(o.pool)) throw new ConfigurationError('Option pool must be an object');
    for (const key of Object.keys(o.pool)) {
      if (!POOL_KEYS.includes(key)) throw new ConfigurationError(`Unknown pool option '${key}'${suggestion(key, POOL_KEYS)}`);
      nonNegative((o.pool as Record<string, unknown>)[key], `pool.${key}`);
    }
    const pool = o.pool as PoolOptions;
    if (pool.max !== undefined && (!Number.isInteger(pool.max) || pool.max < 1)) throw new ConfigurationError('Option pool.max must be an integer of at least 1');
    if (pool.acquireTimeoutMs !== undefined && pool.acquireTimeoutMs < 1) throw new ConfigurationError('Option pool.acquireTimeoutMs must be at least 1 (ms)');
    if (pool.min !== undefined && pool.max !== undefined && pool.min > pool.max) throw new ConfigurationError('Option pool.min must not exceed pool.max');
  }
  nonNegative(o.statementTimeoutMs, 'statementTimeoutMs');
  nonNegative(o.statementDeadlineMs, 'statementDeadlineMs');
  nonNegative(o.slowQueryMs, 'slowQueryMs');
  if (o.logger !== undefined && typeof o.logger !== 'function' && !(typeof o.logger === 'object' && o.logger !== null && typeof (o.logger as OxenLogger).warn === 'function')) {
    throw new ConfigurationError('Option logger must be a function or an object with debug/info/warn/error methods');
  }
  if (o.readOnly !== undefined && typeof o.readOnly !== 'boolean') throw new ConfigurationError('Option readOnly must be a boolean');
  checkLogOption(o.log);
  if (o.tracing !== undefined && typeof o.tracing !== 'boolean') throw new ConfigurationError('Option tracing must be a boolean');
  return o;
}

/** Pool options with defaults applied. */
export function resolvePool(pool: PoolOptions | undefined, dialect: DialectName): ResolvedPoolOptions {
  return {
    min: pool?.min ?? 0,
    max: dialect === 'sqlite' ? 1 : (pool?.max ?? 10),
    acquireTimeoutMs: pool?.acquireTimeoutMs ?? 10_000,
    idleTimeoutMs: pool?.idleTimeoutMs ?? 30_000,
    maxLifetimeMs: pool?.maxLifetimeMs ?? 0,
  };
}

const noop = (): void => undefined;

/** Turns the `logger` option into a pino-style object. */
export function resolveLogger(logger: ConnectOptions['logger']): Log {
  if (logger === undefined) {
    return {
      debug: noop,
      info: noop,
      warn: (message, context) => console.warn(`[oxen] ${message}`, context ?? ''),
      error: (message, context) => console.error(`[oxen] ${message}`, context ?? ''),
    };
  }
  if (typeof logger === 'function') {
    return {
      debug: (m, c) => logger('debug', m, c),
      info: (m, c) => logger('info', m, c),
      warn: (m, c) => logger('warn', m, c),
      error: (m, c) => logger('error', m, c),
    };
  }
  return {
    debug: (m, c) => logger.debug?.call(logger, c ?? {}, m),
    info: (m, c) => logger.info?.call(logger, c ?? {}, m),
    warn: (m, c) => logger.warn.call(logger, c ?? {}, m),
    error: (m, c) => logger.error.call(logger, c ?? {}, m),
  };
}
