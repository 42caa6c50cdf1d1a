/**
 * One measurement: one library, one workload, in its own process. The parent (run.ts) passes a JSON
 * job as argv[2]; the result is printed as one line starting with `@@RESULT `.
 *
 * Order: prepare the dataset (writers get a fresh one) → load and connect the entry → warm up →
 * gc → timed run → validate the results against the deterministic data (outside the timing).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  SQLITE_DATE_FORMAT,
  WORKLOAD_INFO,
  matchesW4,
  matchesW8,
  newUser,
  pkSequence,
  userAt,
  w8Age,
  type Entry,
  type EntryFactory,
  type EntryName,
  type PostLike,
  type Sizes,
  type Target,
  type UserInput,
  type UserLike,
  type WorkloadId,
} from './lib/common.js';
import { createSqliteDataset, pgConfig, resetPgTables } from './lib/datasets.js';

/** One workload of a job, with where its entry connects. */
export interface Task {
  readonly workload: WorkloadId;
  readonly target: Target;
}

export interface Job {
  readonly entry: EntryName;
  /** Usually one workload (full runs: one process per library per workload); `--quick` sends them all. */
  readonly tasks: readonly Task[];
  readonly sizes: Sizes;
  /** Multiplies the operation count (profiling runs longer). */
  readonly scale?: number;
}

export interface ChildResult {
  readonly entry: EntryName;
  readonly workload: WorkloadId;
  readonly dialect: Target['dialect'];
  readonly ops?: number;
  readonly ms?: number;
  /** W9: the largest RSS growth over the baseline taken after connecting, in MiB. */
  readonly rssGrowthMiB?: number;
  readonly na?: string;
  readonly error?: string;
  /**
   * CPU time of this process (all threads) in the timed section, ms. Unlike `ms` it does not grow when
   * other processes compete for the cores, but it leaves out time spent waiting: for the database server
   * (PostgreSQL) or for I/O.
   */
  readonly cpuMs?: number;
  /** Set by the parent: other processes' average CPU use while this ran, in cores. */
  readonly foreignCores?: number;
  /** process.hrtime of the timed section's start and end, in µs (CLOCK_MONOTONIC, as V8's profiler timestamps). */
  readonly windowUs?: readonly [number, number];
}

let windowStart = 0;
let windowEnd = 0;
/** CPU time (all threads of this process) spent in the last timed section, ms. */
let cpuMs = 0;
let cpuStart: NodeJS.CpuUsage = process.cpuUsage();
const nowUs = () => Number(process.hrtime.bigint() / 1000n);
function timedStart(): void {
  windowStart = nowUs();
  cpuStart = process.cpuUsage();
}
function timedEnd(): void {
  const c = process.cpuUsage(cpuStart);
  cpuMs = (c.user + c.system) / 1000;
  windowEnd = nowUs();
}

function fail(message: string): never {
  throw new Error(`validation: ${message}`);
}

function checkUser(u: UserLike | undefined, id: number, what: string): void {
  if (u === undefined || u === null) fail(`${what}: no row for id ${id}`);
  const e = userAt(id);
  if (Number(u.id) !== id) fail(`${what}: id ${String(u.id)} !== ${id}`);
  if (u.name !== e.name || u.email !== e.email || u.age !== e.age) fail(`${what}: fields of ${id} differ: ${JSON.stringify([u.name, u.email, u.age])}`);
  if (typeof u.isActive !== 'boolean' || u.isActive !== e.isActive) fail(`${what}: isActive of ${id} is ${typeof u.isActive} ${String(u.isActive)}`);
  if (!(u.createdAt instanceof Date) || u.createdAt.getTime() !== e.createdAt.getTime()) {
    fail(`${what}: createdAt of ${id} is ${String(u.createdAt)} (${u.createdAt?.constructor?.name}), expected ${e.createdAt.toISOString()}`);
  }
}

