/**
 * The benchmark's parent process: prepares the datasets, runs every (library, workload) measurement in
 * its own child process — entries interleaved, the order rotated each repetition — and reports medians.
 *
 *   npm run bench                      # full: SQLite and PostgreSQL, 3 repetitions
 *   npm run bench -- --quick           # smoke check: SQLite only, 1 repetition, small sizes (< 1 min)
 *   npm run bench -- --reps 5 --dialects sqlite --entries raw,oxen --workloads W3,W4
 *
 * Writes bench/results/<out>.json, .svg and .md (out = latest, or quick with --quick).
 */
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildResult, Job, Task } from './child.js';
import { ENTRY_LABELS, ENTRY_NAMES, FULL_SIZES, QUICK_SIZES, SQLITE_DATE_FORMAT, WORKLOADS, WORKLOAD_INFO, type DateFormat, type Dialect, type EntryName, type Sizes, type Target, type WorkloadId } from './lib/common.js';
import { createSqliteDataset, probePostgres, recreatePgDatabase, resetPgTables } from './lib/datasets.js';
import { aggregate, fmtUs, markdownTables, summaryMatrix, type Cell } from './lib/stats.js';
import { renderSvg } from './lib/svg.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO_DIR = path.resolve(BENCH_DIR, '..');

// ---- options ----

interface Options {
  quick: boolean;
  reps: number;
  dialects: Dialect[];
  entries: EntryName[];
  workloads: WorkloadId[];
  out: string;
  pgUrl: string;
  timeoutS: number;
  /** Measure Oxen at this git ref (a snapshot of its src/) instead of the working tree. */
  oxenRef: string | undefined;
  /** Run the working tree's src/ through tsx instead of compiling it with tsc. */
  oxenTsx: boolean;
  /** Re-runs of a measurement taken while other processes used more than NOISY_CORES. */
  retries: number;
  /** Seconds to wait for the machine to calm down before such a re-run. */
  quietWaitS: number;
  /** Seconds that re-runs and waits may add to the whole run; past it, noisy measurements stand (flagged). */
  retryBudgetS: number;
  /** --rewrite: regenerate the outputs of a report, measuring nothing. */
  rewriteOnly?: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`--${name}=`));
    return eq?.slice(name.length + 3);
  };
  const list = <T extends string>(name: string, all: readonly T[], fallback: readonly T[]): T[] => {
    const v = get(name);
    if (v === undefined) return [...fallback];
    const items = v.split(',').map((s) => s.trim()).filter(Boolean) as T[];
    for (const item of items) if (!all.includes(item)) throw new Error(`--${name}: unknown '${item}' (one of ${all.join(', ')})`);
    return items;
  };
  const quick = argv.includes('--quick');
  const reps = Number(get('reps') ?? (quick ? 1 : 3));
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps takes a positive integer');
  const entries = list('entries', ENTRY_NAMES, ENTRY_NAMES);
  if (!entries.includes('raw')) entries.unshift('raw'); // the baseline is always measured
  return {
    quick,
    reps,
    dialects: list('dialects', ['sqlite', 'postgres'] as const, quick ? ['sqlite'] : ['sqlite', 'postgres']),
    entries,
    workloads: list('workloads', WORKLOADS, WORKLOADS),
    out: get('out') ?? (quick ? 'quick' : 'latest'),
    pgUrl: get('pg-url') ?? process.env.OXEN_BENCH_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
    timeoutS: Number(get('timeout') ?? (quick ? 60 : 600)),
    oxenRef: get('oxen-ref'),
    oxenTsx: argv.includes('--oxen-tsx'),
    retries: Number(get('retries') ?? (quick ? 0 : 2)),
    quietWaitS: Number(get('quiet-wait') ?? 20),
    retryBudgetS: Number(get('retry-budget') ?? 300),
  };
}

/** Entries with a streaming API that hydrates (the others report n/a for W9 without needing 1M rows). */
export const STREAMING: readonly EntryName[] = ['raw', 'kysely', 'oxen'];

// ---- datasets ----

