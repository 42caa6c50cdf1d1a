import type { ControlledTransaction, Kysely } from 'kysely';
import { ConfigurationError, ConnectionError, OxenError, TransactionError } from '../errors/index.js';
import { isPlainObject, suggestion } from '../utils/index.js';
import { getConnection } from './connections.js';
import { currentFrame, runInFrame, runOutside, type TransactionFrame } from './context.js';

/** Isolation levels (accepted on SQLite, where every transaction is serializable). */
export type IsolationLevel = 'read uncommitted' | 'read committed' | 'repeatable read' | 'serializable';

/** Options of `transaction(options, fn)`. */
export interface TransactionOptions {
  /** The connection alias (default `'default'`). */
  using?: string;
  /** The isolation level of the outermost transaction. */
  isolation?: IsolationLevel;
}

/** What a transaction callback receives. */
export interface TransactionContext {
  /** The connection alias. */
  readonly alias: string;
  /** 1 for the outermost transaction, 2+ inside savepoints. */
  readonly depth: number;
  /** A Kysely instance bound to the transaction, for hand-written queries that must join it. */
  readonly kysely: Kysely<any>;
}

const ISOLATION_LEVELS: IsolationLevel[] = ['read uncommitted', 'read committed', 'repeatable read', 'serializable'];
const TRANSACTION_OPTIONS = ['using', 'isolation'];

function checkOptions(options: unknown): TransactionOptions {
  if (!isPlainObject(options)) throw new ConfigurationError('transaction(options, fn): options must be an object');
  for (const key of Object.keys(options)) {
    if (!TRANSACTION_OPTIONS.includes(key)) throw new ConfigurationError(`Unknown transaction() option '${key}'${suggestion(key, TRANSACTION_OPTIONS)}`);
  }
  const o = options as TransactionOptions;
  if (o.isolation !== undefined && !ISOLATION_LEVELS.includes(o.isolation)) {
    throw new ConfigurationError(`Unknown isolation level '${String(o.isolation)}'${suggestion(String(o.isolation), ISOLATION_LEVELS)}`);
  }
  return o;
}

/** A lost connection inside a transaction is a TransactionError: nothing of it was committed. */
function asTransactionError(error: unknown, alias: string): unknown {
  if (error instanceof ConnectionError) {
    return new TransactionError(`The connection of the transaction on '${alias}' was lost; the transaction was rolled back by the server: ${error.message}`, {
      cause: error,
      sql: error.sql,
      parameters: error.parameters,
    });
  }
  return error;
}

async function runCallbacks(alias: string, callbacks: readonly (() => unknown)[]): Promise<void> {
  for (const callback of callbacks) {
    try {
      await runOutside(alias, callback);
    } catch (error) {
      getConnection(alias).log.error('an onCommit callback threw (the transaction stays committed)', { error });
    }
  }
}

/**
 * Runs `fn` in a transaction. Models used inside join it implicitly (AsyncLocalStorage). A nested
 * call opens a SAVEPOINT: its throw rolls back only itself. A throw anywhere rolls back and re-throws
 * the same error. Resolves to `fn`'s result.
 *
 * @example
 * ```ts
 * const author = await transaction(async () => {
 *   const a = await Author.create({ name: 'Ann', email: 'ann@x.io' });
 *   onCommit(() => sendWelcomeMail(a));
 *   return a;
 * });
 * await transaction({ using: 'pg', isolation: 'serializable' }, async (tx) => { ... });
 * ```
 */
export async function transaction<T>(fn: (tx: TransactionContext) => Promise<T> | T): Promise<T>;
export async function transaction<T>(options: TransactionOptions, fn: (tx: TransactionContext) => Promise<T> | T): Promise<T>;
export async function transaction<T>(
  a: TransactionOptions | ((tx: TransactionContext) => Promise<T> | T),
  b?: (tx: TransactionContext) => Promise<T> | T,
): Promise<T> {
  const options = typeof a === 'function' ? {} : checkOptions(a);
  const fn = typeof a === 'function' ? a : b;
  if (typeof fn !== 'function') throw new ConfigurationError('transaction() needs a callback: transaction(async (tx) => { ... })');
  const alias = options.using ?? 'default';
  const connection = getConnection(alias);
  const parent = currentFrame(alias);
  return parent === undefined ? outermost(connection.alias, options, fn) : nested(parent, fn);
}

async function outermost<T>(alias: string, options: TransactionOptions, fn: (tx: TransactionContext) => Promise<T> | T): Promise<T> {
  const connection = getConnection(alias);
  let builder = connection.kysely.startTransaction();
  if (options.isolation !== undefined && connection.features.supportsIsolationLevels) builder = builder.setIsolationLevel(options.isolation);
  let trx: ControlledTransaction<any>;
  try {
    trx = await builder.execute();
  } catch (error) {
    if (error instanceof OxenError) throw error;
    throw new TransactionError(`Could not begin a transaction on '${alias}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const frame: TransactionFrame = { alias, kysely: trx, depth: 1, onCommit: [], open: true };
  let result: T;
  try {
    result = await runInFrame(frame, () => fn({ alias, depth: 1, kysely: trx }));
  } catch (error) {
    frame.open = false;
    await trx.rollback().execute().catch(() => undefined);
    throw asTransactionError(error, alias);
  }
  frame.open = false;
  try {
    await trx.commit().execute();
  } catch (error) {
    await trx.rollback().execute().catch(() => undefined);
    throw asTransactionError(error, alias);
  }
  await runCallbacks(alias, frame.onCommit);
  return result;
}

async function nested<T>(parent: TransactionFrame, fn: (tx: TransactionContext) => Promise<T> | T): Promise<T> {
  const depth = parent.depth + 1;
  const name = `oxen_sp_${depth}`;
  const parentTrx = parent.kysely as ControlledTransaction<any>;
  const savepoint = await parentTrx.savepoint(name).execute();
  const frame: TransactionFrame = { alias: parent.alias, kysely: savepoint, depth, onCommit: [], open: true };
  let result: T;
  try {
    result = await runInFrame(frame, () => fn({ alias: parent.alias, depth, kysely: savepoint }));
  } catch (error) {
    frame.open = false;
    await savepoint.rollbackToSavepoint(name).execute().catch(() => undefined);
    await savepoint.releaseSavepoint(name).execute().catch(() => undefined);
    throw error;
  }
  frame.open = false;
  await savepoint.releaseSavepoint(name).execute();
  parent.onCommit.push(...frame.onCommit);
  return result;
}

/**
 * Runs `fn` after the outermost transaction of `using` commits; never after a rollback (a rolled-back
 * savepoint drops its callbacks). Outside any transaction, runs `fn` at once.
 */
export function onCommit(fn: () => unknown, using = 'default'): void {
  if (typeof fn !== 'function') throw new ConfigurationError('onCommit() needs a function');
  const frame = currentFrame(using);
  if (frame === undefined) {
    const result = fn();
    if (result instanceof Promise) result.catch((error: unknown) => getConnection(using).log.error('an onCommit callback threw', { error }));
    return;
  }
  frame.onCommit.push(fn);
}

/** True when this async context has an open transaction on `using`. */
export function inTransaction(using = 'default'): boolean {
  return currentFrame(using) !== undefined;
}