/** Runs `n` operations; returns elapsed milliseconds. */
async function loop(n: number, op: (i: number) => Promise<unknown>): Promise<number> {
  timedStart();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  const ms = performance.now() - t0;
  timedEnd();
  return ms;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A fresh database for the write workloads (W1, W2: empty; W7: seeded). */
async function prepareWrite(job: Job, task: Task): Promise<void> {
  const seeded = WORKLOAD_INFO[task.workload].dataset === 'write-seeded';
  const spec = { users: seeded ? job.sizes.readRows : 0, postsPerUser: 0 };
  if (task.target.dialect === 'sqlite') createSqliteDataset(task.target.file!, spec, SQLITE_DATE_FORMAT[job.entry]);
  else await resetPgTables(task.target, spec);
}

/** Reads with the raw driver, after the entry closed (W1, W2, W7 checks). */
async function rawQuery<R>(target: Target, sql: string, params: unknown[] = []): Promise<R[]> {
  if (target.dialect === 'sqlite') {
    const db = new Database(target.file!, { readonly: true });
    try {
      return db.prepare(sql.replace(/\$\d+/g, '?')).all(...params) as R[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client(pgConfig(target));
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

async function run(job: Job, task: Task): Promise<ChildResult> {
  const { workload: w, target } = task;
  const { sizes } = job;
  const scale = job.scale ?? 1;
  const base = { entry: job.entry, workload: w, dialect: target.dialect };
  const dataset = WORKLOAD_INFO[w].dataset;
  if (dataset === 'write-empty' || dataset === 'write-seeded') await prepareWrite(job, task);

  const factory = ((await import(`./entries/${job.entry}.js`)) as { createEntry: EntryFactory }).createEntry;
  const opened: Entry = await factory(target);
  // close() once, whichever way the measurement ends (some workloads close early to check the database).
  let closed = false;
  const entry: Entry = Object.assign(Object.create(opened) as Entry, {
    close: async () => {
      if (closed) return;
      closed = true;
      await opened.close();
    },
  });
  try {
    const method = { W1: 'insertOne', W2: 'bulkInsert', W3: 'findByPk', W4: 'filtered', W5: 'all', W6: 'eager', W7: 'updateOne', W8: 'count', W9: 'stream' }[w] as keyof Entry;
    if (typeof entry[method] !== 'function') return { ...base, na: entry.na?.[w] ?? 'not supported' };
    const n = Math.max(1, Math.round(sizes.ops[w] * scale));
    const warm = sizes.warmup[w];
    let ms = 0;
    let ops = n;
    let rssGrowthMiB: number | undefined;

    switch (w) {
      case 'W1': {
        const rows = Array.from({ length: warm + n }, (_, i) => newUser(i + 1));
        let last: { id: number } | undefined;
        await loop(warm, async (i) => (last = await entry.insertOne!(rows[i])));
        gc();
        ms = await loop(n, async (i) => (last = await entry.insertOne!(rows[warm + i])));
        if (last === undefined || !(Number(last.id) > 0)) fail(`insertOne returned no id: ${JSON.stringify(last)}`);
        await entry.close();
        const [{ n: count }] = await rawQuery<{ n: number | string }>(target, 'SELECT COUNT(*) AS n FROM users');
        if (Number(count) !== warm + n) fail(`expected ${warm + n} rows after W1, found ${count}`);
        const [row] = await rawQuery<{ is_active: unknown; created_at: unknown }>(target, 'SELECT is_active, created_at FROM users WHERE email = $1', [rows[warm + n - 1].email]);
        checkStored(target, row, rows[warm + n - 1]);
        return { ...base, ops, ms, cpuMs, windowUs: [windowStart, windowEnd] };
      }
      case 'W2': {
        const warmRows = Array.from({ length: warm }, (_, i) => newUser(1_000_000 + i));
        const rows = Array.from({ length: n }, (_, i) => newUser(i + 1));
        if (warm > 0) await entry.bulkInsert!(warmRows, sizes.bulkChunk);
        gc();
        timedStart();
        const t0 = performance.now();
        await entry.bulkInsert!(rows, sizes.bulkChunk);
        ms = performance.now() - t0;
        timedEnd();
        await entry.close();
        const [{ n: count }] = await rawQuery<{ n: number | string }>(target, 'SELECT COUNT(*) AS n FROM users');
        if (Number(count) !== warm + n) fail(`expected ${warm + n} rows after W2, found ${count}`);
        const [row] = await rawQuery<{ is_active: unknown; created_at: unknown }>(target, 'SELECT is_active, created_at FROM users WHERE email = $1', [rows[n - 1].email]);
        checkStored(target, row, rows[n - 1]);
        return { ...base, ops, ms, cpuMs, windowUs: [windowStart, windowEnd] };
      }
      case 'W3': {
        const ids = pkSequence(n, sizes.readRows);
        const warmIds = pkSequence(warm, sizes.readRows).map((id) => sizes.readRows + 1 - id);
        await loop(warm, (i) => entry.findByPk!(warmIds[i]));
        gc();
        let last: UserLike | undefined;
        ms = await loop(n, async (i) => (last = await entry.findByPk!(ids[i])));
        checkUser(last, ids[n - 1], 'W3');
        checkUser(await entry.findByPk!(ids[0]), ids[0], 'W3');
        break;
      }
      case 'W4': {
        await loop(warm, () => entry.filtered!());
        gc();
        let last: UserLike[] = [];
        ms = await loop(n, async () => (last = await entry.filtered!()));
        const expected = Array.from({ length: sizes.readRows }, (_, i) => i + 1)
          .filter((id) => matchesW4(userAt(id)))
          .sort((a, b) => (userAt(a).name < userAt(b).name ? -1 : 1))
          .slice(0, 100);
        if (last.length !== expected.length) fail(`W4 returned ${last.length} rows, expected ${expected.length}`);
        last.forEach((u, i) => checkUser(u, expected[i], `W4 row ${i}`));
        break;
      }
      case 'W5': {
        await loop(warm, () => entry.all!());
        gc();
        let last: UserLike[] = [];
        ms = await loop(n, async () => (last = await entry.all!()));
        if (last.length !== sizes.readRows) fail(`W5 returned ${last.length} rows, expected ${sizes.readRows}`);
        const sorted = [...last].sort((a, b) => Number(a.id) - Number(b.id));
        for (const i of [0, 1, sizes.readRows >> 1, sizes.readRows - 1]) checkUser(sorted[i], i + 1, 'W5');
        break;
      }
      case 'W6': {
        await loop(warm, () => entry.eager!());
        gc();
        let last: { user: UserLike; posts: PostLike[] }[] = [];
        ms = await loop(n, async () => (last = await entry.eager!()));
        if (last.length !== sizes.relUsers) fail(`W6 returned ${last.length} users, expected ${sizes.relUsers}`);
        for (const { user, posts } of last) {
          if (posts.length !== sizes.postsPerUser) fail(`W6 user ${user.id} has ${posts.length} posts`);
          for (const p of posts) if (typeof p.published !== 'boolean' || typeof p.title !== 'string') fail(`W6 post ${JSON.stringify(p)}`);
        }
        const one = last.find((x) => Number(x.user.id) === 7)!;
        checkUser(one.user, 7, 'W6');
        const titles = one.posts.map((p) => p.title).sort();
        if (titles[0] !== 'post 7-0' || one.posts.find((p) => p.title === 'post 7-0')!.published !== false) fail(`W6 posts of 7: ${titles.join(',')}`);
        break;
      }
      case 'W7': {
        const warmIds = pkSequence(warm, sizes.readRows).map((id) => sizes.readRows + 1 - id);
        const ids = pkSequence(n, sizes.readRows);
        await loop(warm, (i) => entry.updateOne!(warmIds[i], 90, false));
        gc();
        ms = await loop(n, (i) => entry.updateOne!(ids[i], 18 + (i % 60), i % 2 === 0));
        await entry.close();
        // The last write to each id wins; check the final one.
        const lastI = n - 1;
        const [row] = await rawQuery<{ age: number; is_active: unknown }>(target, 'SELECT age, is_active FROM users WHERE id = $1', [ids[lastI]]);
        if (row.age !== 18 + (lastI % 60) || Boolean(row.is_active) !== (lastI % 2 === 0)) fail(`W7 row ${ids[lastI]} is ${JSON.stringify(row)}`);
        return { ...base, ops, ms, cpuMs, windowUs: [windowStart, windowEnd] };
      }
      case 'W8': {
        await loop(warm, (i) => entry.count!(w8Age(i + 7)));
        gc();
        let last = -1;
        ms = await loop(n, async (i) => (last = await entry.count!(w8Age(i))));
        let expected = 0;
        for (let id = 1; id <= sizes.readRows; id++) if (matchesW8(userAt(id), w8Age(n - 1))) expected++;
        if (last !== expected) fail(`W8 counted ${String(last)} (${typeof last}) for age ${w8Age(n - 1)}, expected ${expected}`);
        break;
      }
      case 'W9': {
        gc();
        const baseline = process.memoryUsage.rss();
        let peak = baseline;
        let rows = 0;
        let first: UserLike | undefined;
        timedStart();
        const t0 = performance.now();
        await entry.stream!(1000, (u) => {
          if (rows === 0) first = u;
          if (++rows % 1000 === 0) {
            const rss = process.memoryUsage.rss();
            if (rss > peak) peak = rss;
          }
        });
        ms = performance.now() - t0;
        timedEnd();
        ops = rows;
        rssGrowthMiB = (peak - baseline) / 2 ** 20;
        if (rows !== sizes.streamRows) fail(`W9 streamed ${rows} rows, expected ${sizes.streamRows}`);
        checkUser(first, Number(first!.id), 'W9');
        break;
      }
    }
    return { ...base, ops, ms, rssGrowthMiB, cpuMs, windowUs: [windowStart, windowEnd] };
  } finally {
    await entry.close();
  }
}

/** What a write stored, read back by the raw driver: the same representation for every entry? */
function checkStored(target: Target, row: { is_active: unknown; created_at: unknown } | undefined, u: UserInput): void {
  if (row === undefined) fail('the written row is missing');
  if (Boolean(Number(row.is_active)) !== u.isActive && row.is_active !== u.isActive) fail(`stored is_active ${String(row.is_active)}`);
  const stored = row.created_at;
  const t = stored instanceof Date ? stored.getTime() : typeof stored === 'number' ? stored : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(String(stored)) ? String(stored) : `${String(stored).replace(' ', 'T')}Z`);
  if (t !== u.createdAt.getTime()) fail(`stored created_at ${String(stored)} is not ${u.createdAt.toISOString()} (${target.dialect})`);
}

const job = JSON.parse(process.argv[2]) as Job;
for (const task of job.tasks) {
  let result: ChildResult;
  try {
    result = await run(job, task);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const where = error instanceof Error && error.stack ? `\n${error.stack.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 3).join('\n')}` : '';
    result = { entry: job.entry, workload: task.workload, dialect: task.target.dialect, error: `${text.length > 400 ? `${text.slice(0, 400)}…` : text}${where}` };
  }
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
}
// For the parent's noise check: this process's CPU time (all threads), µs.
const cpu = process.cpuUsage();
process.stdout.write(`@@CPU ${cpu.user + cpu.system}\n`);
// Some libraries keep handles open (pools, timers); the measurements are done.
process.exit(0);
