/**
 * In-process A/B of the client-side statement deadline: the same point-read loop on one connection
 * without a deadline and with one (one timer per statement). Run from the repository root:
 *   OXEN_PG_URL=postgres://root@127.0.0.1:5432/test OXEN_MYSQL_URL=mysql://root@127.0.0.1:3306/test npx tsx --tsconfig bench/tsconfig.json bench/deadline-ab.ts
 * SQLite runs in-process: its statements never get a deadline timer (measured as a control).
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { CharField, Model, closeAll, connect, model, syncSchema } from '../src/index.js';

@model({ table: 'ab_deadline' })
class Row extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) label!: string;
}

const N = Number(process.env.AB_N ?? 3000);
const ROUNDS = 5;

async function loop(alias: string): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < N; i++) await Row.using(alias).filter({ id: (i % 100) + 1 }).first();
  return ((performance.now() - started) * 1000) / N; // µs per statement
}

/** A private schema (PostgreSQL) or database (MySQL) for the run, so nothing shared is touched. */
async function privateUrl(url: string): Promise<string> {
  if (url.startsWith('sqlite')) return url;
  const admin = await connect(url, { alias: 'admin' });
  if (admin.dialect === 'postgres') await sql`create schema if not exists oxen_ab`.execute(admin.kysely);
  else await sql`create database if not exists oxen_ab`.execute(admin.kysely);
  await closeAll();
  return admin.dialect === 'postgres' ? `${url}${url.includes('?') ? '&' : '?'}schema=oxen_ab` : url.replace(/\/[^/?]*(\?|$)/, '/oxen_ab$1');
}

async function measure(name: string, base: string): Promise<void> {
  const url = await privateUrl(base);
  await connect(url, { alias: 'off', statementDeadlineMs: 0 });
  await connect(url, { alias: 'on', statementDeadlineMs: 30_000 });
  await connect(url, { alias: 'default' });
  await syncSchema({ models: [Row], using: 'default' } as never);
  if ((await Row.count()) === 0) await Row.bulkCreate(Array.from({ length: 100 }, (_, i) => ({ label: `r${i}` })));
  await loop('off');
  await loop('on');
  const off: number[] = [];
  const on: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await loop('off'));
    on.push(await loop('on'));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`${name}: no deadline ${median(off).toFixed(1)} µs/statement, deadline ${median(on).toFixed(1)} µs/statement (median of ${ROUNDS} × ${N})`);
  const admin = (await import('../src/index.js')).getConnection('default');
  if (admin.dialect === 'postgres') await sql`drop schema oxen_ab cascade`.execute(admin.kysely);
  if (admin.dialect === 'mysql') await sql`drop database oxen_ab`.execute(admin.kysely);
  await closeAll();
}

const dir = mkdtempSync(join(tmpdir(), 'oxen-ab-'));
await measure('sqlite', `sqlite://${join(dir, 'ab.db')}`);
rmSync(dir, { recursive: true, force: true });
if (process.env.OXEN_PG_URL) await measure('postgres', process.env.OXEN_PG_URL);
if (process.env.OXEN_MYSQL_URL) await measure('mysql', process.env.OXEN_MYSQL_URL);
