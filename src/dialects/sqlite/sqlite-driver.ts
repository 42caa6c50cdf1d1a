import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SelectQueryNode, type DatabaseConnection, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { ArrayRowsQuery } from '../dialect.js';

type Database = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** A prepared statement with what we learned about it once. */
interface Prepared {
  readonly stmt: Statement;
  readonly reader: boolean;
  /** Integer columns that must go back to `number` when the statement reads 64-bit columns exactly. */
  readonly numberColumns: readonly string[] | null;
  /** The same columns by position, for rows read as arrays. */
  readonly numberIndexes: readonly number[] | null;
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * How long SQLite itself waits for another connection's lock (better-sqlite3 waits synchronously,
 * freezing the event loop): short, and the wait goes on asynchronously up to the configured timeout.
 */
export const SQLITE_BUSY_WAIT_MS = 20;

/** SQLITE_BUSY and its extended codes: another connection or process holds the lock. */
export function isSqliteBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/** A FIFO mutex: SQLite has one connection, and statements from concurrent contexts take turns. */
class Mutex {
  #locked = false;
  readonly #queue: (() => void)[] = [];
  lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#queue.push(resolve));
  }
  unlock(): void {
    const next = this.#queue.shift();
    if (next !== undefined) next();
    else this.#locked = false;
  }
  get locked(): boolean {
    return this.#locked;
  }
  get waiting(): number {
    return this.#queue.length;
  }
}

/** Binds what better-sqlite3 refuses: booleans as 0/1, Dates as ISO text. */
function bindable(parameters: readonly unknown[]): readonly unknown[] {
  let out: unknown[] | undefined;
  for (let i = 0; i < parameters.length; i++) {
    const v = parameters[i];
    let mapped: unknown = v;
    if (typeof v === 'boolean') mapped = v ? 1 : 0;
    else if (v instanceof Date) mapped = v.toISOString();
    if (mapped !== v) {
      out ??= parameters.slice();
      out[i] = mapped;
    }
  }
  return out ?? parameters;
}

class SqliteConnection implements DatabaseConnection {
  readonly #db: Database;
  readonly #cache = new Map<string, Prepared>();
  readonly #lockWaitMs: number;

  constructor(db: Database, lockWaitMs: number) {
    this.#db = db;
    this.#lockWaitMs = lockWaitMs;
  }

  #prepare(sql: string): Prepared {
    const hit = this.#cache.get(sql);
    if (hit !== undefined) return hit;
    const stmt = this.#db.prepare(sql);
    let numberColumns: string[] | null = null;
    let numberIndexes: number[] | null = null;
    if (stmt.reader) {
      const columns = stmt.columns();
      // BIGINT columns and expressions (type null: MAX(big), SUM(big), ...) are read exactly; other
      // integers come back as numbers.
      if (columns.some((c) => c.type === null || /^bigint$/i.test(c.type))) {
        stmt.safeIntegers(true);
        const small = (c: { type: string | null }): boolean => c.type === null || !/^bigint$/i.test(c.type);
        numberColumns = columns.filter(small).map((c) => c.name);
        numberIndexes = columns.flatMap((c, i) => (small(c) ? [i] : []));
      }
    }
    const prepared: Prepared = { stmt, reader: stmt.reader, numberColumns, numberIndexes };
    if (this.#cache.size >= STATEMENT_CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value as string);
    this.#cache.set(sql, prepared);
    return prepared;
  }

