import Emittery from 'emittery';

/** The class that sent a signal (a model class). */
export type Sender = abstract new (...args: never[]) => object;

/** Payload of `preSave` and `postSave`. */
export interface SaveSignalPayload<M extends object = object> {
  /** The model class. */
  readonly sender: Sender;
  /** The instance being saved. */
  readonly instance: M;
  /** True when the save is an INSERT. */
  readonly created: boolean;
  /** The fields being written by an UPDATE with `updateFields`, else null. */
  readonly updateFields: readonly string[] | null;
  /** The connection alias the write goes to. */
  readonly using: string;
}

/** Payload of `preDelete` and `postDelete`. */
export interface DeleteSignalPayload<M extends object = object> {
  /** The model class. */
  readonly sender: Sender;
  /** The instance being deleted. */
  readonly instance: M;
  /** The connection alias the delete goes to. */
  readonly using: string;
}

/** What a `signals.onError` listener receives when a post-signal handler throws. */
export interface SignalErrorEvent {
  readonly error: unknown;
  readonly signal: string;
  readonly sender: Sender;
  readonly instance: object;
}

/** A signal handler. */
export type SignalHandler<P> = (payload: P) => void | Promise<void>;

const ALL = Symbol('oxen:all-senders');
/** Errors caught from robust handlers during one send, keyed by the payload object of that send. */
const caught = new WeakMap<object, unknown[]>();
const errorEmitter = new Emittery<{ error: SignalErrorEvent }>();

/**
 * A signal: handlers connected to it run, serially and awaited, in registration order, whenever it is
 * sent. A pre-signal handler that throws aborts the write; a post-signal handler that throws is reported
 * to `signals.onError` listeners and the others still run.
 */
export class Signal<P extends { sender: Sender; instance: object }> {
  readonly #emitter = new Emittery<{ [ALL]: P }>();
  /** The signal's name (`'preSave'`, ...). */
  readonly name: string;
  /** True for post-signals: handler errors are reported, not thrown. */
  readonly robust: boolean;

  constructor(name: string, robust: boolean) {
    this.name = name;
    this.robust = robust;
  }

  /**
   * Connects a handler for every model, or for one model (and its subclasses) when a class is given
   * first. Returns a function that disconnects it.
   *
   * @example
   * ```ts
   * const off = postSave.connect(Author, async ({ instance, created }) => { ... });
   * off();
   * ```
   */
  connect(handler: SignalHandler<P>): () => void;
  connect<M extends object>(sender: abstract new (...args: never[]) => M, handler: SignalHandler<P & { instance: M }>): () => void;
  connect(a: Sender | SignalHandler<P>, b?: SignalHandler<P>): () => void {
    let handler: SignalHandler<P>;
    if (b === undefined) handler = a as SignalHandler<P>;
    else {
      const sender = a as Sender;
      const inner = b;
      handler = (payload) => (payload.sender === sender || payload.sender.prototype instanceof sender ? inner(payload) : undefined);
    }
    if (typeof handler !== 'function') throw new TypeError(`${this.name}.connect needs a handler function`);
    const listener = this.robust ? this.#robust(handler) : handler;
    return this.#emitter.on(ALL, listener);
  }

  #robust(handler: SignalHandler<P>): SignalHandler<P> {
    return async (payload) => {
      try {
        await handler(payload);
      } catch (error) {
        caught.get(payload)?.push(error);
        await reportSignalError({ error, signal: this.name, sender: payload.sender, instance: payload.instance });
      }
    };
  }

  /** How many handlers are connected. */
  get handlerCount(): number {
    return this.#emitter.listenerCount(ALL);
  }

  /**
   * Sends the signal: every handler runs in registration order, each awaited before the next. A
   * pre-signal rejects with the first handler error; a post-signal resolves to the errors its handlers
   * threw (already reported to `signals.onError`).
   */
  async send(payload: P): Promise<unknown[]> {
    if (this.#emitter.listenerCount(ALL) === 0) return [];
    const errors: unknown[] = [];
    caught.set(payload, errors);
    try {
      await this.#emitter.emitSerial(ALL, payload);
    } finally {
      caught.delete(payload);
    }
    return errors;
  }
}

/** Reports an error thrown by a post-signal handler or post hook to `signals.onError` listeners. */
export async function reportSignalError(event: SignalErrorEvent): Promise<void> {
  if (errorEmitter.listenerCount('error') === 0) return;
  try {
    await errorEmitter.emitSerial('error', event);
  } catch {
    // An onError listener that throws must not fail the write either.
  }
}

/** How many `signals.onError` listeners exist (the persistence layer logs when there are none). */
export function signalErrorListenerCount(): number {
  return errorEmitter.listenerCount('error');
}

/** Sent before a model instance is saved (after validation). A throw aborts the save. */
export const preSave = new Signal<SaveSignalPayload>('preSave', false);
/** Sent after a model instance was saved. A throw is reported to `signals.onError`; the save stands. */
export const postSave = new Signal<SaveSignalPayload>('postSave', true);
/** Sent before a model instance is deleted. A throw aborts the delete. */
export const preDelete = new Signal<DeleteSignalPayload>('preDelete', false);
/** Sent after a model instance was deleted. A throw is reported to `signals.onError`. */
export const postDelete = new Signal<DeleteSignalPayload>('postDelete', true);

/**
 * The signal registry: the four signals and `onError`.
 *
 * @example
 * ```ts
 * const off = signals.onError(({ error, signal, sender }) => log.error({ error, signal, model: sender.name }));
 * ```
 */
export const signals = {
  preSave,
  postSave,
  preDelete,
  postDelete,
  /** Subscribes to errors thrown by post-signal handlers; returns an unsubscribe function. */
  onError(listener: (event: SignalErrorEvent) => void | Promise<void>): () => void {
    return errorEmitter.on('error', listener);
  },
};
