import type { ColumnDefinitionBuilder, Dialect as KyselyDialect, Expression, InsertQueryBuilder, Kysely, RawBuilder, SqlBool } from 'kysely';
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
  /** Foreign keys can be added with ALTER TABLE (else they are declared inside CREATE TABLE). */
  readonly alterTableAddsForeignKeys: boolean;
  /**
   * A one-row INSERT reports its generated key as `insertId`, so `save()` needs no RETURNING (cheaper
   * on SQLite, the only way on MySQL). Default: false.
   */
  readonly insertIdOfOneRow?: boolean;
  /**
   * Rows per multi-row INSERT when `bulkCreate()` is given no `batchSize` (default 1000; always capped
   * by `maxParameters`). A fixed size keeps the statement's shape, so it is compiled once.
   */
  readonly bulkInsertRows?: number;
  /**
   * The driver returns a SELECT's rows as arrays (in select-list order) when the compiled query says
   * `arrayRows: true`: no object with named keys per row, which is most of a
   * driver's per-row cost. Default: false (rows are always objects).
   */
  readonly arrayRows?: boolean;
}

/** A compiled query whose rows should come back as arrays, where the dialect supports it. */
export interface ArrayRowsQuery {
  readonly arrayRows?: boolean;
}

/**
 * A driver connection that can be given up while a statement is still pending (its deadline passed):
 * `abandon()` destroys the socket, asks the server to cancel the statement through a fresh connection,
 * and makes the driver destroy the connection instead of returning it to the pool.
 */
