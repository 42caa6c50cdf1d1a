/**
 * Robustness under a hung or cut network (through an in-process TCP proxy in front of the shared
 * servers), placeholder rewriting in raw(), and values kept out of error messages.
 */
import 'reflect-metadata';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CharField, ConnectionError, FieldError, IntField, IntegrityError, JSONField, Model, connect, disconnect, getConnection, model, transaction, type JsonValue } from '../../src/index.js';
import { rewritePlaceholders } from '../../src/dialects/shared.js';
import { translateError } from '../../src/engine/instrumented-driver.js';
import { forEachDialect } from '../support/dialects.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'rb_item' })
class Item extends Model {
  declare id: number;
  @CharField({ maxLength: 100, unique: true }) email!: string;
  @IntField({ default: 0 }) n!: number;
  @JSONField({ null: true }) data!: JsonValue | null;
}

/** Polls `check` until it holds (no duration asserted: the test times out if it never does). */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 50));
}

describe('rewritePlaceholders', () => {
  const pg = (text: string): string => rewritePlaceholders(text, (n) => `$${n}`);
  const my = (text: string): string => rewritePlaceholders(text, (n) => `<${n}>`, true);

  it('skips literals, quoted identifiers and comments', () => {
    expect(pg("select 'a?b', \"c?\" from t where x = ? -- why?\nand y = ? /* what? /* nested? */ still? */ and z = ?")).toBe(
      "select 'a?b', \"c?\" from t where x = $1 -- why?\nand y = $2 /* what? /* nested? */ still? */ and z = $3",
    );
    expect(pg("select 'it''s?' , ?")).toBe("select 'it''s?' , $1");
    expect(pg('select $$a?$$, $tag$b?$tag$, ?')).toBe('select $$a?$$, $tag$b?$tag$, $1');
    expect(my("select 'a\\'?', `b?`, ? # c?\n, ?")).toBe("select 'a\\'?', `b?`, <1> # c?\n, <2>");
  });

  it('?? is a literal ? (the JSON key operator)', () => {
    expect(pg("select * from t where data ?? 'k' and n = ?")).toBe("select * from t where data ? 'k' and n = $1");
    expect(pg("select data ??| array['a'] from t")).toBe("select data ?| array['a'] from t");
  });

  it('an unterminated literal or comment swallows the rest (the server reports the syntax error)', () => {
    expect(pg("select 'a ?")).toBe("select 'a ?");
    expect(pg('select /* ?')).toBe('select /* ?');
  });
});

describe("mysql2's bare closed-state wording", () => {
  it('becomes a ConnectionError that says what happened', () => {
    const driverError = Object.assign(new Error("Can't add new command when connection is in closed state"), { fatal: true });
    const mapped = translateError(driverError, () => ({ type: 'connection', message: driverError.message }));
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped.message).toMatch(/^The connection to the server was already closed when the statement was sent/);
    expect(mapped.cause).toBe(driverError);
  });
});

forEachDialect(
  'raw() placeholders and error values',
  (ctx) => {
    it('a ? inside a literal or a comment is not a placeholder', async () => {
      await Item.create({ email: 'a?@x.io', n: 1 });
      await Item.create({ email: 'b@x.io', n: 2 });
      const rows = await Item.raw("SELECT * FROM rb_item WHERE email <> 'why?' /* is this? */ AND n = ? -- and this?\n", [2]);
      expect(rows.map((r) => r.email)).toEqual(['b@x.io']);
      const literal = await Item.raw("SELECT * FROM rb_item WHERE email = 'a?@x.io' AND n = ?", [1]);
      expect(literal.map((r) => r.email)).toEqual(['a?@x.io']);
    });

    it.runIf(ctx.dialect === 'postgres')("?? reaches PostgreSQL as the JSON key operator '?'", async () => {
      await Item.create({ email: 'k@x.io', data: { k: 1 } });
      await Item.create({ email: 'm@x.io', data: { m: 1 } });
      const rows = await Item.raw('SELECT * FROM rb_item WHERE data ?? ? ORDER BY id', ['k']);
      expect(rows.map((r) => r.email)).toEqual(['k@x.io']);
    });

    it.runIf(ctx.dialect === 'mysql')('the MySQL driver refuses a toSqlString() object on every path, not only raw()', async () => {
      await Item.create({ email: 'c@x.io' });
      const hostile = { toSqlString: () => "'' OR 1=1" };
      const e = await rejection(getConnection().execute(CompiledQuery.raw('select * from rb_item where email = ?', [hostile])));
      expect(e).toBeInstanceOf(FieldError);
      expect(e.message).toMatch(/^Parameter 1 is an object/);
      const listed = await rejection(getConnection().execute(CompiledQuery.raw('select * from rb_item where email in (?)', [['c@x.io', 'd']])));
      expect(listed).toBeInstanceOf(FieldError);
    });

    it('a duplicate value never appears in the IntegrityError; the key name does', async () => {
      await Item.create({ email: 'secret-value@x.io' });
      const e = await rejection<IntegrityError>(Item.create({ email: 'secret-value@x.io' }));
      expect(e).toBeInstanceOf(IntegrityError);
      expect(e.kind).toBe('unique');
      expect(e.message).not.toContain('secret-value');
      if (ctx.dialect === 'mysql') expect(e.message).toMatch(/Duplicate entry <redacted> for key '[^']*email[^']*'/);
    });
  },
  { models: [Item] },
);

