/**
 * Transactions under load and faults, through models: a connection lost mid-transaction, the base
 * connection used inside a transaction on a pool of one, 20 concurrent transactions with one failing,
 * and 100 parallel transactions with half of them throwing (no connection left checked out, no
 * PostgreSQL session left `idle in transaction`).
 */
import 'reflect-metadata';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  CharField,
  ConnectionError,
  IntField,
  IntegrityError,
  Model,
  OperationalError,
  TransactionError,
  connect,
  disconnect,
  getConnection,
  model,
  syncSchema,
  transaction,
  type ConnectOptions,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'flt_row' })
class Row extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) label!: string;
  @IntField() n!: number;
}

@model({ table: 'flt_unique' })
class UniqueRow extends Model {
  @CharField({ maxLength: 20, unique: true }) label!: string;
}

const MODELS = [Row, UniqueRow];

async function labelCounts(using = 'default'): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const label of (await Row.using(using).all().valuesList('label', { flat: true })) as string[]) out[label] = (out[label] ?? 0) + 1;
  return out;
}

forEachDialect(
  'transactions under load and faults',
  (ctx) => {
    const server = ctx.dialect !== 'sqlite';

    /** Opens `alias` on the suite's database; SQLite's :memory: is per connection, so it gets the tables too. */
    async function open(alias: string, url: string, options: Omit<ConnectOptions, 'alias'> = {}): Promise<void> {
      await connect(url, { ...options, alias });
      if (!server) await syncSchema({ models: MODELS, using: alias });
    }

    describe.runIf(server)('a connection lost mid-transaction', () => {
      const sessionId = async (db: Kysely<any>): Promise<number> => {
        const query = ctx.dialect === 'postgres' ? sql<{ id: number }>`select pg_backend_pid() as id` : sql<{ id: number }>`select connection_id() as id`;
        return Number((await query.execute(db)).rows[0].id);
      };
      const kill = async (id: number): Promise<void> => {
        const killer = getConnection('flt_killer').kysely;
        if (ctx.dialect === 'postgres') await sql`select pg_terminate_backend(${id}::int)`.execute(killer);
        else await sql`kill ${sql.raw(String(Math.trunc(id)))}`.execute(killer);
      };

      it('rejects with TransactionError, leaves none of its rows, and the pool recovers', async () => {
        await connect(ctx.url, { alias: 'flt_killer' });
        const error = await rejection(
          transaction(async (tx) => {
            await Row.create({ label: 'doomed', n: 1 });
            await Row.create({ label: 'doomed', n: 2 });
            await Row.create({ label: 'doomed', n: 3 });
            await kill(await sessionId(tx.kysely));
            await Row.create({ label: 'doomed', n: 4 });
          }),
        );
        expect(error).toBeInstanceOf(TransactionError);
        expect((error as Error).message).toMatch(/^The connection of the transaction on 'default' was lost; the transaction was rolled back by the server and nothing of it was committed/);
        expect((error as Error).cause).toBeInstanceOf(ConnectionError);
        // The process is alive, the same alias works on a fresh connection, nothing was committed.
        expect(await Row.count()).toBe(0);
        await transaction(() => Row.create({ label: 'after', n: 5 }));
        expect(await labelCounts()).toEqual({ after: 1 });
        const pool = getConnection().metrics().pool;
        expect(pool.waiting).toBe(0);
        expect(pool.idle).toBe(pool.size);
        await disconnect('flt_killer');
      });

      it('a statement running when its session is killed rejects the transaction the same way', async () => {
        await connect(ctx.url, { alias: 'flt_killer' });
        const error = await rejection(
          transaction(async (tx) => {
            await Row.create({ label: 'doomed', n: 1 });
            const id = await sessionId(tx.kysely);
            const sleeping = (ctx.dialect === 'postgres' ? sql`select pg_sleep(10)` : sql`select sleep(10)`).execute(tx.kysely);
            const outcome = sleeping.then(
              () => undefined,
              (e: unknown) => e,
            );
            await kill(id);
            const failure = await outcome;
            if (failure !== undefined) throw failure;
            await Row.create({ label: 'doomed', n: 2 });
          }),
        );
        expect(error).toBeInstanceOf(TransactionError);
        expect(await Row.count()).toBe(0);
        await expect(Row.create({ label: 'after', n: 1 })).resolves.toBeInstanceOf(Row);
        await disconnect('flt_killer');
      });
    });

    describe('the base connection inside a transaction on a pool of one', () => {
      it('fails fast with TransactionError instead of waiting forever; model calls join and the transaction still commits', async () => {
        // SQLite always has exactly one connection; the servers get a dedicated alias with pool.max 1.
        const alias = server ? 'flt_single' : 'default';
        if (server) await open(alias, ctx.url, { pool: { max: 1, acquireTimeoutMs: 30_000 } });
        await transaction({ using: alias }, async () => {
          await Row.create({ label: 'joined', n: 1 }, { using: alias });
          expect(await Row.using(alias).count()).toBe(1); // joins: does not need a second connection
          const started = performance.now();
          const error = await rejection(sql`select 1`.execute(getConnection(alias).kysely));
          expect(performance.now() - started).toBeLessThan(5000); // upper bound only: far below the 30 s acquire timeout
          expect(error).toBeInstanceOf(TransactionError);
          expect((error as Error).message).toMatch(/whose pool has a single connection, and a statement bypassed it/);
          await Row.create({ label: 'joined', n: 2 }, { using: alias });
        });
        expect(await labelCounts(alias)).toEqual({ joined: 2 });
        expect(getConnection(alias).metrics().pool.waiting).toBe(0);
        if (server) await disconnect(alias);
      });
    });

    describe('concurrency', () => {
      it('20 concurrent transactions of 10 model inserts, one failing, leave exactly 190 rows', async () => {
        const failure = new Error('transaction 13 fails');
        const settled = await Promise.allSettled(
          Array.from({ length: 20 }, (_, t) =>
            transaction(async () => {
              for (let i = 0; i < 10; i++) {
                await Row.create({ label: `t${t}`, n: i });
                if (t === 13 && i === 6) throw failure;
              }
              return t;
            }),
          ),
        );
        expect(settled.map((s) => s.status === 'fulfilled')).toEqual(Array.from({ length: 20 }, (_, t) => t !== 13));
        expect((settled[13] as PromiseRejectedResult).reason).toBe(failure);
        expect(await Row.count()).toBe(190);
        const counts = await labelCounts();
        expect(Object.keys(counts).sort()).toEqual(Array.from({ length: 20 }, (_, t) => `t${t}`).filter((l) => l !== 't13').sort());
        expect(Object.values(counts).every((c) => c === 10)).toBe(true);
      });

      it('a unique violation in one of 20 concurrent transactions rolls back only that one', async () => {
        const settled = await Promise.allSettled(
          Array.from({ length: 20 }, (_, t) =>
            transaction(async () => {
              await UniqueRow.create({ label: `own-${t}` });
              await UniqueRow.create({ label: t === 7 ? 'own-7' : `own-${t}-b` });
            }),
          ),
        );
        expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
        expect((settled[7] as PromiseRejectedResult).reason).toBeInstanceOf(IntegrityError);
        expect(await UniqueRow.count()).toBe(38);
        expect(await UniqueRow.filter({ label__startswith: 'own-7' }).count()).toBe(0);
      });

      it('100 parallel transactions with half throwing: exactly the other half remains, no connection is left checked out', async () => {
        const appName = `oxen_flt_${process.pid}`;
        let url = ctx.url;
        if (ctx.dialect === 'postgres') {
          const u = new URL(ctx.url);
          u.searchParams.set('application_name', appName);
          url = u.toString();
        }
        await open('flt_burst', url, { pool: { max: 10, acquireTimeoutMs: 60_000 } });
        const errors = new Map<number, Error>();
        const settled = await Promise.allSettled(
          Array.from({ length: 100 }, (_, t) =>
            transaction({ using: 'flt_burst' }, async () => {
              await Row.create({ label: `t${t}`, n: 1 }, { using: 'flt_burst' });
              await Row.create({ label: `t${t}`, n: 2 }, { using: 'flt_burst' });
              if (t % 2 === 1) {
                const error = new Error(`transaction ${t} throws`);
                errors.set(t, error);
                throw error;
              }
              await Row.create({ label: `t${t}`, n: 3 }, { using: 'flt_burst' });
              return t;
            }),
          ),
        );
        settled.forEach((s, t) => {
          if (t % 2 === 0) expect(s).toEqual({ status: 'fulfilled', value: t });
          else expect((s as PromiseRejectedResult).reason).toBe(errors.get(t));
        });
        expect(await Row.using('flt_burst').count()).toBe(150);
        const counts = await labelCounts('flt_burst');
        expect(Object.keys(counts).sort()).toEqual(Array.from({ length: 50 }, (_, i) => `t${i * 2}`).sort());
        expect(Object.values(counts).every((c) => c === 3)).toBe(true);

        const pool = getConnection('flt_burst').metrics().pool;
        expect(pool.waiting).toBe(0);
        expect(pool.idle).toBe(pool.size);
        if (server) expect(pool.size).toBeLessThanOrEqual(10);

        if (ctx.dialect === 'postgres') {
          const fresh = await connect(ctx.url, { alias: 'flt_fresh' });
          const r = await sql<{ idle_in_tx: string | number; sessions: string | number }>`
            select count(*) filter (where state = 'idle in transaction') as idle_in_tx, count(*) as sessions
            from pg_stat_activity where datname = current_database() and application_name = ${appName}`.execute(fresh.kysely);
          expect(Number(r.rows[0].idle_in_tx)).toBe(0);
          expect(Number(r.rows[0].sessions)).toBe(pool.size);
          await disconnect('flt_fresh');
        }
        await disconnect('flt_burst');
      });
    });

    describe.runIf(ctx.dialect === 'mysql')('a deadlock on MySQL/MariaDB (the server rolls back the whole transaction)', () => {
      /** Two transactions update rows A and B in opposite orders; the server picks one as the deadlock victim. */
      async function deadlock(body: (first: Row, second: Row) => Promise<void>): Promise<PromiseSettledResult<void>[]> {
        const a = await Row.create({ label: 'A', n: 0 });
        const b = await Row.create({ label: 'B', n: 0 });
        let firstLocked!: () => void;
        let secondLocked!: () => void;
        const firstReady = new Promise<void>((r) => (firstLocked = r));
        const secondReady = new Promise<void>((r) => (secondLocked = r));
        const run = (mine: Row, theirs: Row, locked: () => void, other: Promise<void>): Promise<void> =>
          transaction(async () => {
            await Row.filter({ id: mine.id }).update({ n: 1 });
            locked();
            await other;
            await body(mine, theirs);
          });
        return Promise.allSettled([run(a, b, firstLocked, secondReady), run(b, a, secondLocked, firstReady)]);
      }

      it('inside a nested transaction: the nested call rejects with TransactionError and the outer transaction refuses to COMMIT', async () => {
        const caught: unknown[] = [];
        const settled = await deadlock(async (_mine, theirs) => {
          try {
            await transaction(() => Row.filter({ id: theirs.id }).update({ n: 2 }));
          } catch (error) {
            caught.push(error); // swallowed on purpose: the transaction must still not pretend to commit
          }
        });
        expect(caught).toHaveLength(1);
        expect(caught[0]).toBeInstanceOf(TransactionError);
        expect((caught[0] as Error).message).toMatch(/its savepoint could not be rolled back .*the database ended the whole transaction/);
        expect((caught[0] as Error).cause).toBeInstanceOf(OperationalError);
        expect(((caught[0] as Error).cause as Error).message).toMatch(/Deadlock/);
        const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0].reason).toBeInstanceOf(TransactionError);
        expect((rejected[0].reason as Error).message).toMatch(/cannot commit: the database already ended it/);
        // The survivor committed both updates; the victim's first update was rolled back by the server.
        expect((await Row.all().orderBy('label').values('label', 'n')).map((r) => r.n).sort()).toEqual([1, 2]);
      });

      // After a deadlock the server has rolled the transaction back; later statements of the same
      // transaction() would run in autocommit mode. The engine refuses them (TransactionError).
      it('caught at the outer level: later writes of the failed transaction must not be committed', async () => {
        await deadlock(async (_mine, theirs) => {
          try {
            await Row.filter({ id: theirs.id }).update({ n: 2 });
          } catch {
            await Row.create({ label: 'after deadlock', n: 9 });
            throw new Error('give up');
          }
        });
        expect(await Row.filter({ label: 'after deadlock' }).count()).toBe(0);
      });
    });

    describe.runIf(ctx.dialect === 'postgres')('a statement error caught inside a PostgreSQL transaction', () => {
      // PostgreSQL aborts a transaction at the first failed statement and answers its COMMIT with a
      // silent ROLLBACK. The engine refuses to COMMIT such a transaction (TransactionError), so
      // transaction() never resolves as if it had committed.
      it('must not let transaction() resolve as if it had committed', async () => {
        const error = await rejection(
          transaction(async () => {
            await UniqueRow.create({ label: 'kept?' });
            await rejection(UniqueRow.create({ label: 'kept?' })); // caught: the transaction is now aborted
            return 'resolved';
          }),
        );
        expect(error).toBeInstanceOf(TransactionError);
        expect(await UniqueRow.count()).toBe(0);
      });

      it('the portable way: a nested transaction() around the statement that may fail', async () => {
        await transaction(async () => {
          await UniqueRow.create({ label: 'kept' });
          expect(await rejection(transaction(() => UniqueRow.create({ label: 'kept' })))).toBeInstanceOf(IntegrityError);
          await UniqueRow.create({ label: 'also kept' });
        });
        expect(await UniqueRow.count()).toBe(2);
      });
    });
  },
  { models: MODELS, connectOptions: { pool: { max: 10, acquireTimeoutMs: 60_000 }, logger: () => undefined } },
);
