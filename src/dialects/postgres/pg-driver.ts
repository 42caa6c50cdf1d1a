import {
  CompiledQuery,
  IdentifierNode,
  RawNode,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { Pool, PoolClient, Submittable } from 'pg';
import { ConfigurationError } from '../../errors/index.js';
import type { AbandonableConnection, ArrayRowsQuery } from '../dialect.js';

/** A pg-cursor instance, as the driver uses it. */
export interface PgCursor extends Submittable {
  /** Reads up to `rowCount` rows; an empty array once the cursor is exhausted. */
  read(rowCount: number): Promise<unknown[]>;
  /** Closes the server-side portal. */
  close(): Promise<void>;
}

/** pg-cursor's class (its default export): a cursor over one statement and its parameters. */
export type PgCursorConstructor = new (text: string, values: unknown[]) => PgCursor;

/** Options of {@link OxenPgDriver}. */
export interface PgDriverOptions {
  /** The pool connections are checked out of; `destroy()` ends it. */
  readonly pool: Pool;
  /** pg-cursor's class, for `streamQuery` (Kysely's `iterator()` streaming). */
  readonly cursor: PgCursorConstructor | null;
  /**
   * Send DML as named prepared statements (parsed once per physical connection). False sends every
   * statement unnamed (PgBouncer in transaction pooling mode). Default true.
   */
  readonly prepare?: boolean;
  /** How many distinct SQL texts get a name; later texts go unnamed. Default {@link MAX_NAMED_STATEMENTS}. */
  readonly maxNamedStatements?: number;
  /** Cancels the statement running in backend `pid` (`pg_cancel_backend` through a fresh connection). */
  readonly cancel?: (pid: number) => Promise<void>;
}

/** Default bound on the distinct SQL texts one driver names. */
export const MAX_NAMED_STATEMENTS = 1000;

/** Statements worth preparing: the ones Oxen's queries send over and over. */
const DML = /^\s*(?:select|insert|update|delete|with)\b/i;
/** Statements that open a transaction block. */
const BEGIN = /^\s*(?:begin|start\s+transaction)\b/i;
/** Statements that end a transaction block or roll back to a savepoint. */
const END = /^\s*(?:commit|end|rollback|abort)\b/i;
/** ROLLBACK TO [SAVEPOINT]: the transaction stays open. */
const ROLLBACK_TO = /^\s*rollback\s+(?:(?:transaction|work)\s+)?to\b/i;

/**
 * Statement names are unique in the process (not only per driver): two drivers over one pool can
 * never hand the same name to two texts on the same physical connection.
 */
let nextStatementId = 0;

/**
 * Why a named statement failed, when the cause is the statement itself rather than the query:
 * `stale` — DDL changed its result columns (`cached plan must not change result type`, SQLSTATE 0A000);
 * `missing` — the session no longer has it (SQLSTATE 26000: `DEALLOCATE ALL`, `DISCARD ALL`).
 */
function statementFailure(error: unknown): 'stale' | 'missing' | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e === null || typeof e !== 'object') return undefined;
  if (e.code === '0A000' && /cached plan must not change result type/i.test(String(e.message))) return 'stale';
  if (e.code === '26000') return 'missing';
  return undefined;
}

/** pg's client-side record of the statements each physical connection has parsed (see pg/lib/client.js). */
interface ParsedStatements {
  readonly connection?: { parsedStatements?: Record<string, string> };
}

/** Appends the caller's stack to a driver error, as Kysely's own connections do. */
function extendStackTrace(error: unknown, stackError: Error): unknown {
  if (error instanceof Error && typeof error.stack === 'string' && stackError.stack !== undefined) {
    error.stack += `\n${stackError.stack.split('\n').slice(1).join('\n')}`;
  }
  return error;
}

/** Kysely's PostgreSQL result shape: the rows, and `numAffectedRows` for INSERT/UPDATE/DELETE/MERGE. */
function toResult<R>({ command, rowCount, rows }: { command: string; rowCount: number | null; rows: unknown[] }): QueryResult<R> {
  return {
    numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(rowCount as number) : undefined,
    rows: (rows ?? []) as R[],
  };
}

