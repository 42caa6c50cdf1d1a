import { MysqlDriver, type CompiledQuery, type DatabaseConnection, type MysqlDialectConfig, type QueryResult } from 'kysely';
import type { AbandonableConnection } from '../dialect.js';
import { assertBindable } from '../shared.js';

/** What Oxen uses of a mysql2 pool connection. */
export interface RawMysqlConnection {
  readonly threadId: number | null;
  query(sql: string, values: readonly unknown[], callback: (error: unknown, result: unknown) => void): unknown;
  query(sql: string, values: readonly unknown[]): { stream(options: { objectMode: true }): AsyncIterable<unknown> };
  release(): void;
  destroy(): void;
}

/** Options of {@link OxenMysqlDriver}. */
export interface MysqlDriverOptions extends MysqlDialectConfig {
  /** Ends the statement running on the server thread `threadId` (KILL QUERY through a fresh connection). */
  readonly cancel: (threadId: number) => Promise<void>;
}

function isOkPacket(value: unknown): value is { insertId?: unknown; affectedRows?: unknown; changedRows?: unknown } {
  return value !== null && typeof value === 'object' && 'insertId' in value && 'affectedRows' in value;
}

const big = (v: unknown): bigint | undefined => (v === undefined || v === null ? undefined : BigInt(v as number));

/**
 * One pooled mysql2 connection. Every parameter must be a primitive, a Date or a Buffer: mysql2 formats
 * parameters into the SQL text on the client, and would splice in what an object's `toSqlString()`
 * returns, expand arrays into lists and objects into `key = value` pairs.
 */
class MysqlConnection implements DatabaseConnection, AbandonableConnection {
  readonly raw: RawMysqlConnection;
  readonly #cancel: (threadId: number) => Promise<void>;
  /** Set once a statement outlived its deadline: the connection is destroyed instead of returned. */
  abandoned = false;

  constructor(raw: RawMysqlConnection, cancel: (threadId: number) => Promise<void>) {
    this.raw = raw;
    this.#cancel = cancel;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const parameters = query.parameters;
    for (let i = 0; i < parameters.length; i++) assertBindable(parameters[i], i);
    const result = await new Promise<unknown>((resolve, reject) => {
      this.raw.query(query.sql, parameters, (error, value) => (error ? reject(error) : resolve(value)));
    });
    if (isOkPacket(result)) {
      const insertId = result.insertId;
      return {
        insertId: insertId !== undefined && insertId !== null && String(insertId) !== '0' ? BigInt(insertId as number) : undefined,
        numAffectedRows: big(result.affectedRows),
        numChangedRows: big(result.changedRows),
        rows: [],
      };
    }
    return { rows: (Array.isArray(result) ? result : []) as R[] };
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    const parameters = query.parameters;
    for (let i = 0; i < parameters.length; i++) assertBindable(parameters[i], i);
    const stream = this.raw.query(query.sql, parameters).stream({ objectMode: true });
    try {
      for await (const row of stream) yield { rows: [row as R] };
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE') return;
      throw error;
    }
  }

  /** Destroys the socket and ends the statement on the server (KILL QUERY), without waiting for either. */
  abandon(): void {
    if (this.abandoned) return;
    this.abandoned = true;
    const threadId = this.raw.threadId;
    this.raw.destroy();
    if (threadId !== null) this.#cancel(threadId).catch(() => undefined);
  }
}

/**
 * Kysely's MySQL driver with Oxen's own connections: parameters checked before mysql2 formats them,
 * and a connection that outlived a statement deadline is destroyed (never returned to the pool).
 */
export class OxenMysqlDriver extends MysqlDriver {
  readonly #options: MysqlDriverOptions;
  readonly #connections = new WeakMap<RawMysqlConnection, MysqlConnection>();

  constructor(options: MysqlDriverOptions) {
    super(options);
    this.#options = options;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const pool = this.#options.pool as unknown as { getConnection(cb: (error: unknown, raw: RawMysqlConnection) => void): void };
    const raw = await new Promise<RawMysqlConnection>((resolve, reject) => pool.getConnection((error, c) => (error ? reject(error) : resolve(c))));
    let connection = this.#connections.get(raw);
    if (connection === undefined) {
      connection = new MysqlConnection(raw, this.#options.cancel);
      this.#connections.set(raw, connection);
      await this.#options.onCreateConnection?.(connection);
    }
    return connection;
  }

  override async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const c = connection as MysqlConnection;
    if (!c.abandoned) c.raw.release();
  }
}