export class Datasets {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'oxen-bench-'));
  readonly #sqlite = new Map<string, string>();
  #writes = 0;
  #pgReady = new Set<string>();

  constructor(
    readonly sizes: Sizes,
    readonly pg: Target['pg'],
  ) {}

  /** The read-only SQLite dataset `kind` in date format `format`, created on first use. */
  sqlite(kind: 'read' | 'rel' | 'stream', format: DateFormat): string {
    const key = `${kind}-${format}`;
    let file = this.#sqlite.get(key);
    if (file === undefined) {
      file = path.join(this.dir, `${key}.db`);
      const spec =
        kind === 'read' ? { users: this.sizes.readRows, postsPerUser: 0 } : kind === 'rel' ? { users: this.sizes.relUsers, postsPerUser: this.sizes.postsPerUser } : { users: this.sizes.streamRows, postsPerUser: 0 };
      const t0 = performance.now();
      createSqliteDataset(file, spec, format);
      log(`  dataset ${key}: ${spec.users.toLocaleString('en-US')} users${spec.postsPerUser ? ` × ${spec.postsPerUser} posts` : ''} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      this.#sqlite.set(key, file);
    }
    return file;
  }

  /** A new file name for a writing child (the child creates it). */
  sqliteWrite(): string {
    return path.join(this.dir, `write-${++this.#writes}.db`);
  }

  /** The PostgreSQL database for `kind`, seeded on first use (write: the child resets its tables). */
  async postgres(kind: 'read' | 'rel' | 'stream' | 'write'): Promise<Target> {
    const database = `oxen_bench_${kind}`;
    const target: Target = { dialect: 'postgres', pg: { ...this.pg!, database } };
    if (!this.#pgReady.has(kind)) {
      const t0 = performance.now();
      await recreatePgDatabase(target, database);
      if (kind !== 'write') {
        const spec = kind === 'read' ? { users: this.sizes.readRows, postsPerUser: 0 } : kind === 'rel' ? { users: this.sizes.relUsers, postsPerUser: this.sizes.postsPerUser } : { users: this.sizes.streamRows, postsPerUser: 0 };
        await resetPgTables(target, spec);
      }
      log(`  database ${database} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      this.#pgReady.add(kind);
    }
    return target;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function targetFor(ds: Datasets, dialect: Dialect, entry: EntryName, workload: WorkloadId): Promise<{ target: Target; temp?: string }> {
  const kind = WORKLOAD_INFO[workload].dataset;
  if (dialect === 'sqlite') {
    if (kind === 'write-empty' || kind === 'write-seeded') {
      const file = ds.sqliteWrite();
      return { target: { dialect, file }, temp: file };
    }
    const format = SQLITE_DATE_FORMAT[entry];
    const dataset = kind === 'stream' && !STREAMING.includes(entry) ? 'read' : kind;
    return { target: { dialect, file: ds.sqlite(dataset, format) } };
  }
  const pgKind = kind === 'write-empty' || kind === 'write-seeded' ? 'write' : kind === 'stream' && !STREAMING.includes(entry) ? 'read' : kind;
  return { target: await ds.postgres(pgKind) };
}

// ---- children ----

export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Oxen as users run it: compiled by the repository's own TypeScript (its tsconfig, as `npm run build`
 * does) into bench/.oxen-build/<key>/, from the working tree's src/ or from a snapshot of `ref`'s src/.
 * Not ../dist, which belongs to the build; and not tsx, whose transform adds esbuild's `__name()`
 * helper calls to Oxen's hot paths. `--oxen-tsx` runs the working tree's src/ through tsx instead.
 */
export function oxenSource(ref: string | undefined, viaTsx = false): { env: NodeJS.ProcessEnv; describe: string } {
  if (viaTsx) return { env: {}, describe: 'working tree src/ through tsx' };
  const buildRoot = path.join(BENCH_DIR, '.oxen-build');
  let srcDir = path.join(REPO_DIR, 'src');
  let key = 'working-tree';
  let describe = 'working tree';
  if (ref !== undefined) {
    const sha = execFileSync('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    key = sha;
    describe = `commit ${sha.slice(0, 7)} (${ref})`;
    const snapshot = path.join(buildRoot, `${sha}-src`);
    if (!existsSync(path.join(snapshot, 'src', 'index.ts'))) {
      mkdirSync(snapshot, { recursive: true });
      const tar = execFileSync('git', ['archive', '--format=tar', sha, 'src'], { cwd: REPO_DIR, maxBuffer: 1 << 28 });
      execFileSync('tar', ['-x', '-C', snapshot], { input: tar });
    }
    srcDir = path.join(snapshot, 'src');
  } else {
    try {
      describe = `working tree at ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim()}`;
      if (execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: REPO_DIR, encoding: 'utf8' }).trim() !== '') describe += ' + uncommitted changes in src/';
    } catch {
      /* not a git checkout */
    }
  }
  // Inside bench/, so the build resolves its packages through bench/node_modules and then the
  // repository's node_modules (the same versions of kysely, better-sqlite3 and pg as the repository's).
  const out = path.join(buildRoot, key);
  const index = path.join(out, 'index.js');
  if (ref === undefined || !existsSync(index)) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    const tsconfig = path.join(buildRoot, `tsconfig.${key}.json`);
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(REPO_DIR, 'tsconfig.json'),
        compilerOptions: { noEmit: false, outDir: out, rootDir: srcDir, declaration: false, sourceMap: false, incremental: false },
        include: [srcDir],
      }),
    );
    const t0 = performance.now();
    try {
      execFileSync(process.execPath, [path.join(REPO_DIR, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: REPO_DIR, stdio: 'pipe' });
    } catch (error) {
      // tsc still emits on type errors (a work-in-progress tree); only a missing output is fatal.
      const text = String((error as { stdout?: Buffer }).stdout ?? error).trim().split('\n').slice(0, 3).join(' | ');
      if (!existsSync(index)) throw new Error(`building Oxen (${describe}) failed: ${text}`);
      log(`note: tsc reported type errors in Oxen (${describe}); measuring what it emitted: ${text}`);
    }
    log(`built Oxen (${describe}) with tsc in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { env: { OXEN_DIST: index }, describe: `${describe}, compiled with tsc` };
}

export function childCommand(job: Job, nodeFlags: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    command: process.execPath,
    args: ['--expose-gc', ...nodeFlags, '--import', 'tsx', path.join(BENCH_DIR, 'child.ts'), JSON.stringify(job)],
    env: { ...process.env, NODE_ENV: 'production', TSX_TSCONFIG_PATH: path.join(BENCH_DIR, 'tsconfig.json'), ...extraEnv },
  };
}

/** Busy CPU time of the whole machine so far, µs (Linux /proc/stat; undefined elsewhere). */
function machineBusyUs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    // Interrupt time is left out: on PostgreSQL runs the loopback network's softirq work is the child's own.
    const [, user, nice, system, , , , , steal] = line.trim().split(/\s+/).map(Number);
    return ((user + nice + system + steal) * 1e6) / 100; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

/** CPU time of the local database server's processes (postgres), µs: work done for the child, not noise. */
function serverCpuUs(): number {
  let total = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const close = stat.lastIndexOf(')');
        const comm = stat.slice(stat.indexOf('(') + 1, close);
        if (comm !== 'postgres') continue;
        const fields = stat.slice(close + 2).split(' ');
        total += ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime
      } catch {
        /* the process ended */
      }
    }
  } catch {
    /* no /proc */
  }
  return total;
}

