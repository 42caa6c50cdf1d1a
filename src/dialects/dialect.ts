import type { Dialect as KyselyDialect, Kysely } from 'kysely';
import type { IntegrityErrorKind } from '../errors/index.js';
import type { Field } from '../fields/index.js';

/** The three SQL dialects. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * What a dialect can do. Code outside `dialects/` asks these, never the dialect's name.
 * Every capability defaults to "not supported" in the sense that a dialect must opt in.
 */
export interface DialectFeatures {
  /** INSERT/UPDATE ... RETURNING is available. */
  readonly supportsReturning: boolean;
  /** DDL can run inside a transaction and roll back. */
  readonly transactionalDdl: boolean;
  /** SET TRANSACTION ISOLATION LEVEL is meaningful (SQLite is always serializable). */
  readonly supportsIsolationLevels: boolean;
  /** SELECT ... FOR UPDATE exists (a no-op is used where it does not). */
  readonly supportsSelectForUpdate: boolean;
  /** The most bound parameters one statement may carry. */
  readonly maxParameters: number;
  /** One connection serves every query (statements from concurrent contexts queue). */
  readonly singleConnection: boolean;
}

/** Pool settings, all resolved to numbers. */
export interface ResolvedPoolOptions {
  readonly min: number;
  readonly max: number;
  readonly acquireTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxLifetimeMs: number;
}

/** A parsed connection target. */
export interface DriverConfig {
  readonly dialect: DialectName;
  /** SQLite: the file path, or ':memory:'. */
  readonly filename?: string;
  /** Servers: host, port, credentials, database, extra parameters from the URL's query string. */
  readonly host?: string;
  readonly port?: number;
  readonly user?: string;
  readonly password?: string;
  readonly database?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly pool: ResolvedPoolOptions;
  readonly statementTimeoutMs?: number;
  /** Refuse writes at the session level. */
  readonly readOnly: boolean;
  /** Called with errors that happen outside any query (an idle or checked-out client losing its socket). */
  readonly onBackgroundError: (error: unknown) => void;
}

/** Pool occupancy. */
export interface PoolStats {
  readonly size: number;
  readonly idle: number;
  readonly waiting: number;
}

/** How a field's values cross the driver boundary. `null` means identity (skipped on hot paths). */
export interface ValueAdapter {
  /** JS value → driver parameter. Never called with null/undefined. */
  readonly toDb: ((value: unknown) => unknown) | null;
  /** Driver value → JS value. Never called with null. */
  readonly fromDb: ((value: unknown) => unknown) | null;
}

/** What a driver error means; the engine turns it into an Oxen error with the SQL context. */
export type MappedError =
  | { readonly type: 'integrity'; readonly kind: IntegrityErrorKind; readonly message: string; readonly constraint?: string; readonly columns?: readonly string[] }
  | { readonly type: 'connection'; readonly message: string }
  | { readonly type: 'operational'; readonly message: string };

/** Reads a driver error; undefined when it is not the driver's. */
export type ErrorMapper = (error: unknown) => MappedError | undefined;

/**
 * One dialect, prepared for one connection: the Kysely dialect that talks to the server, and the
 * dialect's answers about column types, values, errors and introspection.
 */
export interface DialectDriver {
  readonly name: DialectName;
  readonly features: DialectFeatures;
  /** The Kysely dialect (its driver is wrapped by the engine for metrics and error mapping). */
  readonly kyselyDialect: KyselyDialect;
  /** Runs once after the first connection works (version checks, session settings). */
  prepare(db: Kysely<unknown>): Promise<void>;
  /** Current pool occupancy. */
  poolStats(): PoolStats;
  /** The column type for a field, as SQL text built only from metadata. */
  columnType(field: Field): string;
  /** Table options appended to CREATE TABLE, or undefined. */
  tableOptions(): string | undefined;
  /** The value adapter for a field. */
  adapter(field: Field): ValueAdapter;
  /** Driver error → Oxen error. */
  mapError: ErrorMapper;
  /** Does the table exist in the connection's current schema/database? */
  tableExists(db: Kysely<unknown>, table: string): Promise<boolean>;
  /** Index names on a table in the current schema/database. */
  indexNames(db: Kysely<unknown>, table: string): Promise<Set<string>>;
}

/** A factory: parsed config in, prepared dialect out. */
export type DialectFactory = (config: DriverConfig) => Promise<DialectDriver>;
