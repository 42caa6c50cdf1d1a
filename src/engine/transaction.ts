import type { ControlledTransaction, Kysely } from 'kysely';
import { ConfigurationError, ConnectionError, OxenError, TransactionError } from '../errors/index.js';
import { isPlainObject, suggestion } from '../utils/index.js';
import type { Log } from './config.js';
import { getConnection } from './connections.js';
import { currentFrame, innermostFrame, runInFrame, runOutside, type TransactionFrame } from './context.js';
import { failSpan, transactionSpan, type TraceSpan } from './tracing.js';

/**
 * Isolation levels. PostgreSQL and MySQL/MariaDB apply them to the outermost transaction; SQLite
 * accepts them and ignores them (every SQLite transaction is serializable).
 */
export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

/** Options of `transaction(options, fn)`. */
export interface TransactionOptions {
  /** The connection alias (default `'default'`). */
  using?: string;
  /**
   * The isolation level of the outermost transaction. A nested transaction (a savepoint) cannot change
   * it: giving a different level there is a TransactionError.
   */
  isolation?: IsolationLevel;
}

/** What a transaction callback receives. */
export interface TransactionContext {
  /** The connection alias. */
  readonly alias: string;
  /** 1 for the outermost transaction, 2+ inside savepoints. */
  readonly depth: number;
  /**
   * A Kysely instance bound to the transaction, for hand-written queries that must join it
   * (`getConnection().kysely` never joins a transaction).
   */
  readonly kysely: Kysely<any>;
}

export type TransactionCallback<T> = (tx: TransactionContext) => Promise<T> | T;

const ISOLATION_LEVELS: IsolationLevel[] = ['read uncommitted', 'read committed', 'repeatable read', 'serializable'];
const TRANSACTION_OPTIONS = ['using', 'isolation'];
const CALLBACK_FAILED = 'an onCommit callback threw (the transaction stays committed)';

function checkOptions(options: unknown): TransactionOptions {
  if (!isPlainObject(options)) throw new ConfigurationError('transaction(options, fn): options must be an object');
  for (const key of Object.keys(options)) {
    if (!TRANSACTION_OPTIONS.includes(key)) throw new ConfigurationError(`Unknown transaction() option '${key}'${suggestion(key, TRANSACTION_OPTIONS)}`);
  }
  const o = options as TransactionOptions;
  if (o.using !== undefined && (typeof o.using !== 'string' || o.using === '')) throw new ConfigurationError('transaction({ using }) takes a connection alias');
  if (o.isolation !== undefined && !ISOLATION_LEVELS.includes(o.isolation)) {
    throw new ConfigurationError(`Unknown isolation level '${String(o.isolation)}'${suggestion(String(o.isolation), ISOLATION_LEVELS)}`);
  }
  return o;
}

/** The connection's own alias for a name (`'default'` may be a synonym of another alias); the name itself when nothing is open. */
function canonicalAlias(alias: string): string {
  try {
    return getConnection(alias).alias;
  } catch {
    return alias;
  }
}

