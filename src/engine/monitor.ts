/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

const WINDOW = 2048;

/** Counts statements and keeps a window of recent latencies (no allocation per statement). */
export class Monitor {
  queries = 0;
  errors = 0;
  slowQueries = 0;
  readonly startedAt = performance.now();
  readonly #latencies = new Float64Array(WINDOW);
  #next = 0;
  #filled = 0;

  record(durationMs: number, failed: boolean, slow: boolean): void {
    this.queries++;
    if (failed) this.errors++;
    if (slow) this.slowQueries++;
    this.#latencies[this.#next] = durationMs;
    this.#next = (this.#next + 1) % WINDOW;
    if (this.#filled < WINDOW) this.#filled++;
  }

  /** Percentiles over the most recent statements (up to 2048). */
  latency(): LatencySummary {
    if (this.#filled === 0) return { p50: 0, p95: 0, p99: 0 };
    const sorted = this.#latencies.slice(0, this.#filled).sort();
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }

  uptimeMs(): number {
    return performance.now() - this.startedAt;
  }
}
