/**
 * The driver traps of RELIABILITY.md, at the engine level (raw Kysely through Oxen's connections):
 * a killed backend inside a transaction, 64-bit integers, and date-times under different process time
 * zones. Converters on top of these raw values (BigIntField → bigint, ...) are tested with the fields.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TransactionError, connect, getConnection, transaction } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { timedRejection } from '../support/rejection.js';

const BIG = 9007199254740993n; // 2^53 + 1: the first integer a JS number cannot hold
const INT8_MAX = 9223372036854775807n;
const INT8_MIN = -9223372036854775808n;

const ORIGINAL_TZ = process.env.TZ;

/** Runs `fn` with the process's local time zone set to `tz` (Node re-reads TZ on assignment). */
async function underTz<T>(tz: string, fn: () => Promise<T>): Promise<T> {
  process.env.TZ = tz;
  try {
    return await fn();
  } finally {
    if (ORIGINAL_TZ === undefined) delete process.env.TZ;
    else process.env.TZ = ORIGINAL_TZ;
  }
}

forEachDialect('engine: driver traps', (ctx) => {
  afterEach(() => {
    if (ORIGINAL_TZ === undefined) delete process.env.TZ;
    else process.env.TZ = ORIGINAL_TZ;
  });

  describe('64-bit integers', () => {
    beforeAll(async () => {
      await sql`create table eng_big (id integer not null, v bigint not null, small integer not null)`.execute(ctx.connection().kysely);
    });

    /**
     * Raw reads (before any field converter):
     * - sqlite: better-sqlite3 reads BIGINT columns with safeIntegers → `bigint`; other integer columns of
     *   the same statement stay `number`.
     * - mysql: supportBigNumbers + bigNumberStrings → the exact decimal string.
     * - postgres: pg returns int8 as a string (expected; BigIntField converts it).
     */
    const expectExact = (raw: unknown, value: bigint): void => {
      if (ctx.dialect === 'sqlite') expect(raw).toBe(value);
      else expect(raw).toBe(value.toString());
    };

    it(`reads ${BIG} exactly, bound as a bigint`, async () => {
      const db = ctx.connection().kysely;
      await sql`insert into eng_big (id, v, small) values (${1}, ${BIG}, ${5})`.execute(db);
      const r = await sql<{ v: unknown; small: unknown }>`select v, small from eng_big where id = ${1}`.execute(db);
      expectExact(r.rows[0].v, BIG);
      expect(BigInt(r.rows[0].v as string | bigint)).toBe(BIG);
      expect(r.rows[0].small).toBe(5);
    });

    it(`reads ${BIG} exactly, bound as a decimal string`, async () => {
      const db = ctx.connection().kysely;
      await sql`insert into eng_big (id, v, small) values (${2}, ${BIG.toString()}, ${6})`.execute(db);
      const r = await sql<{ v: unknown }>`select v from eng_big where id = ${2}`.execute(db);
      expectExact(r.rows[0].v, BIG);
    });

    it('reads the int8 extremes exactly', async () => {
      const db = ctx.connection().kysely;
      await sql`insert into eng_big (id, v, small) values (${3}, ${INT8_MAX}, ${0}), (${4}, ${INT8_MIN}, ${0})`.execute(db);
      const r = await sql<{ id: number; v: unknown }>`select id, v from eng_big where id in (${3}, ${4}) order by id`.execute(db);
      expectExact(r.rows[0].v, INT8_MAX);
      expectExact(r.rows[1].v, INT8_MIN);
      expect(r.rows.map((row) => row.id)).toEqual([3, 4]);
    });

    it('compares a bound bigint parameter exactly in WHERE', async () => {
      const db = ctx.connection().kysely;
      await sql`insert into eng_big (id, v, small) values (${5}, ${BIG}, ${0}), (${6}, ${BIG - 1n}, ${0})`.execute(db);
      const r = await sql<{ id: number }>`select id from eng_big where v = ${BIG} and id in (${5}, ${6})`.execute(db);
      expect(r.rows.map((row) => Number(row.id))).toEqual([5]);
    });
  });

  describe('date-times', () => {
    const INSTANT = new Date('2024-03-10T07:30:15.123Z'); // 02:30 local in New York is the DST gap of that day
    const column = ctx.dialect === 'postgres' ? 'timestamptz' : ctx.dialect === 'mysql' ? 'datetime(3)' : 'text';

    beforeAll(async () => {
      await sql`create table eng_dt (id integer not null, at ${sql.raw(column)})`.execute(ctx.connection().kysely);
    });

    /** postgres/mysql read a Date; SQLite stores the ISO-8601 UTC text that Oxen binds for a Date. */
    const expectInstant = (raw: unknown, instant: Date): void => {
      if (ctx.dialect === 'sqlite') {
        expect(raw).toBe(instant.toISOString());
      } else {
        expect(raw).toBeInstanceOf(Date);
        expect((raw as Date).getTime()).toBe(instant.getTime());
      }
    };

    it('the session time zone is UTC (postgres: TimeZone, mysql: time_zone)', async () => {
      const db = ctx.connection().kysely;
      if (ctx.dialect === 'postgres') {
        const r = await sql<{ TimeZone: string }>`show timezone`.execute(db);
        expect(r.rows[0].TimeZone).toBe('UTC');
      } else if (ctx.dialect === 'mysql') {
        const r = await sql<{ tz: string }>`select @@session.time_zone as tz`.execute(db);
        expect(r.rows[0].tz).toBe('+00:00');
      } else {
        // SQLite has no session time zone; its clock functions are UTC.
        const r = await sql<{ t: string }>`select datetime(${'2024-03-10T07:30:15Z'}) as t`.execute(db);
        expect(r.rows[0].t).toBe('2024-03-10 07:30:15');
      }
    });

    for (const [writerTz, readerTz] of [
      ['UTC', 'UTC'],
      ['America/New_York', 'Asia/Kolkata'],
      ['Asia/Tokyo', 'America/Los_Angeles'],
    ] as const) {
      it(`a Date written under TZ=${writerTz} reads back as the same instant under TZ=${readerTz}`, async () => {
        const db = ctx.connection().kysely;
        const id = writerTz.length;
        await underTz(writerTz, () => sql`insert into eng_dt (id, at) values (${id}, ${INSTANT})`.execute(db));
        const r = await underTz(readerTz, () => sql<{ at: unknown }>`select at from eng_dt where id = ${id}`.execute(db));
        expectInstant(r.rows[0].at, INSTANT);
      });
    }

    it('a server-side literal is read as UTC under any process TZ', async () => {
      const db = ctx.connection().kysely;
      const query =
        ctx.dialect === 'postgres'
          ? sql<{ at: unknown }>`select ${'2024-03-10 07:30:15.123+00'}::timestamptz as at`
          : ctx.dialect === 'mysql'
            ? sql<{ at: unknown }>`select cast(${'2024-03-10 07:30:15.123'} as datetime(3)) as at`
            : sql<{ at: unknown }>`select strftime('%Y-%m-%dT%H:%M:%fZ', ${'2024-03-10 07:30:15.123'}) as at`;
      for (const tz of ['UTC', 'America/New_York', 'Australia/Lord_Howe']) {
        const r = await underTz(tz, () => query.execute(db));
        expectInstant(r.rows[0].at, INSTANT);
      }
    });

    it('milliseconds survive the round trip', async () => {
      const db = ctx.connection().kysely;
      const instant = new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 999));
      await sql`insert into eng_dt (id, at) values (${100}, ${instant})`.execute(db);
      const r = await sql<{ at: unknown }>`select at from eng_dt where id = ${100}`.execute(db);
      expectInstant(r.rows[0].at, instant);
    });
  });

  describe.runIf(ctx.dialect !== 'sqlite')('a killed backend inside transaction()', () => {
    /** The server-side id of the connection a Kysely instance runs on. */
    const backendId = async (db: Kysely<any>): Promise<number> => {
      const query = ctx.dialect === 'postgres' ? sql<{ id: number }>`select pg_backend_pid() as id` : sql<{ id: number }>`select connection_id() as id`;
      return Number((await query.execute(db)).rows[0].id);
    };
    const kill = async (id: number): Promise<void> => {
      const killer = getConnection().kysely;
      if (ctx.dialect === 'postgres') await sql`select pg_terminate_backend(${id})`.execute(killer);
      else await sql`kill ${id}`.execute(killer);
    };

    it('the transaction rejects with TransactionError, the loss is logged, and the pool recovers', async () => {
      const logged: string[] = [];
      const victim = await connect(ctx.url, { alias: 'victim', pool: { max: 2 }, logger: (level, message) => logged.push(`${level}: ${message}`) });
      const { error } = await timedRejection(
        transaction({ using: 'victim' }, async (tx) => {
          await kill(await backendId(tx.kysely));
          // Wait until the driver has noticed while the client is checked out: without an 'error' listener
          // on the client this event would crash the process (pg) or go unnoticed.
          await vi.waitFor(() => expect(logged.some((l) => /lost a client/.test(l))).toBe(true), { timeout: 5000 });
          await sql`select 1`.execute(tx.kysely);
        }),
      );
      expect(error).toBeInstanceOf(TransactionError);
      expect((error as Error).message).toMatch(/^The connection of the transaction on 'victim' was lost/);
      expect(logged.every((l) => l.startsWith('warn: '))).toBe(true);
      // The same alias works again, on a fresh client, several times over.
      for (let i = 0; i < 3; i++) {
        const r = await sql<{ x: number | string }>`select 1 as x`.execute(victim.kysely);
        expect(Number(r.rows[0].x)).toBe(1);
      }
      await expect(transaction({ using: 'victim' }, async (tx) => (await sql<{ x: number }>`select 2 as x`.execute(tx.kysely)).rows[0].x)).resolves.toBe(2);
      expect(victim.metrics().pool.waiting).toBe(0);
    });

    it('a statement running when its backend is killed rejects with TransactionError (nothing committed)', async () => {
      const victim = await connect(ctx.url, { alias: 'victim2', logger: () => undefined });
      await sql`create table eng_killed (n integer)`.execute(victim.kysely);
      try {
        const { error, ms } = await timedRejection(
          transaction({ using: 'victim2' }, async (tx) => {
            await sql`insert into eng_killed (n) values (${1})`.execute(tx.kysely);
            const id = await backendId(tx.kysely);
            // Settle-handled at once: the statement may fail while `kill` is still awaited.
            const sleeping = (ctx.dialect === 'postgres' ? sql`select pg_sleep(10)` : sql`select sleep(10)`).execute(tx.kysely).then(
              () => undefined,
              (e: unknown) => e,
            );
            await new Promise((resolve) => setTimeout(resolve, 200));
            await kill(id);
            const failure = await sleeping;
            if (failure !== undefined) throw failure;
            await sql`insert into eng_killed (n) values (${2})`.execute(tx.kysely);
          }),
        );
        expect(error).toBeInstanceOf(TransactionError);
        expect(ms).toBeLessThan(10_000);
        const r = await sql<{ c: number | string }>`select count(*) as c from eng_killed`.execute(victim.kysely);
        expect(Number(r.rows[0].c)).toBe(0);
      } finally {
        await sql`drop table eng_killed`.execute(victim.kysely);
      }
    });
  });
});