  /**
   * Runs the statement; while another connection or process holds the lock (SQLITE_BUSY after SQLite's
   * own short wait) it retries on timers, so the event loop keeps running, until `lockWaitMs` has
   * passed; then `database is locked`, naming the wait.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    let started: number | undefined;
    let pause = 2;
    for (;;) {
      try {
        return this.executeSync<R>(compiledQuery);
      } catch (error) {
        if (!isSqliteBusy(error)) throw error;
        const now = performance.now();
        started ??= now - SQLITE_BUSY_WAIT_MS;
        const left = started + this.#lockWaitMs - now;
        if (left <= 0) {
          throw Object.assign(
            new Error(
              `database is locked: another connection or process held the lock for more than ${this.#lockWaitMs} ms (pool.acquireTimeoutMs); ` +
                'keep write transactions short, or raise pool.acquireTimeoutMs',
            ),
            { code: (error as { code: string }).code, cause: error },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
        pause = Math.min(pause * 2, 50);
      }
    }
  }

  /** better-sqlite3 is synchronous: the engine's fast path runs statements without a promise per layer. */
  executeSync<R>(compiledQuery: CompiledQuery): QueryResult<R> {
    const { stmt, reader, numberColumns, numberIndexes } = this.#prepare(compiledQuery.sql);
    // One array argument: better-sqlite3 binds its items as the anonymous parameters, without spreading
    // tens of thousands of arguments for a multi-row INSERT.
    const parameters = bindable(compiledQuery.parameters) as unknown[];
    if (reader) {
      // Arrays when asked for (the statement is shared, so the mode is set on every run): better-sqlite3
      // builds an array per row much faster than an object with named keys.
      const arrays = (compiledQuery as ArrayRowsQuery).arrayRows === true;
      stmt.raw(arrays);
      const rows = stmt.all(parameters) as Record<string | number, unknown>[];
      if (numberColumns !== null) fixNumbers(rows, arrays ? numberIndexes! : numberColumns);
      return { rows: rows as R[] };
    }
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query) && !/^\s*(select|with)\b/i.test(compiledQuery.sql)) {
      throw new Error('Only SELECT statements can be streamed');
    }
    const { stmt, numberColumns } = this.#prepare(compiledQuery.sql);
    stmt.raw(false);
    const iterator = stmt.iterate(bindable(compiledQuery.parameters) as unknown[]) as IterableIterator<Record<string, unknown>>;
    let chunk: Record<string, unknown>[] = [];
    try {
      for (const row of iterator) {
        chunk.push(row);
        if (chunk.length >= chunkSize) {
          if (numberColumns !== null) fixNumbers(chunk, numberColumns);
          yield { rows: chunk as R[] };
          chunk = [];
        }
      }
      if (chunk.length > 0) {
        if (numberColumns !== null) fixNumbers(chunk, numberColumns);
        yield { rows: chunk as R[] };
      }
    } finally {
      iterator.return?.();
    }
  }
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function fixNumbers(rows: Record<string | number, unknown>[], columns: readonly (string | number)[]): void {
  for (const row of rows) {
    for (const c of columns) {
      const v = row[c];
      // An expression's integer beyond 2^53 stays a bigint rather than being rounded.
      if (typeof v === 'bigint') row[c] = v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
    }
  }
}

/** Options of the SQLite driver. */
export interface SqliteDriverOptions {
  readonly open: () => Promise<Database>;
  /** `begin immediate` takes the write lock at BEGIN, so concurrent writers wait instead of failing. */
  readonly beginStatement: string;
  /** How long a statement waits (asynchronously) for another connection's or process's lock. */
  readonly lockWaitMs: number;
}

/**
 * Kysely driver over better-sqlite3: one connection behind a FIFO mutex, a prepared-statement cache,
 * exact 64-bit integers for BIGINT columns, booleans and Dates bound as 0/1 and ISO text.
 */
export class OxenSqliteDriver implements Driver {
  readonly #options: SqliteDriverOptions;
  readonly #mutex = new Mutex();
  #db: Database | undefined;
  #connection: SqliteConnection | undefined;

  constructor(options: SqliteDriverOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    this.#db = await this.#options.open();
    this.#connection = new SqliteConnection(this.#db, this.#options.lockWaitMs);
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#mutex.lock();
    return this.#connection as SqliteConnection;
  }

  /** The connection at once when nobody holds it (no promise, no timer), else undefined. */
  tryAcquire(): DatabaseConnection | undefined {
    if (this.#mutex.locked || this.#connection === undefined) return undefined;
    void this.#mutex.lock();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(this.#options.beginStatement));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint "${name}"`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint "${name}"`));
  }

  async releaseConnection(): Promise<void> {
    this.#mutex.unlock();
  }

  /** Releases the connection at once (after `tryAcquire()` and `executeSync()`). */
  releaseSync(): void {
    this.#mutex.unlock();
  }

  async destroy(): Promise<void> {
    this.#db?.close();
    this.#db = undefined;
  }

  /** Pool-like occupancy for metrics: one connection, busy or idle, and the queue. */
  stats(): { size: number; idle: number; waiting: number } {
    return { size: this.#db === undefined ? 0 : 1, idle: this.#mutex.locked ? 0 : 1, waiting: this.#mutex.waiting };
  }
}