/** One statement, named or not, with rows as objects or (rowMode 'array') as arrays. */
async function run(client: PoolClient, name: string | undefined, text: string, values: unknown[], rowMode: 'array' | undefined): Promise<PgResult> {
  if (rowMode === 'array') return client.query({ name, text, values, rowMode });
  return name === undefined ? client.query(text, values) : client.query({ name, text, values });
}

/** What `toResult` reads of pg's result. */
type PgResult = { command: string; rowCount: number | null; rows: unknown[] };

const RELEASE = Symbol('release');

/** The statement registry a driver shares with its connections. */
interface StatementNames {
  readonly names: Map<string, string>;
  readonly max: number;
}

/** One pooled pg client: named statements, invalidation retry, and whether a transaction is open. */
class PgConnection implements DatabaseConnection, AbandonableConnection {
  readonly #client: PoolClient;
  readonly #cursor: PgCursorConstructor | null;
  readonly #cancel: ((pid: number) => Promise<void>) | undefined;
  /** Set once a statement outlived its deadline: the client is destroyed instead of returned. */
  #abandoned = false;
  /** Null when statements go unnamed (`prepare=false`). */
  readonly #statements: StatementNames | null;
  /** Set by BEGIN / START TRANSACTION, cleared by COMMIT / ROLLBACK. */
  #inTransaction = false;
  /** Statements to DEALLOCATE once the aborted transaction has ended (it refuses DEALLOCATE until then). */
  #stale: string[] = [];

  constructor(client: PoolClient, cursor: PgCursorConstructor | null, statements: StatementNames | null, cancel?: (pid: number) => Promise<void>) {
    this.#client = client;
    this.#cancel = cancel;
    this.#cursor = cursor;
    this.#statements = statements;
  }

