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
  /** What the handler or hook threw (the same object). */
  readonly error: unknown;
  /** `'postSave'` or `'postDelete'`. */
  readonly signal: string;
  /** The model class of the instance. */
  readonly sender: Sender;
  /** The instance that was saved or deleted (the write stands). */
  readonly instance: object;
}

/** A signal handler. */
export type SignalHandler<P> = (payload: P) => void | Promise<void>;

const ALL = Symbol('oxen:all-senders');
/** Errors caught from robust handlers during one send, keyed by the payload object of that send. */
const caught = new WeakMap<object, unknown[]>();
const errorEmitter = new Emittery<{ error: SignalErrorEvent }>();

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/**
 * A signal: handlers connected to it run, serially and awaited, in registration order, whenever it is
 * sent. A pre-signal handler that throws aborts the write (the error propagates and the handlers after
 * it do not run); a post-signal handler that throws is reported to `signals.onError` listeners and the
 * handlers after it still run.
 *
 * Every `connect()` is its own subscription: connecting the same function twice runs it twice, and each
 * returned function disconnects only its own subscription.
 *
 * @example
 * ```ts
 * const off = preSave.connect(Author, async ({ instance, created }) => {
 *   if (created) instance.slug = slugify(instance.name);
 * });
 * off();
 * ```
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
   * Connects a handler for every model, or for one model and its subclasses when a model class is
   * given first. The handler receives one payload object and may be async: it is awaited before the
   * next handler runs. Returns a function that disconnects it (calling it again does nothing).
   *
   * @example
   * ```ts
   * const off = postSave.connect(Author, async ({ instance, created, using, updateFields }) => { ... });
   * preDelete.connect(async ({ sender, instance }) => audit(sender.name, instance));   // every model
   * off();
   * ```
   */
  connect(handler: SignalHandler<P>): () => void;
  connect<M extends object>(sender: abstract new (...args: never[]) => M, handler: SignalHandler<P & { instance: M }>): () => void;
  connect(a: Sender | SignalHandler<P>, b?: SignalHandler<P>): () => void {
    let handler: SignalHandler<P>;
    if (b === undefined) {
      if (typeof a !== 'function' || isClass(a)) throw new TypeError(`${this.name}.connect() needs a handler function: ${this.name}.connect(handler) or ${this.name}.connect(Model, handler)`);
      const inner = a as SignalHandler<P>;
      handler = (payload) => inner(payload);
    } else {
      if (typeof a !== 'function') throw new TypeError(`${this.name}.connect(sender, handler): the sender must be a model class`);
      if (typeof b !== 'function') throw new TypeError(`${this.name}.connect(${(a as Sender).name}, handler) needs a handler function`);
      const sender = a as Sender;
      const inner = b;
      handler = (payload) => (payload.sender === sender || payload.sender.prototype instanceof sender ? inner(payload) : undefined);
    }
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
   * pre-signal rejects with the first handler error (the same error object); a post-signal resolves to
   * the errors its handlers threw (already reported to `signals.onError`). The payload is frozen.
   * Called by the persistence layer; user code rarely sends signals itself.
   */
  async send(payload: P): Promise<unknown[]> {
    if (this.#emitter.listenerCount(ALL) === 0) return [];
    Object.freeze(payload);
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
  await errorEmitter.emitSerial('error', event);
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
  /**
   * Subscribes to errors thrown by post-signal handlers and post hooks (`@PostSave()`, `@PostDelete()`);
   * returns an unsubscribe function. Listeners run serially and are awaited before `save()`/`delete()`
   * resolves. The connection's logger gets an error entry for each such error as well.
   */
  onError(listener: (event: SignalErrorEvent) => void | Promise<void>): () => void {
    if (typeof listener !== 'function') throw new TypeError('signals.onError() needs a listener function');
    return errorEmitter.on('error', async (event) => {
      try {
        await listener(event);
      } catch (listenerError) {
        // A listener that throws must not fail the write nor silence the next listener; it has no logger of its own.
        console.error('[oxen] a signals.onError listener threw', listenerError);
      }
    });
  },
};