/** Every name the connection `alias` is known by: its own, and `'default'` when that is a synonym of it. */
function namesOf(alias: string): string[] {
  if (alias === 'default') return [alias];
  try {
    return getConnection('default') === getConnection(alias) ? [alias, 'default'] : [alias];
  } catch {
    return [alias];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The connection of the transaction was lost while its callback ran: the statement failed with a
 * ConnectionError and the ROLLBACK could not be sent either. The server rolls an interrupted
 * transaction back, so nothing of it was committed.
 */
function lostBeforeCommit(error: ConnectionError, alias: string): TransactionError {
  return new TransactionError(
    `The connection of the transaction on '${alias}' was lost; the transaction was rolled back by the server and nothing of it was committed: ${error.message}`,
    { cause: error, sql: error.sql, parameters: error.parameters },
  );
}

/** The connection was lost while COMMIT was in flight: the server committed all of it or none of it. */
function lostDuringCommit(error: ConnectionError, alias: string): TransactionError {
  return new TransactionError(
    `The connection of the transaction on '${alias}' was lost during COMMIT: the server committed either the whole transaction or none of it. ` +
      'Check the data before retrying; Oxen never retries a write.',
    { cause: error, sql: error.sql, parameters: error.parameters },
  );
}

/** Sends ROLLBACK; resolves to the error it failed with, or undefined. The connection is released either way. */
async function rollback(trx: ControlledTransaction<any>): Promise<unknown> {
  try {
    await trx.rollback().execute();
    return undefined;
  } catch (error) {
    return error ?? new Error('ROLLBACK failed');
  }
}

function logOf(alias: string): Log | undefined {
  try {
    return getConnection(alias).log;
  } catch {
    return undefined;
  }
}

function reportCallbackError(alias: string | undefined, error: unknown): void {
  const log = alias === undefined ? undefined : logOf(alias);
  if (log !== undefined) log.error(CALLBACK_FAILED, { error });
  else console.error(`[oxen] ${CALLBACK_FAILED}`, error);
}

/** Runs one onCommit callback; its errors (sync or async) are logged, never thrown. */
async function runCallback(alias: string | undefined, callback: () => unknown): Promise<void> {
  try {
    await callback();
  } catch (error) {
    reportCallbackError(alias, error);
  }
}

/**
 * Runs `fn` in a transaction and resolves to its result.
 *
 * - Model calls inside `fn` (and in everything `fn` awaits or starts) join the transaction implicitly:
 *   the transaction is carried by AsyncLocalStorage. Statements of other async contexts never join it.
 * - A throw anywhere inside rolls back and re-throws the same error object.
 * - A nested call opens a SAVEPOINT: its throw rolls back only the nested part (and still re-throws).
 *   Nested calls started concurrently inside one transaction take turns.
 * - `onCommit(fn)` callbacks run after the outermost COMMIT, never after a ROLLBACK.
 * - A connection lost before COMMIT rejects with `TransactionError`; nothing of the transaction remains.
 *
 * @example
 * ```ts
 * const author = await transaction(async () => {
 *   const a = await Author.create({ name: 'Ann', email: 'ann@x.io' });
 *   await transaction(async () => {            // SAVEPOINT
 *     await Book.create({ title: 'Draft', authorId: a.id });
 *   });
 *   onCommit(() => sendWelcomeMail(a));        // after COMMIT only
 *   return a;
 * });
 * await transaction({ using: 'pg', isolation: 'serializable' }, async (tx) => {
 *   await sql`select 1`.execute(tx.kysely);    // hand-written SQL joins through tx.kysely
 * });
 * ```
 */
export async function transaction<T>(fn: TransactionCallback<T>): Promise<T>;
export async function transaction<T>(options: TransactionOptions, fn: TransactionCallback<T>): Promise<T>;
export async function transaction<T>(a: TransactionOptions | TransactionCallback<T>, b?: TransactionCallback<T>): Promise<T> {
  const options = typeof a === 'function' ? {} : checkOptions(a);
  const fn = typeof a === 'function' ? a : b;
  if (typeof fn !== 'function') throw new ConfigurationError('transaction() needs a callback: transaction(async (tx) => { ... })');
  const alias = getConnection(options.using ?? 'default').alias;
  const parent = currentFrame(alias);
  return parent === undefined ? outermost(alias, options, fn) : nested(parent, options, fn);
}

/** Runs `run` inside a span of the transaction (depth 1) or savepoint, when tracing is on. */
async function traced<T>(alias: string, parent: TraceSpan | undefined, depth: number, run: (span: TraceSpan | undefined) => Promise<T>): Promise<T> {
  const tracing = getConnection(alias).tracing;
  if (tracing === undefined) return run(undefined);
  const span = transactionSpan(tracing, parent, depth);
  try {
    return await run(span);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function outermost<T>(alias: string, options: TransactionOptions, fn: TransactionCallback<T>): Promise<T> {
  return traced(alias, undefined, 1, (span) => runOutermost(alias, options, fn, span));
}

async function runOutermost<T>(alias: string, options: TransactionOptions, fn: TransactionCallback<T>, span: TraceSpan | undefined): Promise<T> {
  const connection = getConnection(alias);
  let builder = connection.kysely.startTransaction();
  if (options.isolation !== undefined && connection.features.supportsIsolationLevels) builder = builder.setIsolationLevel(options.isolation);
  let trx: ControlledTransaction<any>;
  try {
    trx = await builder.execute();
  } catch (error) {
    if (error instanceof OxenError) throw error;
    throw new TransactionError(`Could not begin a transaction on '${alias}': ${messageOf(error)}`, { cause: error });
  }
  const frame: TransactionFrame = {
    alias,
    kysely: trx,
    depth: 1,
    isolation: options.isolation,
    onCommit: [],
    root: { savepoints: 0 },
    children: Promise.resolve(),
    open: true,
    span,
  };
  let result: T;
  try {
    // Awaited inside the frame: a returned QuerySet (lazy) must run in the transaction too.
    result = await runInFrame(frame, async () => await fn({ alias, depth: 1, kysely: trx }), namesOf(alias));
  } catch (error) {
    frame.open = false;
    const rollbackError = await rollback(trx);
    if (error instanceof ConnectionError && rollbackError !== undefined) throw lostBeforeCommit(error, alias);
    throw error;
  }
  frame.open = false;
  if (frame.root.broken !== undefined) {
    await rollback(trx);
    throw new TransactionError(
      `The transaction on '${alias}' cannot commit: the database already ended it when a nested transaction failed (${messageOf(frame.root.broken)}). ` +
        'Nothing of it was committed; run it again.',
      { cause: frame.root.broken },
    );
  }
  try {
    await trx.commit().execute();
  } catch (error) {
    await rollback(trx);
    throw error instanceof ConnectionError ? lostDuringCommit(error, alias) : error;
  }
  for (const callback of frame.onCommit) await runOutside(alias, () => runCallback(alias, callback));
  return result;
}

/** Waits for the earlier nested transactions of `frame` to finish; resolves to the function that ends this one's turn. */
function takeTurn(frame: TransactionFrame): Promise<() => void> {
  let release!: () => void;
  const done = new Promise<void>((resolve) => {
    release = resolve;
  });
  const previous = frame.children;
  frame.children = previous.then(() => done);
  return previous.then(() => release);
}

async function nested<T>(parent: TransactionFrame, options: TransactionOptions, fn: TransactionCallback<T>): Promise<T> {
  if (options.isolation !== undefined && options.isolation !== parent.isolation) {
    throw new TransactionError(
      `transaction({ isolation: '${options.isolation}' }) is nested in a transaction on '${parent.alias}' opened with ` +
        `${parent.isolation === undefined ? "the database's default level" : `'${parent.isolation}'`}; a savepoint cannot change the isolation level. ` +
        'Set it on the outermost transaction().',
    );
  }
  const endTurn = await takeTurn(parent);
  try {
    if (!parent.open) throw new TransactionError(`The transaction on '${parent.alias}' ended before this nested transaction() could start`);
    if (parent.root.broken !== undefined) {
      throw new TransactionError(
        `The transaction on '${parent.alias}' was already ended by the database (${messageOf(parent.root.broken)}); no nested transaction can start in it`,
        { cause: parent.root.broken },
      );
    }
    const depth = parent.depth + 1;
    const name = `oxen_sp_${++parent.root.savepoints}`;
    const parentTrx = parent.kysely as ControlledTransaction<any>;
    return await traced(parent.alias, parent.span, depth, (span) => runSavepoint(parent, parentTrx, name, depth, fn, span));
  } finally {
    endTurn();
  }
}

async function runSavepoint<T>(parent: TransactionFrame, parentTrx: ControlledTransaction<any>, name: string, depth: number, fn: TransactionCallback<T>, span: TraceSpan | undefined): Promise<T> {
  const savepoint = await parentTrx.savepoint(name).execute();
  const frame: TransactionFrame = {
    alias: parent.alias,
    kysely: savepoint,
    depth,
    isolation: parent.isolation,
    onCommit: [],
    root: parent.root,
    children: Promise.resolve(),
    open: true,
    span,
  };
  let result: T;
  try {
    result = await runInFrame(frame, async () => await fn({ alias: parent.alias, depth, kysely: savepoint }), namesOf(parent.alias));
  } catch (error) {
    frame.open = false;
    let rollbackError: unknown;
    try {
      await savepoint.rollbackToSavepoint(name).execute();
    } catch (e) {
      rollbackError = e ?? new Error('ROLLBACK TO SAVEPOINT failed');
    }
    if (rollbackError === undefined) {
      await savepoint.releaseSavepoint(name).execute().catch(() => undefined);
      throw error;
    }
    // The savepoint is gone: the database rolled back the whole transaction (MySQL does on a deadlock)
    // or the connection is lost. Undoing only the inner part is impossible; the whole transaction must end.
    parent.root.broken = error;
    throw new TransactionError(
      `A nested transaction on '${parent.alias}' failed (${messageOf(error)}) and its savepoint could not be rolled back ` +
        `(${messageOf(rollbackError)}): the database ended the whole transaction. Nothing of it will be committed; run it again.`,
      { cause: error },
    );
  }
  frame.open = false;
  await savepoint.releaseSavepoint(name).execute();
  parent.onCommit.push(...frame.onCommit);
  return result;
}

/**
 * Runs `fn` after the outermost transaction commits; never after a ROLLBACK, and a savepoint that is
 * rolled back drops the callbacks registered inside it. Callbacks run in registration order, outside
 * the transaction, before `transaction()` resolves; a callback that throws is logged (the transaction
 * stays committed) and the next one still runs. Outside any transaction, `fn` runs at once.
 *
 * @param using The alias whose transaction to wait for. Omitted: the innermost transaction open in
 *   this async context, whatever its alias.
 *
 * @example
 * ```ts
 * await transaction(async () => {
 *   const order = await Order.create({ total: '9.90' });
 *   onCommit(() => mailer.send(order));   // never sent for an order that was rolled back
 * });
 * ```
 */
export function onCommit(fn: () => unknown, using?: string): void {
  if (typeof fn !== 'function') throw new ConfigurationError('onCommit() needs a function');
  if (using !== undefined && (typeof using !== 'string' || using === '')) throw new ConfigurationError('onCommit(fn, using) takes a connection alias');
  const frame = using === undefined ? innermostFrame() : currentFrame(getConnection(using).alias);
  if (frame !== undefined) {
    frame.onCommit.push(fn);
    return;
  }
  const alias = using ?? 'default';
  try {
    const result = fn();
    if (result instanceof Promise) result.catch((error: unknown) => reportCallbackError(alias, error));
  } catch (error) {
    reportCallbackError(alias, error);
  }
}

/** True when this async context has an open transaction on `using` (default `'default'`). */
export function inTransaction(using = 'default'): boolean {
  return currentFrame(canonicalAlias(using)) !== undefined;
}