/**
 * Other processes' CPU use while a child ran, in cores (0.5 = half a core busy on average): the
 * machine's busy time minus the child's own and this process's, over the child's wall time. The
 * machine has 2 cores and may be shared; a measurement taken beside another busy process is noisy.
 */
export interface Noise {
  foreignCores: number;
}

export const NOISY_CORES = 0.25;

/** Waits (at most `maxS` seconds) until other processes use under NOISY_CORES for two seconds running. */
export async function waitQuiet(maxS: number): Promise<number> {
  const deadline = performance.now() + maxS * 1000;
  let quiet = 0;
  let foreign = 0;
  while (performance.now() < deadline) {
    const busy0 = machineBusyUs();
    const self0 = process.cpuUsage();
    const server0 = serverCpuUs();
    await new Promise((r) => setTimeout(r, 1000));
    const busy1 = machineBusyUs();
    if (busy0 === undefined || busy1 === undefined) return 0;
    const self = process.cpuUsage(self0);
    foreign = (busy1 - busy0 - self.user - self.system - (serverCpuUs() - server0)) / 1e6;
    quiet = foreign < NOISY_CORES ? quiet + 1 : 0;
    if (quiet >= 2) return foreign;
  }
  return foreign;
}

/** Runs one child; resolves to one result per task (an error result for each task it did not report). */
export function runChild(job: Job, timeoutS: number, nodeFlags: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildResult[]> {
  return runChildMeasured(job, timeoutS, nodeFlags, extraEnv).then((r) => r.results);
}

export function runChildMeasured(job: Job, timeoutS: number, nodeFlags: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ results: ChildResult[]; noise?: Noise }> {
  const { command, args, env } = childCommand(job, nodeFlags, extraEnv);
  const busy0 = machineBusyUs();
  const server0 = serverCpuUs();
  const self0 = process.cpuUsage();
  const wall0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: BENCH_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const reported = out
        .split('\n')
        .filter((l) => l.startsWith('@@RESULT '))
        .map((l) => JSON.parse(l.slice('@@RESULT '.length)) as ChildResult);
      const reason = signal === 'SIGKILL' ? `timed out after ${timeoutS} s` : `exited with ${code ?? signal}`;
      const missing = job.tasks
        .filter((t) => !reported.some((r) => r.workload === t.workload))
        .map((t): ChildResult => ({ entry: job.entry, workload: t.workload, dialect: t.target.dialect, error: `${reason}: ${err.trim().split('\n').slice(-5).join(' | ')}` }));
      const results = [...reported, ...missing];
      const cpuLine = out.split('\n').find((l) => l.startsWith('@@CPU '));
      const busy1 = machineBusyUs();
      if (cpuLine === undefined || busy0 === undefined || busy1 === undefined) return resolve({ results });
      const self = process.cpuUsage(self0);
      const foreignUs = busy1 - busy0 - Number(cpuLine.slice(6)) - (self.user + self.system) - (serverCpuUs() - server0);
      const wallUs = (performance.now() - wall0) * 1000;
      resolve({ results, noise: { foreignCores: Math.max(0, foreignUs / wallUs) } });
    });
  });
}

