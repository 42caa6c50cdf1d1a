/** Latency percentiles in milliseconds. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** Relative accuracy of the latency estimator: every reported percentile is within 1 % of a real latency. */
export const LATENCY_ACCURACY = 0.01;
const GAMMA = (1 + LATENCY_ACCURACY) / (1 - LATENCY_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Latencies below 1 µs share the first bucket; the buckets reach past 10⁶ ms (about 17 minutes). */
const MIN_MS = 0.001;
const BUCKETS = Math.ceil(Math.log(1e6 / MIN_MS) / LOG_GAMMA) + 1;

/**
 * A streaming quantile estimator (the DDSketch scheme): each latency increments one of ~1050
 * logarithmic buckets, so recording costs one logarithm and memory is fixed, and a quantile is read
 * back within 1 % relative error over every statement since the last reset (not a recent window).
 */
export class LatencySketch {
  readonly #counts = new Float64Array(BUCKETS);
  #total = 0;

  /** Adds one latency in milliseconds. */
  add(ms: number): void {
    const index = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / LOG_GAMMA));
    this.#counts[index]++;
    this.#total++;
  }

  /** How many latencies were added. */
  get count(): number {
    return this.#total;
  }

  /** The q-quantile (0..1) of the latencies added, or 0 when there are none. */
  quantile(q: number): number {
    if (this.#total === 0) return 0;
    const rank = q * (this.#total - 1);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i];
      if (seen > rank) return i === 0 ? MIN_MS : (MIN_MS * 2 * GAMMA ** i) / (GAMMA + 1);
    }
    return MIN_MS * GAMMA ** (BUCKETS - 1);
  }

  /** Forgets every latency. */
  clear(): void {
    this.#counts.fill(0);
    this.#total = 0;
  }
}

/** Counts statements and estimates latency percentiles (no allocation per statement). */
export class Monitor {
  queries = 0;
  errors = 0;
  slowQueries = 0;
  /** Total milliseconds spent in statements (for the Prometheus summary's `_sum`). */
  totalMs = 0;
  readonly #openedAt = performance.now();
  #since = this.#openedAt;
  readonly #latencies = new LatencySketch();

  record(durationMs: number, failed: boolean, slow: boolean): void {
    this.queries++;
    if (failed) this.errors++;
    if (slow) this.slowQueries++;
    this.totalMs += durationMs;
    this.#latencies.add(durationMs);
  }

  /** Percentiles over every statement since the connection opened or the last `reset()`. */
  latency(): LatencySummary {
    const l = this.#latencies;
    return { p50: l.quantile(0.5), p95: l.quantile(0.95), p99: l.quantile(0.99) };
  }

  /** Milliseconds since the connection opened. */
  uptimeMs(): number {
    return performance.now() - this.#openedAt;
  }

  /** Statements per second since the connection opened or the last `reset()`. */
  qps(): number {
    const seconds = (performance.now() - this.#since) / 1000;
    return seconds > 0 ? this.queries / seconds : 0;
  }

  /** Zeroes the counters and the latencies; `qps` counts from now. */
  reset(): void {
    this.queries = 0;
    this.errors = 0;
    this.slowQueries = 0;
    this.totalMs = 0;
    this.#since = performance.now();
    this.#latencies.clear();
  }
}
