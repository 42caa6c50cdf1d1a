import { Kysely, sql, type CompiledQuery, type Dialect as KyselyDialect, type QueryResult } from 'kysely';
import { ConnectionError, OxenError } from '../errors/index.js';
import type { DialectDriver, DialectFeatures, DialectName } from '../dialects/index.js';
import type { Log } from './config.js';
import { currentFrame } from './context.js';
import { DEFERRED, InstrumentedDriver, type StatementObserver } from './instrumented-driver.js';
import { Monitor, type LatencySummary } from './monitor.js';
import type { NPlusOneSettings } from './n-plus-one.js';
import { logParameters, type StatementLog } from './statement-log.js';
import { statementSpan, type Tracing } from './tracing.js';

/** What `db.metrics()` returns. */
export interface ConnectionMetrics {
  readonly alias: string;
  readonly dialect: DialectName;
  /** Statements sent to the database, transaction control included. */
  readonly queries: number;
  /** Statements that failed. */
  readonly errors: number;
  /** Statements per second since the connection opened or `resetMetrics()`. */
  readonly qps: number;
  /** Latency percentiles (within 1 %) over every statement since the connection opened or `resetMetrics()`. */
  readonly latencyMs: LatencySummary;
  /** Statements slower than `slowQueryMs`. */
  readonly slowQueries: number;
  /** Pool occupancy. */
  readonly pool: { readonly size: number; readonly idle: number; readonly waiting: number };
  /** Query-cache counters (no cache is kept yet: always zero). */
  readonly cache: { readonly hits: number; readonly misses: number; readonly entries: number };
  /** Milliseconds since the connection opened. */
  readonly uptimeMs: number;
}

/** Settings a connection is opened with (resolved). */
export interface ConnectionSettings {
  readonly alias: string;
  readonly display: string;
  readonly acquireTimeoutMs: number;
  readonly poolMax: number;
  readonly slowQueryMs: number | undefined;
  /** The client-side statement deadline (ms), or undefined for none. */
  readonly deadlineMs?: number;
  readonly readOnly: boolean;
  readonly log: Log;
  /** The SQL log, when one is on. */
  readonly statementLog?: StatementLog;
  /** OpenTelemetry, when `@opentelemetry/api` is installed. */
  readonly tracing?: Tracing;
  /** The N+1 detector's settings. */
  readonly nPlusOne: NPlusOneSettings;
}

/** The hook that feeds the SQL log and the statement spans, or undefined when neither is on. */
function statementObserver(alias: string, log: Log, statementLog: StatementLog | undefined, tracing: Tracing | undefined): StatementObserver | undefined {
  if (statementLog === undefined && tracing === undefined) return undefined;
  return (query, startedAt, endedAt, rows, error) => {
    const frame = currentFrame(alias);
    if (tracing !== undefined) {
      try {
        statementSpan(tracing, frame?.span, query.sql, startedAt, endedAt, error);
      } catch (spanError) {
        // A tracer that throws never fails the statement.
        log.error('creating the OpenTelemetry span of a statement failed (the statement itself was not affected)', { error: spanError });
      }
    }
    if (statementLog !== undefined) {
      statementLog.write({
        alias,
        sql: query.sql,
        parameters: logParameters(statementLog, query.parameters),
        durationMs: endedAt - startedAt,
        rows,
        depth: frame?.depth ?? 0,
        ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
      });
    }
  };
}

/**
 * One named database connection (a pool, or SQLite's single connection), with its dialect, its Kysely
 * instance and its metrics.
 *
 * @example
 * ```ts
 * const db = getConnection();
 * db.dialect;                 // 'sqlite' | 'postgres' | 'mysql'
 * await db.healthCheck();     // true, or throws ConnectionError
 * db.metrics().queries;
 * ```
 */
export class Connection {
  /** The alias (`'default'` unless given). */
  readonly alias: string;
  /** The dialect. */
  readonly dialect: DialectName;
  /** What the dialect can do. */
  readonly features: DialectFeatures;
  /** The underlying Kysely instance (escape hatch; it does not join `transaction()` — use the callback's `tx.kysely`). */
  readonly kysely: Kysely<any>;
  /** True when the connection refuses writes. */
  readonly readOnly: boolean;
  /** The dialect driver (column types, value adapters, introspection). @internal */
  readonly driver: DialectDriver;
  /** The engine's logger. @internal */
  readonly log: Log;
  /** OpenTelemetry, when `@opentelemetry/api` is installed. @internal */
  readonly tracing: Tracing | undefined;
  /** The N+1 detector's settings for instances loaded through this connection. @internal */
  readonly nPlusOne: NPlusOneSettings;
  readonly #monitor = new Monitor();
  readonly #display: string;
  #driverInstance: InstrumentedDriver | undefined;
  #closed = false;

