/**
 * A promise whose work starts when it is first awaited (or `then`/`catch`/`finally` is called), not when
 * it is created: the work then runs in the async context of the await, so a query built outside a
 * transaction and awaited inside it runs inside it (as Tortoise's queries and Prisma's promises do).
 * The work runs at most once; later awaits share its result. An instance that is never awaited does
 * nothing.
 *
 * @example
 * ```ts
 * const q = Author.filter({ age__lt: 18 }).update({ age: 18 });   // nothing sent yet
 * await transaction(async () => { await q; });                  // runs here, inside the transaction
 * ```
 */
export class LazyPromise<T> implements Promise<T> {
  #run: (() => Promise<T>) | null;
  #promise: Promise<T> | null = null;

  /** `run` is called once, on the first `then`/`catch`/`finally`. */
  constructor(run: () => Promise<T>) {
    this.#run = run;
  }

  #start(): Promise<T> {
    if (this.#promise === null) {
      const run = this.#run as () => Promise<T>;
      this.#run = null;
      try {
        this.#promise = run();
      } catch (error) {
        this.#promise = Promise.reject(error);
      }
    }
    return this.#promise;
  }

  /** Starts the work (once) and chains on its result. */
  then<T1 = T, T2 = never>(onfulfilled?: ((value: T) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    return this.#start().then(onfulfilled, onrejected);
  }

  /** Starts the work (once) and handles its failure. */
  catch<T2 = never>(onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T | T2> {
    return this.#start().catch(onrejected);
  }

  /** Starts the work (once) and runs `onfinally` after it settles. */
  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#start().finally(onfinally);
  }

  /** `'LazyPromise'`. */
  get [Symbol.toStringTag](): string {
    return 'LazyPromise';
  }
}

/** Wraps `run` in a {@link LazyPromise}: nothing happens until the result is awaited. */
export function lazy<T>(run: () => Promise<T>): Promise<T> {
  return new LazyPromise(run);
}
