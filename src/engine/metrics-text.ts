import { listConnections } from './connections.js';
import type { Connection } from './connection.js';

/** A label value escaped as the Prometheus text format requires (backslash, double quote, newline). */
function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A number as Prometheus writes it. */
function num(value: number): string {
  return Number.isFinite(value) ? String(value) : value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN';
}

interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'summary';
  readonly help: string;
  readonly samples: (c: Connection) => readonly [suffix: string, extra: string, value: number][];
}

const FAMILIES: readonly Family[] = [
  { name: 'oxen_queries_total', type: 'counter', help: 'Statements sent to the database, transaction control included.', samples: (c) => [['', '', c.metrics().queries]] },
  { name: 'oxen_errors_total', type: 'counter', help: 'Statements that failed.', samples: (c) => [['', '', c.metrics().errors]] },
  { name: 'oxen_slow_queries_total', type: 'counter', help: 'Statements slower than slowQueryMs.', samples: (c) => [['', '', c.metrics().slowQueries]] },
  {
    name: 'oxen_query_duration_seconds',
    type: 'summary',
    help: 'Statement latency (quantiles within 1 %).',
    samples: (c) => {
      const m = c.metrics();
      return [
        ['', ',quantile="0.5"', m.latencyMs.p50 / 1000],
        ['', ',quantile="0.95"', m.latencyMs.p95 / 1000],
        ['', ',quantile="0.99"', m.latencyMs.p99 / 1000],
        ['_sum', '', c.totalMs / 1000],
        ['_count', '', m.queries],
      ];
    },
  },
  { name: 'oxen_pool_connections', type: 'gauge', help: 'Connections open in the pool.', samples: (c) => [['', '', c.metrics().pool.size]] },
  { name: 'oxen_pool_idle_connections', type: 'gauge', help: 'Idle connections in the pool.', samples: (c) => [['', '', c.metrics().pool.idle]] },
  { name: 'oxen_pool_waiting_requests', type: 'gauge', help: 'Requests waiting for a connection.', samples: (c) => [['', '', c.metrics().pool.waiting]] },
  { name: 'oxen_uptime_seconds', type: 'gauge', help: 'Seconds since the connection opened.', samples: (c) => [['', '', c.metrics().uptimeMs / 1000]] },
];

/**
 * The metrics of every open connection (or of the given ones) in the Prometheus text exposition format
 * (version 0.0.4), one labelled series per alias: serve it on `/metrics`.
 *
 * @example
 * ```ts
 * app.get('/metrics', (c) => c.text(metricsText(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
 * // oxen_queries_total{alias="default",dialect="postgres"} 1234
 * ```
 */
export function metricsText(connections: readonly Connection[] = listConnections()): string {
  const lines: string[] = [];
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const c of connections) {
      const labels = `alias="${label(c.alias)}",dialect="${label(c.dialect)}"`;
      for (const [suffix, extra, value] of family.samples(c)) lines.push(`${family.name}${suffix}{${labels}${extra}} ${num(value)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
