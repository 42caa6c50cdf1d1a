import type { CompiledQuery, DatabaseConnection, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { ConnectionError, IntegrityError, OperationalError, OxenError, TransactionError, type OxenErrorContext } from '../errors/index.js';
import type { AbandonableConnection, ErrorMapper } from '../dialects/index.js';
import { redactParameters } from '../utils/index.js';
import type { Log } from './config.js';
import { currentFrame } from './context.js';
import type { Monitor } from './monitor.js';

/** What the wrapper needs to know about its connection. */
export interface InstrumentOptions {
  readonly alias: string;
  readonly monitor: Monitor;
  readonly mapError: ErrorMapper;
  /** Does this error end the current transaction on the server? */
  readonly abortsTransaction: (error: unknown) => boolean;
  readonly log: Log;
  readonly acquireTimeoutMs: number;
  readonly slowQueryMs: number | undefined;
  /** The pool can hand out only one connection (pool.max 1, or SQLite). */
  readonly singleConnection: boolean;
  /** A synchronous run failed only on a lock that `executeQuery` waits for asynchronously. */
  readonly deferWhenBusy?: (error: unknown) => boolean;
  /**
   * How long a statement may wait for the server's answer before the call rejects and the connection
   * is abandoned; undefined for none. Applies to connections that can be abandoned (PostgreSQL, MySQL).
   */
  readonly deadlineMs?: number;
  /** Called after every statement (the SQL log and tracing hook in here); undefined when nothing listens. */
  readonly onStatement?: StatementObserver;
}

/**
 * Sees every statement after it ran: its start and end (`performance.now()` ms), the rows it returned
 * or affected (null when unknown or failed), and the error it failed with (undefined on success).
 */
export type StatementObserver = (query: CompiledQuery, startedAt: number, endedAt: number, rows: number | null, error: unknown) => void;

function rowCount(result: QueryResult<unknown> | undefined): number | null {
  if (result === undefined) return null;
  if (result.numAffectedRows !== undefined && result.rows.length === 0) return Number(result.numAffectedRows);
  return result.rows.length;
}

/** Translates any error from the driver into the Oxen tree, once, with the SQL and redacted parameters. */
export function translateError(error: unknown, mapError: ErrorMapper, query?: CompiledQuery): OxenError {
  if (error instanceof OxenError) return error;
  const context: OxenErrorContext = {
    cause: error,
    sql: query?.sql,
    parameters: query === undefined ? undefined : redactParameters(query.parameters),
  };
  const mapped = mapError(error);
  const text = error instanceof Error ? error.message : String(error);
  if (mapped === undefined) return new OperationalError(text, context);
  switch (mapped.type) {
    case 'integrity':
      return new IntegrityError(`${mapped.kind} constraint failed: ${mapped.message}`, {
        ...context,
        kind: mapped.kind,
        constraint: mapped.constraint,
        columns: mapped.columns,
      });
    case 'connection':
      return new ConnectionError(connectionMessage(mapped.message), context);
    case 'operational':
      return new OperationalError(mapped.message, context);
  }
}

/** mysql2's bare wording for a statement sent on a connection that had already closed. */
const CLOSED_STATE = /can't add new command when connection is in closed state/i;

/** The driver's message, or what happened in plain words where the driver's is cryptic. */
function connectionMessage(message: string): string {
  if (CLOSED_STATE.test(message)) {
    return `The connection to the server was already closed when the statement was sent (the server went away, or the network cut it): ${message}`;
  }
  return message;
}

const ROLLBACK = /^\s*rollback\b/i;
/** COMMIT: the one statement of a transaction whose interruption leaves the outcome unknown. */
const COMMIT = /^\s*(?:commit|end)\b/i;
/** Statements that cannot have written anything (an interrupted one has a known outcome: nothing). */
const READ_ONLY = /^\s*(?:select|show|explain|begin|start\s+transaction|rollback|savepoint|release|set\s)/i;

/** What `executeSync` returns when the statement must wait for a lock asynchronously instead. */
export const DEFERRED: unique symbol = Symbol('deferred');

/** A driver connection that can also run a statement synchronously (SQLite's). */
interface SyncCapable {
  executeSync<R>(query: CompiledQuery): QueryResult<R>;
}

function isSyncCapable(connection: DatabaseConnection): connection is DatabaseConnection & SyncCapable {
  return typeof (connection as Partial<SyncCapable>).executeSync === 'function';
}

/** A wrapped connection, as `InstrumentedDriver` hands it out. */
export class InstrumentedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  readonly #options: InstrumentOptions;
  /** A transaction is open on this connection. */
  inTransaction = false;
  /** The error that ended the open transaction on the server; only ROLLBACK may follow. */
  aborted: OxenError | null = null;

  /** The statement deadline, when the driver connection can be abandoned. */
  readonly #deadlineMs: number | undefined;
  /** The connection was abandoned after a missed deadline: every later statement fails at once. */
  lost: OxenError | null = null;

  constructor(inner: DatabaseConnection, options: InstrumentOptions) {
    this.inner = inner;
    this.#options = options;
    const deadline = options.deadlineMs;
    this.#deadlineMs = deadline !== undefined && deadline > 0 && typeof (inner as Partial<AbandonableConnection>).abandon === 'function' ? deadline : undefined;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.lost !== null) {
      // The server ends the transaction of a closed connection: a rollback has nothing left to do.
      if (ROLLBACK.test(query.sql)) return { rows: [] };
      throw this.lost;
    }
    if (this.aborted !== null && !ROLLBACK.test(query.sql)) throw abortedError(this.#options.alias, this.aborted);
    const started = performance.now();
    let result: QueryResult<R> | undefined;
    let failure: OxenError | undefined;
    try {
      const pending = this.inner.executeQuery<R>(query);
      return (result = this.#deadlineMs === undefined ? await pending : await this.#withDeadline(pending, this.#deadlineMs, query));
    } catch (error) {
      throw (failure = this.#failed(error, query));
    } finally {
      this.#record(query, started, rowCount(result), failure);
    }
  }

  /**
   * Waits for the statement at most `ms`: past that the connection is abandoned (socket destroyed,
   * statement cancelled on the server, never returned to the pool), an open transaction is marked
   * failed, and the call rejects with a ConnectionError naming the deadline. One timer per statement.
   */
  #withDeadline<R>(pending: Promise<QueryResult<R>>, ms: number, query: CompiledQuery): Promise<QueryResult<R>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new ConnectionError(
          `The server did not answer within ${ms} ms on '${this.#options.alias}' (statementTimeoutMs plus a grace period, or statementDeadlineMs): ` +
            'the connection was closed and the statement cancelled on the server; whether a write was applied is unknown. ' +
            'Check that the server is up and reachable, or raise statementDeadlineMs.',
          { sql: query.sql, parameters: redactParameters(query.parameters), outcomeUnknown: this.#outcomeUnknown(query.sql) },
        );
        pending.catch(() => undefined);
        this.lost = error;
        if (this.inTransaction) this.aborted = error;
        (this.inner as unknown as AbandonableConnection).abandon();
        reject(error);
      }, ms);
      pending.then(
        (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Could this statement, cut off now, have changed data? A write outside a transaction, or COMMIT. */
  #outcomeUnknown(sql: string): boolean {
    return this.inTransaction ? COMMIT.test(sql) : !READ_ONLY.test(sql);
  }

  /** True when the driver can run statements synchronously (see `executeSync`). */
  get synchronous(): boolean {
    return isSyncCapable(this.inner);
  }

  /**
   * `executeQuery` without promises, for drivers that run synchronously (check `synchronous` first).
   * Returns {@link DEFERRED} (nothing was run or recorded) when the database is locked by another
   * connection or process: the caller then awaits `executeQuery`, which waits for the lock on timers.
   */
  executeSync<R>(query: CompiledQuery): QueryResult<R> | typeof DEFERRED {
    const inner = this.inner;
    if (!isSyncCapable(inner)) throw new OperationalError('executeSync() on a driver that runs asynchronously');
    if (this.aborted !== null && !ROLLBACK.test(query.sql)) throw abortedError(this.#options.alias, this.aborted);
    const started = performance.now();
    let result: QueryResult<R> | undefined;
    let failure: OxenError | undefined;
    let deferred = false;
    try {
      return (result = inner.executeSync<R>(query));
    } catch (error) {
      if (this.#options.deferWhenBusy?.(error) === true) {
        deferred = true;
        return DEFERRED;
      }
      throw (failure = this.#failed(error, query));
    } finally {
      if (!deferred) this.#record(query, started, rowCount(result), failure);
    }
  }

  /** Translates a driver error; an error that ended the open transaction marks it aborted. */
  #failed(error: unknown, query: CompiledQuery): OxenError {
    let translated = translateError(error, this.#options.mapError, query);
    if (translated instanceof ConnectionError && translated.outcomeUnknown === undefined && this.#outcomeUnknown(query.sql)) {
      translated = new ConnectionError(
        `${translated.message} (the connection was lost while the write was pending: it may or may not have been applied; read it back before retrying)`,
        { sql: translated.sql, parameters: translated.parameters, cause: error, outcomeUnknown: true },
      );
    }
    if (this.inTransaction && !ROLLBACK.test(query.sql) && this.#options.abortsTransaction(error)) this.aborted = translated;
    return translated;
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const started = performance.now();
    let rows = 0;
    let failure: OxenError | undefined;
    try {
      for await (const chunk of this.inner.streamQuery<R>(query, chunkSize)) {
        rows += chunk.rows.length;
        yield chunk;
      }
    } catch (error) {
      throw (failure = translateError(error, this.#options.mapError, query));
    } finally {
      this.#record(query, started, rows, failure);
    }
  }

  #record(query: CompiledQuery, started: number, rows: number | null, failure: OxenError | undefined): void {
    const ended = performance.now();
    const ms = ended - started;
    const { slowQueryMs, monitor, log, alias, onStatement } = this.#options;
    const slow = slowQueryMs !== undefined && ms >= slowQueryMs;
    monitor.record(ms, failure !== undefined, slow);
    if (onStatement !== undefined) onStatement(query, started, ended, failure === undefined ? rows : null, failure);
    if (slow) log.warn(`slow query on '${alias}' (${ms.toFixed(1)} ms)`, { sql: query.sql, parameters: redactParameters(query.parameters), durationMs: ms });
  }
}

function abortedError(alias: string, cause: OxenError): TransactionError {
  return new TransactionError(
    `The transaction on '${alias}' was ended by the database after an earlier error (${cause.message}); it can only be rolled back. ` +
      'Let that error leave transaction(), or run the statement that may fail inside a nested transaction().',
    { cause },
  );
}

/**
 * Wraps a Kysely driver: every statement (transaction control included) is counted and timed, driver
 * errors are translated into the Oxen tree, acquiring a connection is bounded by the acquire timeout,
 * and using the base connection while this async context holds the pool's only connection in a
 * transaction fails at once instead of waiting forever.
 */
export class InstrumentedDriver implements Driver {
  readonly #inner: Driver;
  readonly #options: InstrumentOptions;
  readonly #wrappers = new WeakMap<DatabaseConnection, InstrumentedConnection>();

  constructor(inner: Driver, options: InstrumentOptions) {
    this.#inner = inner;
    this.#options = options;
  }

  async init(): Promise<void> {
    try {
      await this.#inner.init();
    } catch (error) {
      throw translateError(error, this.#options.mapError);
    }
  }

  /** A free connection without waiting (drivers that can tell synchronously), else undefined. */
  tryAcquire(): InstrumentedConnection | undefined {
    const inner = this.#inner as Driver & { tryAcquire?: () => DatabaseConnection | undefined };
    if (inner.tryAcquire === undefined) return undefined;
    if (this.#options.singleConnection && currentFrame(this.#options.alias) !== undefined) return undefined;
    const connection = inner.tryAcquire();
    return connection === undefined ? undefined : this.#wrap(connection);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const fast = this.tryAcquire();
    if (fast !== undefined) return fast;
    const { alias, singleConnection, acquireTimeoutMs } = this.#options;
    if (singleConnection && currentFrame(alias) !== undefined) {
      throw new TransactionError(
        `This async context holds a transaction on '${alias}', whose pool has a single connection, and a statement ` +
          `bypassed it (db.kysely or another path that does not join the transaction): it would wait forever. ` +
          `Run it through the models, or through the kysely instance that transaction() passes to its callback.`,
      );
    }
    const inner = this.#inner as Driver & { acquiresWithoutWaiting?: () => boolean };
    if (inner.acquiresWithoutWaiting?.() === true) {
      // A pool with an idle client: no timer and no race per statement (the pool bounds the wait itself).
      try {
        return this.#wrap(await inner.acquireConnection());
      } catch (error) {
        throw translateError(error, this.#options.mapError);
      }
    }
    const pending = this.#inner.acquireConnection();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new ConnectionError(
            `No connection available on '${alias}' within ${acquireTimeoutMs} ms: the pool is exhausted or the server is unreachable. ` +
              'Raise pool.max or pool.acquireTimeoutMs, or look for transactions that stay open.',
          ),
        );
      }, acquireTimeoutMs);
    });
    try {
      const connection = await Promise.race([pending, timeout]);
      return this.#wrap(connection);
    } catch (error) {
      if (timedOut) pending.then((c) => this.#inner.releaseConnection(c), () => undefined);
      throw translateError(error, this.#options.mapError);
    } finally {
      clearTimeout(timer);
    }
  }

  #wrap(connection: DatabaseConnection): InstrumentedConnection {
    let wrapper = this.#wrappers.get(connection);
    if (wrapper === undefined) {
      wrapper = new InstrumentedConnection(connection, this.#options);
      this.#wrappers.set(connection, wrapper);
    }
    return wrapper;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const wrapper = connection as InstrumentedConnection;
    wrapper.aborted = null;
    await this.#inner.beginTransaction(connection, settings);
    wrapper.inTransaction = true;
  }

  /** COMMIT; a transaction the database already ended is rolled back instead, and that is an error. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const wrapper = connection as InstrumentedConnection;
    const aborted = wrapper.aborted;
    if (aborted !== null) {
      await this.rollbackTransaction(connection).catch(() => undefined);
      throw new TransactionError(
        `Cannot commit the transaction on '${this.#options.alias}': the database ended it after an earlier error (${aborted.message}); it was rolled back and nothing of it was written.`,
        { cause: aborted },
      );
    }
    await this.#inner.commitTransaction(connection);
    wrapper.inTransaction = false;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const wrapper = connection as InstrumentedConnection;
    try {
      await this.#inner.rollbackTransaction(connection);
    } finally {
      wrapper.inTransaction = false;
      wrapper.aborted = null;
    }
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.savepoint?.(connection, name, compile);
  }

  /** ROLLBACK TO SAVEPOINT; when it succeeds the transaction is usable again (PostgreSQL's recovery). */
  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.rollbackToSavepoint?.(connection, name, compile);
    (connection as InstrumentedConnection).aborted = null;
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    await this.#inner.releaseSavepoint?.(connection, name, compile);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.#inner.releaseConnection((connection as InstrumentedConnection).inner ?? connection);
  }

  /** Releases at once when the driver can (SQLite); false when `releaseConnection` must be awaited. */
  releaseSync(connection: InstrumentedConnection): boolean {
    const inner = this.#inner as Driver & { releaseSync?: (connection: DatabaseConnection) => void };
    if (inner.releaseSync === undefined) return false;
    inner.releaseSync(connection.inner);
    return true;
  }

  async destroy(): Promise<void> {
    await this.#inner.destroy();
  }
}
