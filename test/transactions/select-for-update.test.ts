/**
 * Row locks through models: `selectForUpdate()`, `{ nowait }` and `{ skipLocked }` with two concurrent
 * transactions on separate connections (PostgreSQL, MySQL/MariaDB), and SQLite, where it is a no-op
 * because a transaction holds the whole database's write lock from BEGIN. Also why a read-modify-write
 * `save()` loses updates while an `F()` update does not.
 */
import 'reflect-metadata';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CharField, F, FieldError, IntField, Model, OperationalError, TransactionError, connect, getConnection, model, transaction } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'sfu_job' })
class Job extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @IntField({ default: 0 }) attempts!: number;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

forEachDialect(
  'selectForUpdate() with models',
  (ctx) => {
    const server = ctx.dialect !== 'sqlite';
    /** Transactions a test left open are finished by releasing these gates. */
    const gates: (() => void)[] = [];

    afterEach(() => {
      for (const release of gates.splice(0)) release();
    });

    /** The server-side id of the session a transaction runs on. */
    async function sessionId(db: Kysely<any>): Promise<number> {
      const query = ctx.dialect === 'postgres' ? sql<{ id: number }>`select pg_backend_pid() as id` : sql<{ id: number }>`select connection_id() as id`;
      return Number((await query.execute(db)).rows[0].id);
    }

    /** True when the session waits for a row lock held by another (asked on a separate alias). */
    async function waitsForLock(id: number): Promise<boolean> {
      let observer;
      try {
        observer = getConnection('sfu_observer');
      } catch {
        observer = await connect(ctx.url, { alias: 'sfu_observer' });
      }
      if (ctx.dialect === 'postgres') {
        const r = await sql<{ n: number }>`select cardinality(pg_blocking_pids(${id}::int)) as n`.execute(observer.kysely);
        return Number(r.rows[0].n) > 0;
      }
      const r = await sql<{ n: number | string }>`select count(*) as n from information_schema.innodb_trx where trx_mysql_thread_id = ${id} and trx_state = 'LOCK WAIT'`.execute(observer.kysely);
      return Number(r.rows[0].n) > 0;
    }

    it('compiles to FOR UPDATE [NOWAIT | SKIP LOCKED] on PostgreSQL and MySQL, and to a plain SELECT on SQLite', () => {
      const base = Job.filter({ name: 'x' });
      const plain = base.compile().sql;
      const forUpdate = base.selectForUpdate().compile().sql;
      const nowait = base.selectForUpdate({ nowait: true }).compile().sql;
      const skipLocked = base.selectForUpdate({ skipLocked: true }).compile().sql;
      if (server) {
        expect(forUpdate).toBe(`${plain} for update`);
        expect(nowait).toBe(`${plain} for update nowait`);
        expect(skipLocked).toBe(`${plain} for update skip locked`);
      } else {
        expect([forUpdate, nowait, skipLocked]).toEqual([plain, plain, plain]);
      }
      expect(() => base.selectForUpdate({ nowait: true, skipLocked: true })).toThrow(FieldError);
    });

    it('outside a transaction it is a TransactionError and sends nothing (the lock would end with the statement)', async () => {
      await Job.create({ name: 'free' });
      const before = getConnection().metrics().queries;
      await expect(Job.all().selectForUpdate().execute()).rejects.toBeInstanceOf(TransactionError);
      await expect(Job.all().selectForUpdate().first()).rejects.toThrow(/needs a transaction/);
      expect(getConnection().metrics().queries).toBe(before);
      const [row] = await transaction(() => Job.filter({ name: 'free' }).selectForUpdate());
      expect(row.name).toBe('free');
    });

    it('a second transaction waits for the row lock until the first commits, then reads the committed value', async () => {
      const job = await Job.create({ name: 'j1' });
      const events: string[] = [];
      const firstLocked = deferred();
      const secondWaiting = deferred();
      gates.push(secondWaiting.resolve);
      const first = transaction(async () => {
        const [row] = await Job.filter({ id: job.id }).selectForUpdate();
        events.push(`first locked attempts=${row.attempts}`);
        firstLocked.resolve();
        await secondWaiting.promise;
        row.attempts += 1;
        await row.save();
        events.push('first commits');
      });
      await firstLocked.promise;
      let secondSession: number | undefined;
      const second = transaction(async (tx) => {
        if (server) secondSession = await sessionId(tx.kysely);
        const [row] = await Job.filter({ id: job.id }).selectForUpdate();
        events.push(`second got attempts=${row.attempts}`);
        row.attempts += 1;
        await row.save();
      });
      // PostgreSQL/MySQL: the second session is blocked on the row lock. SQLite: the whole second
      // transaction waits for the database's only connection.
      await vi.waitFor(
        async () => {
          if (server) expect(secondSession !== undefined && (await waitsForLock(secondSession))).toBe(true);
          else expect(getConnection().metrics().pool.waiting).toBe(1);
        },
        { timeout: 10_000, interval: 20 },
      );
      events.push('second observed waiting');
      secondWaiting.resolve();
      await Promise.all([first, second]);
      expect(events).toEqual(['first locked attempts=0', 'second observed waiting', 'first commits', 'second got attempts=1']);
      expect((await Job.get({ id: job.id })).attempts).toBe(2);
    });

    it.runIf(server)('nowait: the second transaction fails at once with OperationalError instead of waiting', async () => {
      const job = await Job.create({ name: 'j1' });
      const locked = deferred();
      const done = deferred();
      gates.push(done.resolve);
      const first = transaction(async () => {
        await Job.filter({ id: job.id }).selectForUpdate();
        locked.resolve();
        await done.promise;
      });
      await locked.promise;
      const started = performance.now();
      const error = await rejection(transaction(() => Job.filter({ id: job.id }).selectForUpdate({ nowait: true }).execute()));
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(OperationalError);
      expect(elapsed).toBeLessThan(5000); // upper bound only: without NOWAIT it would wait for the lock timeout (50 s on MySQL, forever on PostgreSQL)
      done.resolve();
      await first;
      // Unlocked now: nowait succeeds.
      await expect(transaction(() => Job.filter({ id: job.id }).selectForUpdate({ nowait: true }).count())).resolves.toBe(1);
    });

    it.runIf(server)('skipLocked: two workers claiming the first free job get different jobs', async () => {
      await Job.create({ name: 'j1' });
      await Job.create({ name: 'j2' });
      await Job.create({ name: 'j3' });
      const claimed = deferred();
      const done = deferred();
      gates.push(done.resolve);
      const claim = (): Promise<Job | null> => Job.all().orderBy('id').selectForUpdate({ skipLocked: true }).first();
      const worker1 = transaction(async () => {
        const job = await claim();
        claimed.resolve();
        await done.promise;
        return job?.name;
      });
      await claimed.promise;
      const worker2 = await transaction(async () => (await claim())?.name);
      const rest = await transaction(async () => (await Job.all().orderBy('id').selectForUpdate({ skipLocked: true })).map((j) => j.name));
      done.resolve();
      expect([await worker1, worker2]).toEqual(['j1', 'j2']);
      expect(rest).toEqual(['j2', 'j3']);
    });

    it.runIf(!server)('sqlite: selectForUpdate(), nowait and skipLocked run as plain SELECTs inside a transaction', async () => {
      await Job.create({ name: 'j1' });
      const names = await transaction(async () => [
        (await Job.all().selectForUpdate()).map((j) => j.name),
        (await Job.all().selectForUpdate({ nowait: true })).map((j) => j.name),
        (await Job.all().selectForUpdate({ skipLocked: true })).map((j) => j.name),
      ]);
      expect(names).toEqual([['j1'], ['j1'], ['j1']]);
    });

    describe('why save() is not atomic and F() is', () => {
      it('two interleaved read-modify-write save()s lose an update', async () => {
        const job = await Job.create({ name: 'counter' });
        const a = await Job.get({ id: job.id });
        const b = await Job.get({ id: job.id });
        a.attempts += 1;
        b.attempts += 1;
        await a.save();
        await b.save();
        expect((await Job.get({ id: job.id })).attempts).toBe(1);
      });

      it('F() increments computed by the database never lose one', async () => {
        const job = await Job.create({ name: 'counter' });
        await Promise.all(Array.from({ length: 20 }, () => Job.filter({ id: job.id }).update({ attempts: F('attempts').add(1) })));
        expect((await Job.get({ id: job.id })).attempts).toBe(20);
      });

      it('selectForUpdate() inside a transaction makes read-modify-write safe', async () => {
        const job = await Job.create({ name: 'counter' });
        await Promise.all(
          Array.from({ length: 10 }, () =>
            transaction(async () => {
              const [row] = await Job.filter({ id: job.id }).selectForUpdate();
              row.attempts += 1;
              await row.save();
            }),
          ),
        );
        expect((await Job.get({ id: job.id })).attempts).toBe(10);
      });
    });
  },
  { models: [Job] },
);
