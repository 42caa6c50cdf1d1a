/**
 * A live connection on every dialect: health check, metrics, error translation, pool limits (acquire
 * timeout, a transaction's connection bypassed), read-only sessions, statement timeouts and slow-query
 * logging. Raw Kysely only (models come later).
 */
import { sql } from 'kysely';
import { describe, expect, it, vi } from 'vitest';
import {
  ConnectionError,
  IntegrityError,
  OperationalError,
  TransactionError,
  connect,
  getConnection,
  transaction,
  type Connection,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { timedRejection } from '../support/rejection.js';

/** A promise and the function that resolves it. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

async function one(db: Connection): Promise<number> {
  const r = await sql<{ x: number | string }>`select 1 as x`.execute(db.kysely);
  return Number(r.rows[0].x);
}

forEachDialect('engine: connection', (ctx) => {
  describe('healthCheck()', () => {
    it('resolves true on a working connection', async () => {
      await expect(ctx.connection().healthCheck()).resolves.toBe(true);
    });

    it('rejects with ConnectionError once the connection is closed', async () => {
      const db = await connect(ctx.url, { alias: 'hc' });
      await db.close();
      const { error } = await timedRejection(db.healthCheck());
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/^Health check of 'hc' /);
    });
  });

  describe('metrics()', () => {
    it('names the alias and the dialect', () => {
      const m = ctx.connection().metrics();
      expect(m.alias).toBe('default');
      expect(m.dialect).toBe(ctx.dialect);
    });

    it('counts one statement per query', async () => {
      const db = ctx.connection();
      const before = db.metrics().queries;
      await sql`select 1`.execute(db.kysely);
      await sql`select 2`.execute(db.kysely);
      expect(db.metrics().queries - before).toBe(2);
    });

    it('counts BEGIN and COMMIT: a transaction with one SELECT is 3 statements', async () => {
      const db = ctx.connection();
      const before = db.metrics();
      await transaction(async (tx) => {
        await sql`select 1`.execute(tx.kysely);
      });
      const after = db.metrics();
      expect(after.queries - before.queries).toBe(3);
      expect(after.errors - before.errors).toBe(0);
    });

    it('counts ROLLBACK: a transaction whose callback throws after one SELECT is 3 statements', async () => {
      const db = ctx.connection();
      const before = db.metrics().queries;
      await timedRejection(
        transaction(async (tx) => {
          await sql`select 1`.execute(tx.kysely);
          throw new Error('stop');
        }),
      );
      expect(db.metrics().queries - before).toBe(3);
    });

    it('counts a failed statement as a query and an error', async () => {
      const db = ctx.connection();
      const before = db.metrics();
      await timedRejection(sql`select * from oxen_no_such_table`.execute(db.kysely));
      const after = db.metrics();
      expect(after.queries - before.queries).toBe(1);
      expect(after.errors - before.errors).toBe(1);
    });

    it('reports ordered latency percentiles, uptime, an empty cache and an idle pool', async () => {
      const db = ctx.connection();
      await sql`select 1`.execute(db.kysely);
      const m = db.metrics();
      expect(m.latencyMs.p50).toBeGreaterThanOrEqual(0);
      expect(m.latencyMs.p95).toBeGreaterThanOrEqual(m.latencyMs.p50);
      expect(m.latencyMs.p99).toBeGreaterThanOrEqual(m.latencyMs.p95);
      expect(m.uptimeMs).toBeGreaterThan(0);
      expect(m.qps).toBeGreaterThan(0);
      expect(m.cache).toEqual({ hits: 0, misses: 0, entries: 0 });
      expect(m.pool.size).toBeGreaterThanOrEqual(1);
      expect(m.pool.idle).toBe(m.pool.size);
      expect(m.pool.waiting).toBe(0);
    });
  });

  describe('error translation at the engine boundary', () => {
    it('a unique violation is an IntegrityError with the SQL and redacted parameters', async () => {
      const db = ctx.connection();
      await sql`create table eng_unique (code varchar(20) not null unique)`.execute(db.kysely);
      try {
        await sql`insert into eng_unique (code) values (${'alpha'})`.execute(db.kysely);
        const { error } = await timedRejection(sql`insert into eng_unique (code) values (${'alpha'})`.execute(db.kysely));
        expect(error).toBeInstanceOf(IntegrityError);
        const e = error as IntegrityError;
        expect(e.kind).toBe('unique');
        expect(e.sql).toMatch(/insert into eng_unique/);
        expect(e.parameters).toEqual(['string(5)']);
        expect(e.cause).toBeDefined();
      } finally {
        await sql`drop table eng_unique`.execute(db.kysely);
      }
    });

    it('a syntax error is an OperationalError carrying the SQL', async () => {
      const { error } = await timedRejection(sql`selec 1`.execute(ctx.connection().kysely));
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as OperationalError).sql).toBe('selec 1');
    });
  });

  describe('pool limits', () => {
    it('a statement from another context waits at most acquireTimeoutMs while a transaction holds a pool of one', async () => {
      const acquireTimeoutMs = 1000;
      const tiny = await connect(ctx.url, { alias: 'tiny', pool: { max: 1, acquireTimeoutMs } });
      const inside = gate();
      const finish = gate();
      const held = transaction({ using: 'tiny' }, async (tx) => {
        await sql`select 1`.execute(tx.kysely);
        inside.open();
        await finish.promise;
        return 'committed';
      });
      try {
        await inside.promise;
        // This runs in the test's own async context, outside the transaction: it must queue, then give up.
        const waiting = timedRejection(sql`select 1`.execute(tiny.kysely));
        await vi.waitFor(() => expect(tiny.metrics().pool.waiting).toBe(1), { timeout: acquireTimeoutMs / 2 });
        const { error, ms } = await waiting;
        expect(error).toBeInstanceOf(ConnectionError);
        // The message names the acquire timeout: it was that timer, not another failure, that ended the wait.
        expect((error as Error).message).toMatch(/No connection available on 'tiny' within 1000 ms/);
        expect(ms).toBeLessThan(acquireTimeoutMs + 2000);
      } finally {
        finish.open();
      }
      await expect(held).resolves.toBe('committed');
      // The timed-out request gave its connection back: the pool serves again.
      expect(await one(tiny)).toBe(1);
      await vi.waitFor(() => expect(tiny.metrics().pool.waiting).toBe(0));
    });

    it('bypassing the transaction (db.kysely inside transaction()) with a pool of one fails fast with TransactionError', async () => {
      const tiny = await connect(ctx.url, { alias: 'tiny1', pool: { max: 1, acquireTimeoutMs: 10_000 } });
      const { error, ms } = await timedRejection(
        transaction({ using: 'tiny1' }, async () => {
          await sql`select 1`.execute(getConnection('tiny1').kysely);
        }),
      );
      expect(error).toBeInstanceOf(TransactionError);
      expect((error as Error).message).toMatch(/holds a transaction on 'tiny1', whose pool has a single connection, and a statement bypassed it/);
      expect(ms).toBeLessThan(5000);
      // Nothing is left checked out.
      expect(await one(tiny)).toBe(1);
      expect(tiny.metrics().pool.waiting).toBe(0);
    });

    it.skipIf(ctx.dialect === 'sqlite')('with a larger pool, db.kysely inside transaction() runs on another connection and does not see its writes', async () => {
      const db = await connect(ctx.url, { alias: 'wide', pool: { max: 3 } });
      await sql`create table eng_bypass (n integer)`.execute(db.kysely);
      try {
        const seen = await transaction({ using: 'wide' }, async (tx) => {
          await sql`insert into eng_bypass (n) values (${1})`.execute(tx.kysely);
          const inside = await sql<{ c: number | string }>`select count(*) as c from eng_bypass`.execute(tx.kysely);
          const outside = await sql<{ c: number | string }>`select count(*) as c from eng_bypass`.execute(db.kysely);
          return [Number(inside.rows[0].c), Number(outside.rows[0].c)];
        });
        expect(seen).toEqual([1, 0]);
      } finally {
        await sql`drop table eng_bypass`.execute(db.kysely);
      }
    });
  });

  describe('session options', () => {
    it('readOnly refuses writes with OperationalError and still reads', async () => {
      const db = ctx.connection();
      // SQLite :memory: databases are private to their connection: use a file-less check of query_only there.
      if (ctx.dialect === 'sqlite') {
        const ro = await connect(ctx.url, { alias: 'ro', readOnly: true });
        expect(ro.readOnly).toBe(true);
        const { error } = await timedRejection(sql`create table eng_ro (n integer)`.execute(ro.kysely));
        expect(error).toBeInstanceOf(OperationalError);
        expect((error as Error).message).toMatch(/readonly/i);
        return;
      }
      await sql`create table eng_ro (n integer)`.execute(db.kysely);
      try {
        const ro = await connect(ctx.url, { alias: 'ro', readOnly: true });
        const { error } = await timedRejection(sql`insert into eng_ro (n) values (${1})`.execute(ro.kysely));
        expect(error).toBeInstanceOf(OperationalError);
        expect((error as Error).message).toMatch(/read-only|READ ONLY/);
        const count = await sql<{ c: number | string }>`select count(*) as c from eng_ro`.execute(ro.kysely);
        expect(Number(count.rows[0].c)).toBe(0);
      } finally {
        await sql`drop table eng_ro`.execute(db.kysely);
      }
    });

    it.skipIf(ctx.dialect === 'sqlite')('statementTimeoutMs aborts a long statement with OperationalError', async () => {
      const db = await connect(ctx.url, { alias: 'timed', statementTimeoutMs: 300 });
      const sleep = ctx.dialect === 'postgres' ? sql`select pg_sleep(5)` : sql`select sleep(5)`;
      const { error, ms } = await timedRejection(sleep.execute(db.kysely));
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toMatch(/statement timeout|max_statement_time|maximum statement execution time/);
      expect(ms).toBeLessThan(300 + 2000);
      expect(await one(db)).toBe(1);
    });

    it('slowQueryMs logs slow statements with their SQL and parameter types, never their values', async () => {
      const logged: { level: string; message: string; context?: Record<string, unknown> }[] = [];
      const db = await connect(ctx.url, {
        alias: 'slow',
        slowQueryMs: 0,
        logger: (level, message, context) => logged.push({ level, message, context }),
      });
      const before = db.metrics().slowQueries;
      await sql`select ${'hunter2'} as secret_value`.execute(db.kysely);
      expect(db.metrics().slowQueries - before).toBe(1);
      const entry = logged.find((l) => /slow query on 'slow'/.test(l.message) && String(l.context?.sql).includes('secret_value'));
      expect(entry?.level).toBe('warn');
      expect(entry?.context?.parameters).toEqual(['string(7)']);
      expect(typeof entry?.context?.durationMs).toBe('number');
      expect(JSON.stringify(logged)).not.toContain('hunter2');
    });
  });
});
