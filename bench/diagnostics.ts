/**
 * The cost of the diagnostics on the workloads that read instances: W3 (find by primary key), W4
 * (100 rows, filtered and ordered) and W6 (500 users with 10 posts each, prefetched and read), on
 * SQLite (a file, as in run.ts) and, when it answers, PostgreSQL. Each configuration runs in turns
 * with the others (round robin, so drift and noise from other processes hit all of them alike);
 * the table shows the median µs per operation over the rounds and the overhead against `off`.
 *
 *   npx tsx --tsconfig bench/tsconfig.json bench/diagnostics.ts            # SQLite, 7 rounds
 *   npx tsx --tsconfig bench/tsconfig.json bench/diagnostics.ts --rounds 11 --pg postgres://root@127.0.0.1:5432/test?schema=bench
 *
 * Configurations: `off` (nPlusOne 'off', tracing off: the baseline), `warn` (the detector in its
 * development mode, watching unused eager loading too), `raise`, and `otel` (the detector off,
 * @opentelemetry/api loaded with no tracer provider registered, i.e. what an app with the API but no
 * SDK pays).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BooleanField, CharField, ForeignKey, IntField, Model, closeAll, connect, detector, dropSchema, model, syncSchema, type ConnectOptions, type RelatedManager } from '../src/index.js';

@model({ table: 'diag_users' })
class User extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @IntField() age!: number;
  @BooleanField() isActive!: boolean;
  declare posts: RelatedManager<Post>;
}

@model({ table: 'diag_posts' })
class Post extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) title!: string;
  @ForeignKey(() => User, { relatedName: 'posts', onDelete: 'CASCADE' }) user!: User;
  declare userId: number;
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const ROUNDS = Number(option('--rounds') ?? 7);
const PG = option('--pg');
const USERS = 5000;
const OPS = { W3: 2000, W4: 400, W6: 8 };

const CONFIGS: Record<string, ConnectOptions> = {
  off: { nPlusOne: 'off', tracing: false },
  warn: { nPlusOne: 'warn', tracing: false },
  raise: { nPlusOne: 'raise', tracing: false },
  otel: { nPlusOne: 'off', tracing: true },
};

async function seed(url: string): Promise<void> {
  await connect(url, { nPlusOne: 'off', tracing: false });
  await dropSchema({ models: [User, Post] });
  await syncSchema({ models: [User, Post] });
  const users = Array.from({ length: USERS }, (_, i) => ({ name: `user${String(i).padStart(5, '0')}`, age: 18 + (i % 50), isActive: i % 3 !== 0 }));
  await User.bulkCreate(users);
  const posts: { title: string; userId: number }[] = [];
  for (let u = 1; u <= 500; u++) for (let p = 0; p < 10; p++) posts.push({ title: `post ${u}.${p}`, userId: u });
  await Post.bulkCreate(posts);
  await closeAll();
}

type Workload = () => Promise<void>;
const WORKLOADS: Record<keyof typeof OPS, Workload> = {
  async W3() {
    for (let i = 0; i < OPS.W3; i++) await User.get({ id: 1 + ((i * 7919) % USERS) });
  },
  async W4() {
    for (let i = 0; i < OPS.W4; i++) await User.filter({ age__gte: 30, isActive: true }).orderBy('name').limit(100);
  },
  async W6() {
    for (let i = 0; i < OPS.W6; i++) {
      const users = await User.filter({ id__lte: 500 }).prefetchRelated('posts');
      let n = 0;
      for (const u of users) n += (await u.posts.all()).length;
      if (n !== 5000) throw new Error(`W6 read ${n} posts`);
    }
  },
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(url: string, label: string): Promise<void> {
  const results: Record<string, Record<string, number[]>> = {};
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const [name, options] of Object.entries(CONFIGS)) {
      await connect(url, options);
      for (const [w, run] of Object.entries(WORKLOADS)) {
        const started = performance.now();
        await run();
        const us = ((performance.now() - started) * 1000) / OPS[w as keyof typeof OPS];
        // Round 0 warms up (JIT, statement caches) and is not counted.
        if (round > 0) ((results[w] ??= {})[name] ??= []).push(us);
      }
      await closeAll();
      detector.reset();
    }
  }
  console.log(`\n${label}: median µs/op over ${ROUNDS} rounds (overhead vs off)`);
  console.log(`| workload | ${Object.keys(CONFIGS).join(' | ')} |`);
  console.log(`|---|${Object.keys(CONFIGS).map(() => '---').join('|')}|`);
  for (const [w, byConfig] of Object.entries(results)) {
    const base = median(byConfig.off);
    const cells = Object.keys(CONFIGS).map((c) => {
      const m = median(byConfig[c]);
      return c === 'off' ? m.toFixed(1) : `${m.toFixed(1)} (${(((m - base) / base) * 100).toFixed(1)} %)`;
    });
    console.log(`| ${w} | ${cells.join(' | ')} |`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'oxen-diag-'));
try {
  const file = `sqlite://${join(dir, 'bench.sqlite3')}`;
  await seed(file);
  await measure(file, 'SQLite');
  if (PG !== undefined) {
    await seed(PG);
    await measure(PG, 'PostgreSQL');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