export interface AbandonableConnection {
  abandon(): void;
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
  /** Makes an integer primary-key column auto-incrementing. */
  autoIncrement(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Table options appended to CREATE TABLE, or undefined. */
  tableOptions(): string | undefined;
  /** The value adapter for a field. */
  adapter(field: Field): ValueAdapter;
  /** The dialect's SQL pieces. */
  readonly sql: SqlOverrides;
  /** Driver error → Oxen error. */
  mapError: ErrorMapper;
  /**
   * True when a synchronous run failed only because another connection or process holds the lock
   * (SQLite's SQLITE_BUSY): the engine then runs the statement through `executeQuery`, which waits
   * for the lock on timers instead of blocking the event loop.
   */
  deferWhenBusy?(error: unknown): boolean;
  /**
   * True when this error, raised inside a transaction, ended the transaction on the server (PostgreSQL:
   * any error; MySQL/MariaDB: a deadlock; SQLite: I/O, full disk, out of memory). The transaction can
   * then only be rolled back.
   */
  abortsTransaction(error: unknown): boolean;
  /** Does the table exist in the connection's current schema/database? */
  tableExists(db: Kysely<unknown>, table: string): Promise<boolean>;
  /** Index names on a table in the current schema/database. */
  indexNames(db: Kysely<unknown>, table: string): Promise<Set<string>>;
  /** Drops tables that may reference each other (in any order, cycles included). */
  dropTables(db: Kysely<unknown>, tables: readonly string[]): Promise<void>;
  /** Schema changes and catalog reads beyond CREATE/DROP TABLE, for migrations and drift checks. */
  readonly schemaDdl: SchemaDdl;
}

/** A unique constraint or unique index found in the catalog. */
export interface CatalogUnique {
  readonly name: string;
  readonly columns: readonly string[];
  /** True for a unique index (dropped with DROP INDEX), false for a table constraint. */
  readonly index: boolean;
}

/**
 * What migrations need from a dialect beyond CREATE/DROP TABLE and indexes. Every statement is built with
 * Kysely from identifiers that come from migration state (validated names) and is returned unexecuted, so
 * that `oxen sqlmigrate` can print it.
 */
export interface SchemaDdl {
  /** The columns of a table, in order (empty when it does not exist). */
  columns(db: Kysely<unknown>, table: string): Promise<string[]>;
  /** The foreign-key constraints of a table: name and (first) column. */
  foreignKeys(db: Kysely<unknown>, table: string): Promise<{ readonly name: string; readonly column: string }[]>;
  /** The unique constraints and unique indexes of a table (the primary key excluded). */
  uniques(db: Kysely<unknown>, table: string): Promise<CatalogUnique[]>;
  /**
   * Changes a column to the field's type and/or nullability. Undefined where the dialect cannot ALTER a
   * column (SQLite: the table is rebuilt instead).
   */
  alterColumn?(table: string, column: string, type: string, nullable: boolean, change: { readonly type: boolean; readonly nullable: boolean }): RawBuilder<unknown>[];
  /** Drops a foreign-key constraint (undefined on SQLite: rebuilt). */
  dropForeignKey?(table: string, name: string): RawBuilder<unknown>;
  /** Drops a unique constraint or unique index found by {@link uniques}. */
  dropUnique(table: string, unique: CatalogUnique): RawBuilder<unknown>;
  /** Drops a CHECK constraint (undefined on SQLite: rebuilt). */
  dropCheck?(table: string, name: string): RawBuilder<unknown>;
  /**
   * How two migration runs exclude each other. `transaction`: `statement` (when given) takes a lock that the
   * transaction's end releases (PostgreSQL's advisory transaction lock); without a statement, the runner's
   * first write in the transaction takes the database's write lock (SQLite). `session`: a named lock held by
   * a dedicated connection for the whole run (MySQL's GET_LOCK; DDL there commits implicitly).
   */
  readonly migrationLock:
    | { readonly scope: 'transaction'; statement?(key: string): RawBuilder<unknown> }
    | { readonly scope: 'session'; acquire(key: string, timeoutSeconds: number): RawBuilder<{ locked: unknown }>; release(key: string): RawBuilder<unknown> };
}

/** An SQL expression (a column, a parameter, or a computed value). */
export type SqlExpression = Expression<any>;

/** Date/time transforms a dialect must know how to say. */
export type SqlTransform = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second' | 'date';

/** JSON key paths: strings are object keys, numbers array indexes. */
export type JsonPath = readonly (string | number)[];

/** Comparison operators a dialect may be asked for. */
export type SqlComparison = '=' | '<>' | '<' | '<=' | '>' | '>=';

/**
 * The pieces of SQL that differ between dialects. Everything is built with Kysely's `sql` tag;
 * values and JSON paths are bound parameters, identifiers come only from metadata.
 */
export interface SqlOverrides {
  /** Unicode case folding. */
  lower(expression: SqlExpression): RawBuilder<unknown>;
  /** A date/time transform of a column (evaluated in UTC). `week_day` is 1 = Sunday … 7 = Saturday. */
  transform(name: SqlTransform, expression: SqlExpression): RawBuilder<unknown>;
  /** Substring tests where `%`, `_` and `\` match themselves; case-sensitive unless asked. */
  textMatch(lhs: SqlExpression, mode: 'contains' | 'startswith' | 'endswith', rhs: SqlExpression, caseInsensitive: boolean): RawBuilder<SqlBool>;
  /** A regular-expression test (pattern bound). */
  regex(lhs: SqlExpression, pattern: string, caseInsensitive: boolean): RawBuilder<SqlBool>;
  /** JSON value at a path equals / compares to a JS value. */
  jsonCompare(document: SqlExpression, path: JsonPath, operator: SqlComparison, value: unknown): RawBuilder<SqlBool>;
  /** The JSON value at a path as text (strings unquoted), for text lookups. */
  jsonText(document: SqlExpression, path: JsonPath): RawBuilder<unknown>;
  /** The path exists (a JSON null there counts as existing). */
  jsonPathExists(document: SqlExpression, path: JsonPath): RawBuilder<SqlBool>;
  /** The document contains the given JSON structure (PostgreSQL's `@>` semantics). */
  jsonContains(document: SqlExpression, value: unknown): RawBuilder<SqlBool>;
  /** Extra NULL ordering so NULLs sort first ascending and last descending, or undefined when that is the default. */
  nullsOrder(descending: boolean): 'first' | 'last' | undefined;
  /**
   * The expression to compare or sort a field's column by: the column itself, or (SQLite decimals,
   * stored as text) a numeric cast.
   */
  orderable(field: Field, expression: SqlExpression): SqlExpression;
  /** An aggregate call. `field` is null for COUNT(*). Decimal results are strings with a fixed scale. */
  aggregate(fn: 'count' | 'sum' | 'avg' | 'min' | 'max', argument: SqlExpression | null, field: Field | null, distinct: boolean): RawBuilder<unknown>;
  /**
   * An INSERT that skips rows violating a unique constraint (`ignore`), or updates the given columns of
   * the existing row (`update`, with the conflict target for dialects that need one).
   */
  onConflict(
    insert: InsertQueryBuilder<any, any, any>,
    conflict: { readonly ignore: true } | { readonly conflictColumns: readonly string[]; readonly updateColumns: readonly string[] },
  ): InsertQueryBuilder<any, any, any>;
  /** A parameter typed as the field's column type where the dialect cannot infer it (PostgreSQL CASE). */
  typed(field: Field, expression: SqlExpression): SqlExpression;
  /** String concatenation. */
  concat(...parts: SqlExpression[]): RawBuilder<unknown>;
  /** A number inside F() arithmetic, typed so that integers stay integers (better-sqlite3 binds every JS number as REAL). */
  arithmeticValue(value: number): SqlExpression;
  /**
   * `+ - *` of an expression whose value is an exact decimal with `places` places, where the database's
   * own arithmetic would not be exact (SQLite stores decimals as text and computes in doubles).
   * Undefined: the plain operator is exact.
   */
  readonly decimalArithmetic?: (op: '+' | '-' | '*', left: SqlExpression, right: SqlExpression, places: number) => SqlExpression;
  /** Division of two integer expressions, truncating toward zero (MySQL's `/` is exact: it needs `DIV`). */
  integerDivide(left: SqlExpression, right: SqlExpression): RawBuilder<unknown>;
  /** What UPDATE assigns to a field from an F() expression (SQLite: decimals rounded to the field's places). */
  assignExpression(field: Field, expression: SqlExpression): SqlExpression;
  /** The LIMIT to use when only OFFSET is given (SQLite and MySQL need one), or undefined. */
  offsetWithoutLimit(): number | bigint | undefined;
  /**
   * Write `LIMIT n` as a literal rather than a parameter (SQLite: a bound LIMIT costs about 5 µs per
   * run in better-sqlite3). The value is always a validated non-negative integer. Default: bound.
   */
  readonly literalLimit?: boolean;
  /** Rewrites `?` placeholders (outside quotes) into the dialect's own (`$1`, ... on PostgreSQL). */
  placeholders(text: string): string;
  /** The EXPLAIN statement for a compiled SELECT. */
  explain(statement: string): string;
  /** Formats EXPLAIN rows as text. */
  formatPlan(rows: readonly Record<string, unknown>[]): string;
}

/** A factory: parsed config in, prepared dialect out. */
export type DialectFactory = (config: DriverConfig) => Promise<DialectDriver>;
