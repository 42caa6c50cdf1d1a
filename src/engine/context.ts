import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';

/** A transaction (or savepoint) open in the current async context. */
export interface TransactionFrame {
  /** The connection alias. */
  readonly alias: string;
  /** The Kysely instance bound to the transaction's connection. */
  readonly kysely: Kysely<any>;
  /** 1 for the outermost transaction, 2+ for savepoints. */
  readonly depth: number;
  /** Callbacks to run after this level is committed (moved to the parent on RELEASE). */
  readonly onCommit: (() => unknown)[];
  /** False once committed or rolled back: later statements of stray async work no longer use it. */
  open: boolean;
}

type Store = ReadonlyMap<string, TransactionFrame>;

const storage = new AsyncLocalStorage<Store>();

/** The open transaction frame for `alias` in this async context, if any. */
export function currentFrame(alias: string): TransactionFrame | undefined {
  const frame = storage.getStore()?.get(alias);
  return frame !== undefined && frame.open ? frame : undefined;
}

/** Runs `fn` with `frame` as the current transaction of its alias. */
export function runInFrame<T>(frame: TransactionFrame, fn: () => T): T {
  const store = new Map(storage.getStore() ?? []);
  store.set(frame.alias, frame);
  return storage.run(store, fn);
}

/** Runs `fn` outside any transaction of `alias` (used for onCommit callbacks). */
export function runOutside<T>(alias: string, fn: () => T): T {
  const current = storage.getStore();
  if (current === undefined || !current.has(alias)) return fn();
  const store = new Map(current);
  store.delete(alias);
  return storage.run(store, fn);
}
