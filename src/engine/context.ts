import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { TraceSpan } from './tracing.js';

/**
 * A transaction (or savepoint) open in the current async context. Frames live in AsyncLocalStorage:
 * every async continuation started inside `transaction(fn)` (awaits, timers, event handlers) sees the
 * frame of the context that started it, and nothing outside does.
 */
export interface TransactionFrame {
  /** The connection alias (always the connection's own alias, never a synonym such as `'default'`). */
  readonly alias: string;
  /** The Kysely instance bound to the transaction's connection. */
  readonly kysely: Kysely<any>;
  /** 1 for the outermost transaction, 2+ for savepoints. */
  readonly depth: number;
  /** The isolation level the outermost transaction was opened with (inherited by savepoints). */
  readonly isolation: string | undefined;
  /** Callbacks to run after this level is committed (moved to the parent on RELEASE, dropped on ROLLBACK). */
  readonly onCommit: (() => unknown)[];
  /**
   * Shared by a transaction and all its savepoints: numbers savepoint names uniquely, and records the
   * failure that ended the whole transaction on the server (a savepoint that could not be rolled back),
   * after which it must not COMMIT.
   */
  readonly root: { savepoints: number; broken?: unknown };
  /** The tail of the queue of nested transactions of this frame: concurrent ones take turns. */
  children: Promise<void>;
  /** False once committed or rolled back: later statements of stray async work no longer use it. */
  open: boolean;
  /** The OpenTelemetry span of this transaction or savepoint (the parent of its statements' spans). */
  readonly span?: TraceSpan;
}

/** The frames of one async context, by alias, in the order they were entered (the last is the innermost). */
type Store = ReadonlyMap<string, TransactionFrame>;

const storage = new AsyncLocalStorage<Store>();

/** The open transaction frame for `alias` in this async context, if any. */
export function currentFrame(alias: string): TransactionFrame | undefined {
  const frame = storage.getStore()?.get(alias);
  return frame !== undefined && frame.open ? frame : undefined;
}

/** The most recently entered open frame of this async context, whatever its alias. */
export function innermostFrame(): TransactionFrame | undefined {
  const store = storage.getStore();
  if (store === undefined) return undefined;
  let innermost: TransactionFrame | undefined;
  for (const frame of store.values()) if (frame.open) innermost = frame;
  return innermost;
}

/**
 * Runs `fn` with `frame` as the current (and innermost) transaction of its alias. `names` are every
 * name the connection is known by (its alias, and `'default'` when that is a synonym of it), so that
 * `currentFrame()` finds the frame under any of them.
 */
export function runInFrame<T>(frame: TransactionFrame, fn: () => T, names: readonly string[] = [frame.alias]): T {
  const store = new Map(storage.getStore() ?? []);
  for (const name of names) {
    store.delete(name);
    store.set(name, frame);
  }
  return storage.run(store, fn);
}

/** Runs `fn` outside any transaction of the connection `alias` (used for onCommit callbacks). */
export function runOutside<T>(alias: string, fn: () => T): T {
  const current = storage.getStore();
  if (current === undefined) return fn();
  const store = new Map([...current].filter(([name, frame]) => name !== alias && frame.alias !== alias));
  if (store.size === current.size) return fn();
  return storage.run(store, fn);
}
