/**
 * Metrics: the streaming latency estimator against known distributions (every percentile within 1 %
 * of the exact one); `db.metrics()` counters, percentiles and pool on every dialect; `resetMetrics()`;
 * `metricsText()` parsed back as Prometheus text (families, types, labels with escaping, values equal
 * to `metrics()`).
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencySketch, closeAll, connect, metricsText, type Connection } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

/** The exact q-quantile of sorted values (the same rank rule as the sketch: q × (n − 1)). */
const exact = (sorted: readonly number[], q: number): number => sorted[Math.floor(q * (sorted.length - 1))];

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('LatencySketch', () => {
  it.each([
    ['uniform 0.05–100 ms', (r: () => number) => 0.05 + r() * 99.95],
    ['exponential, mean 3 ms', (r: () => number) => -3 * Math.log(1 - r())],
    ['log-normal with a slow tail', (r: () => number) => Math.exp(Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()))],
  ])('%s: p50, p95, p99 within 1 %% of the exact percentiles over 100,000 latencies', (_name, draw) => {
    const r = random(42);
    const sketch = new LatencySketch();
    const values: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = draw(r);
      values.push(v);
      sketch.add(v);
    }
    values.sort((a, b) => a - b);
    expect(sketch.count).toBe(100_000);
    for (const q of [0.5, 0.95, 0.99]) {
      const want = exact(values, q);
      expect(Math.abs(sketch.quantile(q) - want) / want).toBeLessThanOrEqual(0.01);
    }
  });

  it('a known small distribution: 1..100 ms', () => {
    const sketch = new LatencySketch();
    for (let ms = 1; ms <= 100; ms++) sketch.add(ms);
    expect(Math.abs(sketch.quantile(0.5) - 50) / 50).toBeLessThanOrEqual(0.01);
    expect(Math.abs(sketch.quantile(0.95) - 95) / 95).toBeLessThanOrEqual(0.01);
    expect(Math.abs(sketch.quantile(0.99) - 99) / 99).toBeLessThanOrEqual(0.01);
    sketch.clear();
    expect([sketch.count, sketch.quantile(0.5)]).toEqual([0, 0]);
  });
});

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** Parses the Prometheus text exposition format (0.0.4): `# HELP`, `# TYPE`, and `name{labels} value` lines. */
function parsePrometheus(text: string): { types: Map<string, string>; samples: Sample[] } {
  expect(text.endsWith('\n')).toBe(true);
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.slice(0, -1).split('\n')) {
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (type !== null) {
      types.set(type[1], type[2]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*)\} (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a Prometheus line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/g)) {
      labels[l[1]] = l[2].replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { types, samples };
}

forEachDialect('db.metrics()', (ctx) => {
  it('counts statements and errors, estimates percentiles, shows the pool; resetMetrics() zeroes them', async () => {
    const db = ctx.connection();
    db.resetMetrics();
    const zero = db.metrics();
    expect([zero.queries, zero.errors, zero.slowQueries, zero.latencyMs]).toEqual([0, 0, 0, { p50: 0, p95: 0, p99: 0 }]);
    for (let i = 0; i < 5; i++) await sql`select 1 as one`.execute(db.kysely);
    await rejection(sql`select * from no_such_table_metrics`.execute(db.kysely));
    const m = db.metrics();
    expect(m).toMatchObject({ alias: 'default', dialect: ctx.dialect, queries: 6, errors: 1, slowQueries: 0, cache: { hits: 0, misses: 0, entries: 0 } });
    expect(m.latencyMs.p50).toBeGreaterThan(0);
    expect(m.latencyMs.p50).toBeLessThanOrEqual(m.latencyMs.p95);
    expect(m.latencyMs.p95).toBeLessThanOrEqual(m.latencyMs.p99);
    expect(m.qps).toBeGreaterThan(0);
    expect(m.pool.size).toBeGreaterThanOrEqual(1);
    expect(m.pool.waiting).toBe(0);
    db.resetMetrics();
    expect(db.metrics()).toMatchObject({ queries: 0, errors: 0, latencyMs: { p50: 0, p95: 0, p99: 0 } });
    expect(db.metrics().uptimeMs).toBeGreaterThanOrEqual(m.uptimeMs);
  });

  it('metricsText() parses as Prometheus text and agrees with metrics()', async () => {
    const db = ctx.connection();
    db.resetMetrics();
    for (let i = 0; i < 3; i++) await sql`select 1 as one`.execute(db.kysely);
    const m = db.metrics();
    const { types, samples } = parsePrometheus(metricsText([db]));
    expect(Object.fromEntries(types)).toEqual({
      oxen_queries_total: 'counter',
      oxen_errors_total: 'counter',
      oxen_slow_queries_total: 'counter',
      oxen_query_duration_seconds: 'summary',
      oxen_pool_connections: 'gauge',
      oxen_pool_idle_connections: 'gauge',
      oxen_pool_waiting_requests: 'gauge',
      oxen_uptime_seconds: 'gauge',
    });
    const value = (name: string, extra: Record<string, string> = {}): number => {
      const found = samples.filter((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v));
      expect(found.length).toBe(1);
      expect(found[0].labels).toMatchObject({ alias: 'default', dialect: ctx.dialect });
      return found[0].value;
    };
    expect(value('oxen_queries_total')).toBe(3);
    expect(value('oxen_errors_total')).toBe(0);
    expect(value('oxen_query_duration_seconds_count')).toBe(3);
    expect(value('oxen_query_duration_seconds', { quantile: '0.5' })).toBeCloseTo(m.latencyMs.p50 / 1000, 9);
    expect(value('oxen_query_duration_seconds', { quantile: '0.99' })).toBeCloseTo(m.latencyMs.p99 / 1000, 9);
    expect(value('oxen_query_duration_seconds_sum')).toBeGreaterThan(0);
    expect(value('oxen_pool_connections')).toBe(m.pool.size);
    expect(value('oxen_pool_waiting_requests')).toBe(0);
  });
});

describe('metricsText() labels', () => {
  afterEach(() => closeAll());

  it('escapes quotes, backslashes and newlines in an alias; one series per connection', async () => {
    const odd = 'we"ird\\alias\nx';
    const dbs: Connection[] = [await connect('sqlite://:memory:', { alias: odd }), await connect('sqlite://:memory:', { alias: 'plain' })];
    await sql`select 1 as one`.execute(dbs[1].kysely);
    const { samples } = parsePrometheus(metricsText());
    const queries = samples.filter((s) => s.name === 'oxen_queries_total');
    expect(queries.map((s) => [s.labels.alias, s.labels.dialect]).sort()).toEqual([
      ['plain', 'sqlite'],
      [odd, 'sqlite'],
    ]);
    expect(queries.find((s) => s.labels.alias === 'plain')!.value).toBe(dbs[1].metrics().queries);
  });
});