  /** Made by `connect()`; not part of the public API. @internal */
  constructor(driver: DialectDriver, settings: ConnectionSettings) {
    this.alias = settings.alias;
    this.dialect = driver.name;
    this.features = driver.features;
    this.driver = driver;
    this.readOnly = settings.readOnly;
    this.log = settings.log;
    this.tracing = settings.tracing;
    this.nPlusOne = settings.nPlusOne;
    this.#display = settings.display;
    const inner = driver.kyselyDialect;
    const options = {
      alias: settings.alias,
      monitor: this.#monitor,
      mapError: driver.mapError,
      abortsTransaction: driver.abortsTransaction,
      log: settings.log,
      acquireTimeoutMs: settings.acquireTimeoutMs,
      slowQueryMs: settings.slowQueryMs,
      deadlineMs: settings.deadlineMs,
      singleConnection: driver.features.singleConnection || settings.poolMax === 1,
      deferWhenBusy: driver.deferWhenBusy,
      onStatement: statementObserver(settings.alias, settings.log, settings.statementLog, settings.tracing),
    };
    const dialect: KyselyDialect = {
      createAdapter: () => inner.createAdapter(),
      createDriver: () => (this.#driverInstance = new InstrumentedDriver(inner.createDriver(), options)),
      createIntrospector: (db) => inner.createIntrospector(db),
      createQueryCompiler: () => inner.createQueryCompiler(),
    };
    this.kysely = new Kysely<any>({ dialect });
  }

  /** The URL with its password redacted. */
  get url(): string {
    return this.#display;
  }

  /** True once `close()` ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The Kysely instance statements of this async context should use: the open transaction's on this
   * alias, else the base instance. @internal
   */
  executor(): Kysely<any> {
    if (this.#closed) throw new ConnectionError(`Connection '${this.alias}' is closed; call connect() again`);
    return currentFrame(this.alias)?.kysely ?? this.kysely;
  }

  /**
   * Runs a compiled statement in this async context: inside its open transaction on this alias, else
   * straight through the driver (acquire, run, release), without Kysely's executor. @internal
   */
  async execute<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#closed) throw new ConnectionError(`Connection '${this.alias}' is closed; call connect() again`);
    const frame = currentFrame(this.alias);
    const driver = this.#driverInstance;
    if (frame !== undefined || driver === undefined) return (frame?.kysely ?? this.kysely).executeQuery<R>(query);
    const free = driver.tryAcquire();
    if (free !== undefined && free.synchronous) {
      // SQLite: acquire, run and release without a promise per layer.
      try {
        const result = free.executeSync<R>(query);
        // Locked by another process: wait for the lock on timers (other work runs meanwhile).
        return result === DEFERRED ? await free.executeQuery<R>(query) : result;
      } finally {
        if (!driver.releaseSync(free)) await driver.releaseConnection(free);
      }
    }
    const connection = free ?? (await driver.acquireConnection());
    try {
      return await connection.executeQuery<R>(query);
    } finally {
      await driver.releaseConnection(connection);
    }
  }

  /** Runs `SELECT 1`; resolves true, or throws ConnectionError. */
  async healthCheck(): Promise<true> {
    try {
      await sql`select 1`.execute(this.kysely);
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(`Health check of '${this.alias}' (${this.#display}) failed: ${reason}`, { cause: error });
    }
  }

  /** Counters, latency percentiles, pool occupancy and uptime. */
  metrics(): ConnectionMetrics {
    const m = this.#monitor;
    const uptimeMs = m.uptimeMs();
    return {
      alias: this.alias,
      dialect: this.dialect,
      queries: m.queries,
      errors: m.errors,
      qps: m.qps(),
      latencyMs: m.latency(),
      slowQueries: m.slowQueries,
      pool: this.driver.poolStats(),
      cache: { hits: 0, misses: 0, entries: 0 },
      uptimeMs,
    };
  }

  /** Zeroes the counters and latency percentiles of `metrics()`; `qps` counts from now. */
  resetMetrics(): void {
    this.#monitor.reset();
  }

  /** Total milliseconds spent in statements since the connection opened or `resetMetrics()`. @internal */
  get totalMs(): number {
    return this.#monitor.totalMs;
  }

  /** Closes the pool. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.kysely.destroy();
    } catch (error) {
      if (!(error instanceof OxenError)) throw error;
    }
  }
}
