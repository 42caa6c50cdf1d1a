/**
 * Profiles one entry on one workload: runs the child under `node --cpu-prof` (V8's sampling profiler,
 * 100 µs interval), keeps the samples taken inside the timed section (the child reports its window on
 * the same monotonic clock), and summarises where the time goes.
 *
 *   npm run bench -- --profile W3                 # Oxen on SQLite, W3, 4× the usual operations
 *   npm run bench -- --profile W4 --entry kysely --dialect postgres --scale 2 --oxen-ref HEAD
 *
 * Writes the raw profile to bench/results/profiles/<entry>-<workload>-<dialect>.cpuprofile (open it in
 * Chrome DevTools › Performance, or speedscope) and the summary next to it as .txt.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENTRY_NAMES, FULL_SIZES, WORKLOADS, type Dialect, type EntryName, type WorkloadId } from './lib/common.js';
import { Datasets, log, oxenSource, runChild, targetFor } from './run.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function arg(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The area a frame belongs to, for the coarse breakdown. */
export function areaOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') {
    if (functionName === '(garbage collector)') return 'V8: garbage collector';
    if (functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return `V8: ${functionName}`;
    return 'native (driver bindings, builtins)';
  }
  const srcMatch = /(?:\/\.oxen-build\/[^/]+|\/src)\/([^/]+)\/(?:([^/]+)\/)?/.exec(url);
  if (srcMatch !== null && !url.includes('node_modules') && !url.includes('/bench/entries/')) {
    const [, top, sub] = srcMatch;
    return `oxen: src/${top}${sub !== undefined && !sub.endsWith('.ts') ? `/${sub}` : ''}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(url);
  if (nm !== null) {
    const [, pkg, rest] = nm;
    if (pkg === 'kysely') {
      const dir = /dist\/(?:esm|cjs)\/([^/]+)\//.exec(rest)?.[1] ?? 'other';
      return `kysely: ${dir}`;
    }
    return pkg;
  }
  if (url.startsWith('node:')) {
    if (url.includes('async_hooks') || url.includes('async_local_storage')) return 'node: async_hooks / AsyncLocalStorage';
    if (url.includes('timers')) return 'node: timers';
    if (url.includes('process/task_queues') || url.includes('promises')) return 'node: promise/microtask queue';
    if (url.includes('perf_hooks') || url.includes('performance')) return 'node: perf_hooks';
    return 'node: other internals';
  }
  if (url.includes('/bench/')) return 'bench harness / entry adapter';
  return url;
}

export function summarise(profile: CpuProfile, window: readonly [number, number] | undefined, label: string): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const frameKey = (f: CallFrame) => `${f.functionName || '(anonymous)'}  ${f.url.replace(/^.*\/\.oxen-build\/[^/]+\//, 'oxen/').replace(/^.*\/(src|node_modules|bench)\//, '$1/')}:${f.lineNumber + 1}`;
  const isOxen = (url: string) => (url.includes('/.oxen-build/') || /\/src\//.test(url)) && !url.includes('node_modules');

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let total = 0;
  let t = profile.startTime;
  let outside = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    // The sample's duration is the time until the next one.
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (window !== undefined && (t < window[0] || t > window[1])) {
      outside += dt;
      continue;
    }
    const node = byId.get(profile.samples[i])!;
    if (node.callFrame.functionName === '(idle)') continue;
    total += dt;
    const key = frameKey(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const area = areaOf(node.callFrame);
    areas.set(area, (areas.get(area) ?? 0) + dt);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const f = byId.get(id)!.callFrame;
      if (f.url === '' || !isOxen(f.url)) continue;
      const k = frameKey(f);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  const ms = (v: number) => `${(v / 1000).toFixed(1).padStart(8)} ms`;
  const lines: string[] = [];
  lines.push(`${label}: ${ms(total).trim()} of samples inside the timed section${window === undefined ? ' (no window: whole process)' : ` (${(outside / 1000).toFixed(0)} ms outside it ignored)`}`);
  lines.push('', 'Self time by area:');
  for (const [area, v] of [...areas].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(v)} ${ms(v)}  ${area}`);
  lines.push('', 'Top self-time frames:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  lines.push('', 'Oxen functions by inclusive time (synchronous part: V8 stacks stop at an await):');
  for (const [k, v] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, 30)) lines.push(`  ${pct(v)} ${ms(v)}  ${k}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const workload = (arg(argv, 'profile') ?? 'W3') as WorkloadId;
  const entry = (arg(argv, 'entry') ?? 'oxen') as EntryName;
  const dialect = (arg(argv, 'dialect') ?? 'sqlite') as Dialect;
  const scale = Number(arg(argv, 'scale') ?? 4);
  if (!WORKLOADS.includes(workload)) throw new Error(`--profile takes a workload (${WORKLOADS.join(', ')})`);
  if (!ENTRY_NAMES.includes(entry)) throw new Error(`--entry takes one of ${ENTRY_NAMES.join(', ')}`);
  const oxen = oxenSource(arg(argv, 'oxen-ref'), argv.includes('--oxen-tsx'));
  const pgUrl = new URL(arg(argv, 'pg-url') ?? process.env.OXEN_BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres');
  const ds = new Datasets(FULL_SIZES, { host: pgUrl.hostname, port: Number(pgUrl.port || 5432), user: decodeURIComponent(pgUrl.username || 'postgres'), password: pgUrl.password || undefined, database: 'postgres' });
  const dir = path.join(BENCH_DIR, 'results', 'profiles');
  const name = `${entry}-${workload}-${dialect}`;
  const tmp = path.join(dir, `${name}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const { target } = await targetFor(ds, dialect, entry, workload);
    log(`profiling ${entry} ${workload} on ${dialect} (${scale}× the operations; Oxen from the ${oxen.describe})`);
    const [result] = await runChild({ entry, tasks: [{ workload, target }], sizes: FULL_SIZES, scale }, 900, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', tmp], oxen.env);
    if (result.error !== undefined || result.na !== undefined) throw new Error(`the run failed: ${result.error ?? result.na}`);
    const file = readdirSync(tmp).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error('no .cpuprofile written');
    const profile = JSON.parse(readFileSync(path.join(tmp, file), 'utf8')) as CpuProfile;
    let window = result.windowUs;
    if (window !== undefined && (window[0] < profile.startTime || window[1] > profile.endTime)) {
      log('the timed window is not on the profile clock; summarising the whole process');
      window = undefined;
    }
    const usPerOp = (result.ms! * 1000) / result.ops!;
    const text = summarise(profile, window, `${entry} ${workload} ${dialect}: ${result.ops} ops at ${usPerOp.toFixed(1)} µs/op (under the profiler)`);
    writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    writeFileSync(path.join(dir, `${name}.txt`), `${text}\n`);
    process.stdout.write(`${text}\n\nwrote bench/results/profiles/${name}.{cpuprofile,txt}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    ds.cleanup();
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