// ---- metadata ----

function versions(oxenFrom: string): Record<string, string> {
  const read = (file: string): string => {
    try {
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'missing';
    }
  };
  const lib = (name: string) => read(path.join(BENCH_DIR, 'node_modules', name, 'package.json'));
  return {
    node: process.version,
    oxen: `${read(path.join(REPO_DIR, 'package.json'))} (${oxenFrom})`,
    typescript: read(path.join(REPO_DIR, 'node_modules', 'typescript', 'package.json')),
    'kysely (Oxen)': read(path.join(REPO_DIR, 'node_modules', 'kysely', 'package.json')),
    'better-sqlite3 (Oxen)': read(path.join(REPO_DIR, 'node_modules', 'better-sqlite3', 'package.json')),
    'pg (Oxen)': read(path.join(REPO_DIR, 'node_modules', 'pg', 'package.json')),
    'better-sqlite3': lib('better-sqlite3'),
    pg: lib('pg'),
    'pg-cursor': lib('pg-cursor'),
    kysely: lib('kysely'),
    typeorm: lib('typeorm'),
    sequelize: lib('sequelize'),
    sqlite3: lib('sqlite3'),
    'drizzle-orm': lib('drizzle-orm'),
    '@mikro-orm/core': lib('@mikro-orm/core'),
    '@mikro-orm/better-sqlite': lib('@mikro-orm/better-sqlite'),
    '@mikro-orm/postgresql': lib('@mikro-orm/postgresql'),
    objection: lib('objection'),
    knex: lib('knex'),
    tsx: lib('tsx'),
  };
}

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

// ---- main ----