  /** A transaction block is open on this connection (as far as the statements sent through it say). */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }

  /** The statement's name: an existing one, a new one for a DML text while the bound allows, else undefined. */
  #nameOf(sql: string): string | undefined {
    const statements = this.#statements;
    if (statements === null) return undefined;
    const known = statements.names.get(sql);
    if (known !== undefined) return known;
    // A prepared statement holds a single command: a text with ';' stays unnamed (simple protocol).
    if (statements.names.size >= statements.max || !DML.test(sql) || sql.includes(';')) return undefined;
    const name = `oxen_${++nextStatementId}`;
    statements.names.set(sql, name);
    return name;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const sql = compiledQuery.sql;
    const name = this.#nameOf(sql);
    // Rows as arrays when the query asks (pg then builds no object per row).
    const rowMode = (compiledQuery as ArrayRowsQuery).arrayRows === true ? 'array' : undefined;
    if (name !== undefined && this.#stale.length === 0) {
      // The hot path: a named statement (pg sends Parse only on this connection's first use of it).
      const values = compiledQuery.parameters as unknown[];
      try {
        return toResult<R>(await run(this.#client, name, sql, values, rowMode));
      } catch (error) {
        try {
          return await this.#recover<R>(error, name, sql, values, rowMode);
        } catch (final) {
          throw extendStackTrace(final, new Error());
        }
      }
    }
    let usable = false;
    try {
      if (name !== undefined) {
        const values = compiledQuery.parameters as unknown[];
        try {
          return toResult<R>(await run(this.#client, name, sql, values, rowMode));
        } catch (error) {
          return await this.#recover<R>(error, name, sql, values, rowMode);
        }
      }
      const values = [...compiledQuery.parameters];
      const result = toResult<R>(await run(this.#client, undefined, sql, values, rowMode));
      this.#track(sql);
      // After COMMIT, ROLLBACK or ROLLBACK TO SAVEPOINT the session accepts DEALLOCATE again.
      usable = END.test(sql);
      return result;
    } catch (error) {
      if (name === undefined && END.test(sql)) this.#track(sql); // a failed COMMIT/ROLLBACK still ends the block
      throw extendStackTrace(error, new Error());
    } finally {
      if (this.#stale.length > 0 && (usable || !this.#inTransaction)) await this.#deallocateStale();
    }
  }

  /**
   * A named statement failed. When the statement itself was the cause (stale after DDL, or no longer on
   * the server), the connection forgets it and, outside a transaction, runs it once more; otherwise, and
   * inside a transaction (which PostgreSQL has aborted), the error stands.
   */
  async #recover<R>(error: unknown, name: string, text: string, values: unknown[], rowMode: 'array' | undefined): Promise<QueryResult<R>> {
    const failure = statementFailure(error);
    if (failure === undefined) throw error;
    if (failure === 'missing') {
      // The server lost it: the next use must send Parse again.
      this.#forget(name);
    } else if (this.#inTransaction) {
      // The aborted transaction refuses DEALLOCATE: forget the statement once the transaction (or the
      // savepoint) has been rolled back.
      if (!this.#stale.includes(name)) this.#stale.push(name);
    } else {
      try {
        await this.#deallocate(name);
      } catch {
        throw error; // the connection is most likely gone: report what the statement ran into
      }
    }
    if (this.#inTransaction) throw error;
    // Outside a transaction the failed statement had no effect: run it once more, parsed anew.
    return toResult<R>(await run(this.#client, name, text, values, rowMode));
  }

  /** Follows the transaction block through the (unnamed) transaction-control statements. */
  #track(sql: string): void {
    if (BEGIN.test(sql)) this.#inTransaction = true;
    else if (END.test(sql) && !ROLLBACK_TO.test(sql)) this.#inTransaction = false;
  }

  /** Removes the statement from pg's client-side record, so its next use sends Parse again. */
  #forget(name: string): void {
    const parsed = (this.#client as unknown as ParsedStatements).connection?.parsedStatements;
    if (parsed !== undefined) delete parsed[name];
  }

  /** DEALLOCATE on the server (already gone counts as done), then pg's client-side record. */
  async #deallocate(name: string): Promise<void> {
    try {
      await this.#client.query(`deallocate ${name}`);
    } catch (error) {
      if (statementFailure(error) !== 'missing') throw error;
    }
    this.#forget(name);
  }

  /** DEALLOCATEs the statements that went stale inside the transaction that has just been rolled back. */
  async #deallocateStale(): Promise<void> {
    const names = this.#stale;
    this.#stale = [];
    try {
      for (const name of names) await this.#deallocate(name);
    } catch {
      // The connection is most likely gone. If it is not, a statement still known on both sides fails
      // again at its next use and is forgotten then.
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    if (this.#cursor === null) {
      throw new ConfigurationError('iterator() on PostgreSQL streams through a server-side cursor and needs the pg-cursor package: npm install pg-cursor');
    }
    if (chunkSize === undefined || !Number.isInteger(chunkSize) || chunkSize <= 0) {
      throw new Error('chunkSize must be a positive integer');
    }
    const cursor = this.#client.query(new this.#cursor(compiledQuery.sql, compiledQuery.parameters.slice()));
    try {
      while (true) {
        const rows = await cursor.read(chunkSize);
        if (rows.length === 0) break;
        yield { rows: rows as R[] };
      }
    } finally {
      await cursor.close();
    }
  }

  /** Destroys the socket and cancels the backend's statement, without waiting for either. */
  abandon(): void {
    if (this.#abandoned) return;
    this.#abandoned = true;
    const pid = (this.#client as unknown as { processID?: number | null }).processID;
    (this.#client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    if (typeof pid === 'number' && this.#cancel !== undefined) this.#cancel(pid).catch(() => undefined);
  }

  [RELEASE](): void {
    // release(true) destroys the client and takes it out of the pool.
    this.#client.release(this.#abandoned ? true : undefined);
  }
}

/**
 * Kysely driver over a `pg` pool, with Kysely's `PostgresDriver` semantics (transactions with isolation
 * level and access mode, savepoints, pg-cursor streaming, result shape) plus named prepared statements:
 * each distinct DML text (SELECT/INSERT/UPDATE/DELETE/WITH) gets one name (`oxen_<n>`), so pg parses it
 * once per physical connection and then sends only Bind/Execute. At most `maxNamedStatements` texts
 * are named; later ones go unnamed (a name is never reused for another text). When DDL has changed a
 * statement's result columns (`cached plan must not change result type`) or the session lost it
 * (`DEALLOCATE ALL`), the connection forgets it and, outside a transaction, runs it once more; inside
 * one the error stands (PostgreSQL has aborted the transaction) and the statement is deallocated once
 * the transaction or its savepoint has been rolled back.
 */
export class OxenPgDriver implements Driver {
  readonly #options: PgDriverOptions;
  readonly #connections = new WeakMap<PoolClient, PgConnection>();
  readonly #statements: StatementNames | null;
  #pool: Pool | undefined;

  constructor(options: PgDriverOptions) {
    this.#options = options;
    this.#statements = options.prepare === false ? null : { names: new Map(), max: options.maxNamedStatements ?? MAX_NAMED_STATEMENTS };
  }

  /** Distinct SQL texts named so far (0 with `prepare: false`). */
  get namedStatements(): number {
    return this.#statements?.names.size ?? 0;
  }

  /** Takes the pool (Kysely calls this once, before the first connection). */
  async init(): Promise<void> {
    this.#pool = this.#options.pool;
  }

  /**
   * True when the pool has an idle client, so `pool.connect()` hands one over on the next tick: the
   * engine then skips its own acquire timer (pg-pool's `connectionTimeoutMillis` still bounds the rare
   * case where another request takes that client first).
   */
  acquiresWithoutWaiting(): boolean {
    return (this.#pool?.idleCount ?? 0) > 0;
  }

  /** Checks a client out of the pool (`pool.connect()`); one connection object per physical client. */
  async acquireConnection(): Promise<DatabaseConnection> {
    const pool = this.#pool;
    if (pool === undefined) throw new Error('driver has already been destroyed');
    const client = await pool.connect();
    // `destroy` was called while the connection was being acquired.
    if (this.#pool === undefined) {
      client.release();
      throw new Error('driver has already been destroyed');
    }
    let connection = this.#connections.get(client);
    if (connection === undefined) {
      connection = new PgConnection(client, this.#options.cursor, this.#statements, this.#options.cancel);
      this.#connections.set(client, connection);
    }
    return connection;
  }

  /** BEGIN, or START TRANSACTION with the isolation level and access mode when given (as Kysely). */
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel || settings.accessMode) {
      let sql = 'start transaction';
      if (settings.isolationLevel) sql += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) sql += ` ${settings.accessMode}`;
      await connection.executeQuery(CompiledQuery.raw(sql));
    } else {
      await connection.executeQuery(CompiledQuery.raw('begin'));
    }
  }

  /** COMMIT. */
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  /** ROLLBACK. */
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  /** SAVEPOINT "name", compiled by the dialect's compiler (as Kysely). */
  async savepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('savepoint', savepointName), createQueryId()));
  }

  /** ROLLBACK TO "name". */
  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('rollback to', savepointName), createQueryId()));
  }

  /** RELEASE "name". */
  async releaseSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler['compileQuery']): Promise<void> {
    await connection.executeQuery(compileQuery(savepointCommand('release', savepointName), createQueryId()));
  }

  /** Returns the client to the pool; its prepared statements stay with it. */
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    (connection as PgConnection)[RELEASE]();
  }

  /** Ends the pool (once). */
  async destroy(): Promise<void> {
    const pool = this.#pool;
    if (pool !== undefined) {
      this.#pool = undefined;
      await pool.end();
    }
  }
}

/** `<command> "<name>"`, the identifier escaped by the compiler (Kysely's parseSavepointCommand). */
function savepointCommand(command: string, savepointName: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(savepointName)]);
}