forEachDialect(
  'faults through a proxy',
  (ctx) => {
    const server = ctx.dialect !== 'sqlite';
    let proxy: FaultProxy;
    beforeAll(async () => {
      if (!server) return;
      const m = /@([^:/@]+):(\d+)\//.exec(ctx.url);
      proxy = await startFaultProxy(m![1], Number(m![2]));
    });
    afterEach(async () => {
      proxy?.onClientData(null);
      proxy?.delay(0);
      await disconnect('faulty').catch(() => undefined);
    });
    afterAll(async () => {
      await proxy?.close();
    });

    const sleepSql = (): string => (ctx.dialect === 'postgres' ? 'select pg_sleep(30)' : 'select sleep(30)');
    /** Is the 30 s sleep still running on the server (seen through the direct connection)? */
    async function sleeping(): Promise<boolean> {
      const direct = ctx.connection().kysely;
      const r =
        ctx.dialect === 'postgres'
          ? await sql<{ n: string }>`select count(*) as n from pg_stat_activity where query = 'select pg_sleep(30)' and state = 'active'`.execute(direct)
          : await sql<{ n: string }>`select count(*) as n from information_schema.processlist where info = 'select sleep(30)'`.execute(direct);
      return Number(r.rows[0]?.n ?? 0) > 0;
    }

    it.runIf(server)('a statement the server does not answer rejects at the deadline; the connection is destroyed and the statement cancelled', async () => {
      const c = await connect(proxy.rewrite(ctx.url), { alias: 'faulty', statementDeadlineMs: 400, pool: { max: 2 }, logger: () => undefined });
      expect(await Item.using('faulty').count()).toBe(0);
      const e = await rejection<ConnectionError>(c.execute(CompiledQuery.raw(sleepSql())));
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.message).toMatch(/^The server did not answer within 400 ms on 'faulty'/);
      expect(e.outcomeUnknown).toBeUndefined(); // a SELECT wrote nothing
      await eventually(async () => !(await sleeping())); // cancelled on the server, not left for 30 s
      // The pool still serves: a fresh connection answers.
      expect(await Item.using('faulty').count()).toBe(0);
    });

    it.runIf(server)('a black-holed network: the call rejects instead of hanging, and later calls use new connections', async () => {
      const c = await connect(proxy.rewrite(ctx.url), { alias: 'faulty', statementDeadlineMs: 400, pool: { max: 1 }, logger: () => undefined });
      await Item.create({ email: 'x@x.io' });
      expect(await Item.using('faulty').count()).toBe(1);
      const opened = proxy.connections;
      proxy.blackHole();
      const e = await rejection<ConnectionError>(Item.using('faulty').count());
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.message).toContain('did not answer within 400 ms');
      // pool.max 1: if the hung connection had gone back to the pool, this would hang too.
      expect(await Item.using('faulty').count()).toBe(1);
      expect(proxy.connections).toBeGreaterThan(opened);
      expect(c.metrics().errors).toBeGreaterThanOrEqual(1);
    });

    it.runIf(server)('a slow network within the deadline: statements answer late but succeed, nothing is abandoned', async () => {
      const c = await connect(proxy.rewrite(ctx.url), { alias: 'faulty', statementDeadlineMs: 5000, pool: { max: 1 } });
      await Item.create({ email: 'slow@x.io' });
      expect(await Item.using('faulty').count()).toBe(1);
      const opened = proxy.connections;
      proxy.delay(150);
      expect(await Item.using('faulty').count()).toBe(1);
      expect(await Item.using('faulty').filter({ email: 'slow@x.io' }).exists()).toBe(true);
      expect(proxy.connections).toBe(opened); // the same pooled connection served every statement
      expect(c.metrics().errors).toBe(0);
    });

    it.runIf(server)('a transaction whose statement missed the deadline is failed: nothing of it is written', async () => {
      await connect(proxy.rewrite(ctx.url), { alias: 'faulty', statementDeadlineMs: 400, pool: { max: 2 }, logger: () => undefined });
      const e = await rejection(
        transaction({ using: 'faulty' }, async () => {
          await Item.create({ email: 'tx@x.io' }, { using: 'faulty' });
          await getConnection('faulty').execute(CompiledQuery.raw(sleepSql())).catch(() => undefined); // swallowed by the caller
          await Item.create({ email: 'tx2@x.io' }, { using: 'faulty' });
        }),
      );
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.message).toContain('did not answer within 400 ms');
      expect(await Item.count()).toBe(0);
      await eventually(async () => !(await sleeping()));
    });

    it.runIf(server)('a write cut mid-statement outside a transaction: ConnectionError with outcomeUnknown', async () => {
      await connect(proxy.rewrite(ctx.url), { alias: 'faulty', pool: { max: 1 }, logger: () => undefined });
      expect(await Item.using('faulty').count()).toBe(0);
      proxy.onClientData((chunk) => {
        if (/insert into/i.test(chunk.toString('latin1'))) setImmediate(() => proxy.cut());
      });
      const e = await rejection<ConnectionError>(Item.create({ email: 'cut@x.io' }, { using: 'faulty' }));
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.outcomeUnknown).toBe(true);
      expect(e.message).toContain('it may or may not have been applied');
      proxy.onClientData((chunk) => {
        if (/select/i.test(chunk.toString('latin1'))) setImmediate(() => proxy.cut());
      });
      const read = await rejection<ConnectionError>(Item.using('faulty').count());
      expect(read).toBeInstanceOf(ConnectionError);
      expect(read.outcomeUnknown).toBeUndefined();
    });

    it.runIf(!server)('SQLite runs in-process: no deadline timer applies', async () => {
      const c = await connect(ctx.url.replace(/^sqlite:\/\/.*$/, 'sqlite://:memory:'), { alias: 'faulty', statementDeadlineMs: 1 });
      expect(await c.execute(CompiledQuery.raw('select 1 as one'))).toMatchObject({ rows: [{ one: 1 }] });
    });
  },
  { models: [Item] },
);