interface Report {
  date: string;
  durationS: number;
  mode: string;
  repetitions: number;
  oxenSource: string;
  machine: Record<string, string | number>;
  versions: Record<string, string>;
  sizes: Sizes;
  skipped: Record<string, string>;
  loadAverage: { start: number[]; end: number[] };
  noisyRuns: number;
  rerunNoisy?: { date: string; rerun: number; durationS: number }[];
  workloads: typeof WORKLOAD_INFO;
  cells: Cell[];
  runs: ChildResult[];
}

function writeReport(report: Report, out: string, dialects: readonly Dialect[], workloads: readonly WorkloadId[], entries: readonly EntryName[]): void {
  const sizes = report.sizes;
  const opsOf = (w: WorkloadId) => (w === 'W9' ? sizes.streamRows : sizes.ops[w]);
  report.cells = aggregate(report.runs, dialects, workloads, entries);
  report.noisyRuns = report.runs.filter((r) => (r.foreignCores ?? 0) > NOISY_CORES).length;
  const md: string[] = [];
  for (const dialect of dialects) {
    const title = dialect === 'sqlite' ? 'SQLite (baseline: raw better-sqlite3)' : 'PostgreSQL (baseline: raw pg)';
    const noisy = report.runs.filter((r) => r.dialect === dialect && (r.foreignCores ?? 0) > NOISY_CORES).length;
    const total = report.runs.filter((r) => r.dialect === dialect && r.na === undefined).length;
    md.push(
      `### ${title}`,
      '',
      `µs added per operation over the raw driver (median of ${report.repetitions} repetition(s))${noisy > 0 ? `; ${noisy} of ${total} measurements were taken while other processes used more than ${NOISY_CORES} cores` : ''}:`,
      '',
      summaryMatrix(report.cells, dialect, workloads, entries),
      '',
      markdownTables(report.cells, dialect, workloads, opsOf),
    );
  }
  const resultsDir = path.join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${out}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${out}.md`), `${md.join('\n')}\n`);
  writeFileSync(path.join(resultsDir, `${out}.svg`), renderSvg(report.cells, dialects, workloads, entries, { date: report.date, node: process.version, cpus: os.cpus().length, mode: report.mode, reps: report.repetitions }));
  process.stdout.write(`\n${md.join('\n')}\n`);
  log(`\nwrote bench/results/${out}.{json,md,svg}`);
  if (report.noisyRuns > 0) log(`${report.noisyRuns} measurement(s) were taken while other processes used more than ${NOISY_CORES} cores (see "foreignCores" in the JSON; --rerun-noisy re-measures them)`);
  const failures = report.runs.filter((r) => r.error !== undefined);
  if (failures.length > 0) {
    log(`${failures.length} run(s) failed:`);
    for (const f of failures) log(`  ${f.dialect} ${f.workload} ${f.entry}: ${f.error}`);
  }
}

function recordLine(result: ChildResult, seconds: number | null): void {
  const what =
    result.na !== undefined
      ? `n/a (${result.na})`
      : result.error !== undefined
        ? `ERROR ${result.error.split('\n')[0].slice(0, 200)}`
        : `${fmtUs((result.ms! * 1000) / result.ops!)}/op${result.cpuMs !== undefined ? ` (cpu ${fmtUs((result.cpuMs * 1000) / result.ops!)})` : ''}${result.rssGrowthMiB !== undefined ? `, RSS +${result.rssGrowthMiB.toFixed(1)} MiB` : ''}${result.foreignCores !== undefined && result.foreignCores > NOISY_CORES ? ` [noisy: others used ${result.foreignCores.toFixed(2)} cores]` : ''}`;
  log(`  ${result.dialect.padEnd(8)} ${result.workload} ${ENTRY_LABELS[result.entry][result.dialect].padEnd(18)} ${what}${seconds === null ? '' : ` (${seconds.toFixed(1)} s)`}`);
}

function cleanTemp(temps: readonly string[]): void {
  for (const temp of temps) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(temp + suffix, { force: true });
}

/**
 * One measurement in its own child. On a shared machine a measurement taken beside another busy process
 * is re-run after waiting for a quiet moment (within the budget), and the quietest successful attempt kept.
 */
async function measure(
  ds: Datasets,
  opts: Options,
  oxenEnv: NodeJS.ProcessEnv,
  budget: { spentS: number },
  dialect: Dialect,
  workload: WorkloadId,
  entry: EntryName,
  waitFirst: boolean,
): Promise<{ result: ChildResult; seconds: number }> {
  let best: { result: ChildResult; seconds: number; foreign: number } | undefined;
  if (waitFirst) await waitQuiet(opts.quietWaitS);
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    const a0 = performance.now();
    const { target, temp } = await targetFor(ds, dialect, entry, workload);
    const t0 = performance.now();
    const {
      results: [result],
      noise,
    } = await runChildMeasured({ entry, tasks: [{ workload, target }], sizes: ds.sizes }, opts.timeoutS, [], oxenEnv);
    cleanTemp(temp === undefined ? [] : [temp]);
    const foreign = noise?.foreignCores ?? 0;
    const candidate = { result: { ...result, foreignCores: noise?.foreignCores }, seconds: (performance.now() - t0) / 1000, foreign };
    const ok = (r: ChildResult) => r.ms !== undefined;
    if (best === undefined || (ok(result) && (!ok(best.result) || foreign < best.foreign))) best = candidate;
    if (attempt > 0) budget.spentS += (performance.now() - a0) / 1000;
    if (foreign <= NOISY_CORES || result.na !== undefined || attempt === opts.retries || budget.spentS > opts.retryBudgetS) break;
    log(`  (${result.error !== undefined ? 'an error' : `other processes used ${foreign.toFixed(2)} cores`} during ${dialect} ${workload} ${entry}: waiting for a quiet moment, then measuring again)`);
    const w0 = performance.now();
    await waitQuiet(opts.quietWaitS);
    budget.spentS += (performance.now() - w0) / 1000;
  }
  return best!;
}

function pgTargetOf(url: string): NonNullable<Target['pg']> {
  const pgParsed = new URL(url);
  return {
    host: pgParsed.hostname,
    port: Number(pgParsed.port || 5432),
    user: decodeURIComponent(pgParsed.username || 'postgres'),
    password: pgParsed.password ? decodeURIComponent(pgParsed.password) : undefined,
    database: 'postgres',
  };
}

/** `--rerun-noisy FILE`: re-measures the runs of a report that were noisy or failed, and rewrites it. */
async function rerunNoisy(file: string, opts: Options): Promise<void> {
  const started = Date.now();
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const oxen = oxenSource(opts.oxenRef, opts.oxenTsx);
  if (report.oxenSource !== oxen.describe) throw new Error(`${file} measured Oxen from "${report.oxenSource}", this run would use "${oxen.describe}": pass the same --oxen-ref`);
  const todo = opts.rewriteOnly ? [] : report.runs.map((r, i) => [r, i] as const).filter(([r]) => r.na === undefined && (r.error !== undefined || (r.foreignCores ?? 0) > NOISY_CORES));
  if (!opts.rewriteOnly) log(`re-measuring ${todo.length} noisy or failed run(s) of ${file}`);
  const ds = new Datasets(report.sizes, pgTargetOf(opts.pgUrl));
  const budget = { spentS: 0 };
  try {
    for (const [run, index] of todo) {
      const { result, seconds } = await measure(ds, { ...opts, retryBudgetS: Number.POSITIVE_INFINITY }, oxen.env, budget, run.dialect, run.workload, run.entry, true);
      const better = result.ms !== undefined && (run.ms === undefined || (result.foreignCores ?? 0) < (run.foreignCores ?? Number.POSITIVE_INFINITY));
      if (better) report.runs[index] = result;
      recordLine(result, seconds);
    }
  } finally {
    ds.cleanup();
  }
  const dialects = [...new Set(report.runs.map((r) => r.dialect))];
  const workloads = WORKLOADS.filter((w) => report.runs.some((r) => r.workload === w));
  const entries = ENTRY_NAMES.filter((e) => report.runs.some((r) => r.entry === e));
  if (!opts.rewriteOnly) (report.rerunNoisy ??= []).push({ date: new Date().toISOString(), rerun: todo.length, durationS: Math.round((Date.now() - started) / 1000) });
  writeReport(report, path.basename(file, '.json'), dialects, workloads, entries);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  const rerun = argv.indexOf('--rerun-noisy');
  if (rerun >= 0) return rerunNoisy(path.resolve(argv[rerun + 1] ?? path.join(BENCH_DIR, 'results', 'latest.json')), opts);
  // --rewrite FILE: regenerate the .md and .svg of a report without measuring anything.
  const rewrite = argv.indexOf('--rewrite');
  if (rewrite >= 0) return rerunNoisy(path.resolve(argv[rewrite + 1] ?? path.join(BENCH_DIR, 'results', 'latest.json')), { ...opts, rewriteOnly: true });
  const sizes = opts.quick ? QUICK_SIZES : FULL_SIZES;
  const started = Date.now();
  const pgTarget = pgTargetOf(opts.pgUrl);
  const dialects = [...opts.dialects];
  const skipped: Record<string, string> = {};
  if (dialects.includes('postgres')) {
    const problem = await probePostgres({ dialect: 'postgres', pg: pgTarget });
    if (problem !== null) {
      skipped.postgres = `PostgreSQL at ${pgTarget.host}:${pgTarget.port} unreachable: ${problem}`;
      log(`skipping PostgreSQL: ${skipped.postgres}`);
      dialects.splice(dialects.indexOf('postgres'), 1);
    }
  }
  const oxen = oxenSource(opts.oxenRef, opts.oxenTsx);
  log(`oxen bench: ${opts.quick ? 'quick' : 'full'}, ${opts.reps} repetition(s), ${dialects.join(' + ')}, ${opts.entries.length} entries, ${opts.workloads.join(' ')}; Oxen from the ${oxen.describe}`);

  const loadStart = os.loadavg();
  const ds = new Datasets(sizes, pgTarget);
  const results: ChildResult[] = [];
  const naCache = new Map<string, ChildResult>();
  const budget = { spentS: 0 };
  const record = (result: ChildResult, seconds: number | null): void => {
    results.push(result);
    if (result.na !== undefined) naCache.set(`${result.dialect}/${result.workload}/${result.entry}`, result);
    recordLine(result, seconds);
  };
  try {
    for (let rep = 0; rep < opts.reps; rep++) {
      log(`repetition ${rep + 1}/${opts.reps}`);
      for (const dialect of dialects) {
        if (opts.quick) {
          // Smoke check: one process per library running every workload (full runs isolate each workload).
          for (const entry of opts.entries) {
            const tasks: Task[] = [];
            const temps: string[] = [];
            for (const workload of opts.workloads) {
              const { target, temp } = await targetFor(ds, dialect, entry, workload);
              tasks.push({ workload, target });
              if (temp !== undefined) temps.push(temp);
            }
            for (const r of await runChild({ entry, tasks, sizes }, opts.timeoutS, [], oxen.env)) record(r, null);
            cleanTemp(temps);
          }
          continue;
        }
        for (const workload of opts.workloads) {
          // Interleave: rotate the entries' order every repetition (and per workload).
          const shift = (rep + opts.workloads.indexOf(workload)) % opts.entries.length;
          const order = [...opts.entries.slice(shift), ...opts.entries.slice(0, shift)];
          for (const entry of order) {
            const cached = naCache.get(`${dialect}/${workload}/${entry}`);
            if (cached !== undefined) {
              results.push(cached);
              continue;
            }
            const { result, seconds } = await measure(ds, opts, oxen.env, budget, dialect, workload, entry, false);
            record(result, seconds);
          }
        }
      }
    }
  } finally {
    ds.cleanup();
  }
  const report: Report = {
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    mode: opts.quick ? 'quick' : 'full',
    repetitions: opts.reps,
    oxenSource: oxen.describe,
    machine: machine(),
    versions: versions(oxen.describe),
    sizes,
    skipped,
    loadAverage: { start: loadStart, end: os.loadavg() },
    noisyRuns: 0,
    workloads: WORKLOAD_INFO,
    cells: [],
    runs: results,
  };
  writeReport(report, opts.out, dialects, opts.workloads, opts.entries);
  log(`(${report.durationS} s)`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}

