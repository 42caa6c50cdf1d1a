/**
 * Named prepared statements on PostgreSQL (src/dialects/postgres/pg-driver.ts): one `oxen_<n>` name per
 * distinct DML text, parsed once per session (checked in `pg_prepared_statements` through a pool of one
 * connection); `?prepare=false`; the retry after DDL changed a statement's result type, and the error
 * (no retry, no hang) inside a transaction; savepoints, isolation and streaming on the same session; the
 * bound on named texts; the `prepare` URL parameter. The query results are checked on every dialect.
 */
import { CompiledQuery, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CharField,
  ConfigurationError,
  IntField,
  Model,
  OperationalError,
  OxenError,
  connect,
  disconnect,
  getConnection,
  model,
  parseUrl,
  syncSchema,
  transaction,
} from '../../src/index.js';
import { OxenPgDriver } from '../../src/dialects/postgres/pg-driver.js';
import { dialectStatus, forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'pgprep_item' })
class Item extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @IntField() qty!: number;
}

const ROWS = [
  { name: 'a', qty: 1 },
  { name: 'b', qty: 3 },
  { name: 'c', qty: 5 },
  { name: 'd', qty: 7 },
];

interface PreparedRow {
  name: string;
  statement: string;
  prepare_time: Date;
  executions: string;
}

/** The session's prepared statements (pg_prepared_statements is per session: use a pool of one). */
async function prepared(db: Kysely<any>): Promise<PreparedRow[]> {
  const r = await sql<PreparedRow>`select name, statement, prepare_time, (generic_plans + custom_plans)::text as executions from pg_prepared_statements order by name`.execute(db);
  return r.rows;
}

const names = (items: readonly Item[]): string[] => items.map((i) => i.name);

forEachDialect(
  'engine: prepared statements',
  (ctx) => {
    const isPg = ctx.dialect === 'postgres';

    // Tests that re-create the table leave it without its generated key: give the next test the model's own.
    let recreated = false;
    afterEach(async () => {
      if (!recreated) return;
      recreated = false;
      await sql`drop table if exists pgprep_item`.execute(ctx.connection().kysely);
      await syncSchema({ models: [Item] });
    });

    /** Drops the table and creates it again with `name` as TEXT (was VARCHAR(50)): a different result type. */
    async function recreateWithText(db: Kysely<any>, extraColumn = false): Promise<void> {
      recreated = true;
      await sql`drop table pgprep_item`.execute(db);
      await sql`create table pgprep_item (id integer primary key, name text not null, qty integer not null${sql.raw(extraColumn ? ', note text' : '')})`.execute(db);
      await sql`insert into pgprep_item (id, name, qty) values (1, 'x', 2), (2, 'y', 4), (3, 'z', 6)`.execute(db);
    }

    it('the same filter with different values: right results; postgres names the text once, and runs it twice', async () => {
      await Item.bulkCreate(ROWS);
      const first = Item.filter({ qty__gte: 3 }).orderBy('id');
      const second = Item.filter({ qty__gte: 6 }).orderBy('id');
      expect(second.compile().sql).toBe(first.compile().sql);
      expect(names(await first)).toEqual(['b', 'c', 'd']);
      expect(names(await second)).toEqual(['d']);
      if (isPg) {
        const rows = (await prepared(ctx.connection().kysely)).filter((r) => r.statement === first.compile().sql);
        expect(rows).toHaveLength(1);
        expect(rows[0].name).toMatch(/^oxen_\d+$/);
        expect(Number(rows[0].executions)).toBeGreaterThanOrEqual(2); // both runs used the one statement
      }
    });

    it.runIf(isPg)('postgres: distinct texts get distinct names; transaction control and other non-DML statements stay unnamed', async () => {
      await Item.bulkCreate(ROWS);
      const byQty = Item.filter({ qty: 5 });
      const byName = Item.filter({ name: 'a' });
      expect(names(await byQty)).toEqual(['c']);
      expect(names(await byName)).toEqual(['a']);
      await transaction(async (tx) => {
        await sql`show transaction_isolation`.execute(tx.kysely);
      });
      const rows = await prepared(ctx.connection().kysely);
      const a = rows.find((r) => r.statement === byQty.compile().sql);
      const b = rows.find((r) => r.statement === byName.compile().sql);
      expect(a?.name).toMatch(/^oxen_\d+$/);
      expect(b?.name).toMatch(/^oxen_\d+$/);
      expect(a?.name).not.toBe(b?.name);
      expect(rows.every((r) => r.name.startsWith('oxen_'))).toBe(true);
      expect(rows.some((r) => /^\s*(begin|commit|show|start)/i.test(r.statement))).toBe(false);
    });

    it.runIf(isPg)('postgres: ?prepare=false prepares nothing on its session, with the same results', async () => {
      await Item.bulkCreate(ROWS);
      await connect(`${ctx.url}&prepare=false`, { alias: 'unprepared', pool: { max: 1 } });
      try {
        expect(names(await Item.filter({ qty__gte: 3 }).orderBy('id').using('unprepared'))).toEqual(['b', 'c', 'd']);
        expect(names(await Item.filter({ qty__gte: 6 }).orderBy('id').using('unprepared'))).toEqual(['d']);
        expect((await Item.using('unprepared').get({ id: 1 })).name).toBe('a');
        expect(await prepared(getConnection('unprepared').kysely)).toEqual([]);
      } finally {
        await disconnect('unprepared');
      }
    });

    it('drop and re-create the table with another column type: the same query runs again with the right rows (postgres: deallocated and retried once)', async () => {
      await Item.bulkCreate(ROWS);
      const db = ctx.connection().kysely;
      const qs = Item.filter({ qty__gte: 3 }).orderBy('id');
      expect(names(await qs)).toEqual(['b', 'c', 'd']);
      const before = isPg ? (await prepared(db)).find((r) => r.statement === qs.compile().sql) : undefined;
      if (isPg) expect(before?.name).toMatch(/^oxen_\d+$/);

      await recreateWithText(db);
      const items = await qs;
      expect(names(items)).toEqual(['y', 'z']);
      expect(items.map((i) => i.qty)).toEqual([4, 6]);

      if (isPg) {
        // The same name, prepared anew (the stale one was deallocated), once.
        const after = (await prepared(db)).filter((r) => r.statement === qs.compile().sql);
        expect(after).toHaveLength(1);
        expect(after[0].name).toBe(before?.name);
        expect(after[0].prepare_time.getTime()).toBeGreaterThan((before as PreparedRow).prepare_time.getTime());
        expect(Number(after[0].executions)).toBe(1);
      }
    });

    it.runIf(isPg)('postgres: the same inside transaction() is an OxenError (no retry, no hang), and the statement works again afterwards', async () => {
      await Item.bulkCreate(ROWS);
      const db = ctx.connection().kysely;
      const qs = Item.filter({ qty__gte: 3 }).orderBy('id');
      expect(names(await qs)).toEqual(['b', 'c', 'd']);
      await recreateWithText(db, true);

      const started = performance.now();
      const error = await rejection(transaction(async () => qs.execute()));
      expect(error).toBeInstanceOf(OxenError);
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toMatch(/cached plan must not change result type/);
      expect(performance.now() - started).toBeLessThan(10_000);

      // The connection forgot the statement when the transaction ended: the next transaction parses it
      // again (a transaction cannot retry), and so does a statement outside.
      expect(await transaction(async () => names(await qs))).toEqual(['y', 'z']);
      expect(names(await qs)).toEqual(['y', 'z']);
      const rows = (await prepared(db)).filter((r) => r.statement === qs.compile().sql);
      expect(rows).toHaveLength(1);
    }, 20_000);

    it.runIf(isPg)('postgres: in a nested transaction() the error rolls back to the savepoint, and the outer transaction runs the statement again', async () => {
      await Item.bulkCreate(ROWS);
      const db = ctx.connection().kysely;
      const qs = Item.filter({ qty__lte: 4 }).orderBy('id');
      expect(names(await qs)).toEqual(['a', 'b']);
      await recreateWithText(db);

      const outcome = await transaction(async (tx) => {
        const inner = await rejection(transaction(async () => qs.execute()));
        await sql`insert into pgprep_item (id, name, qty) values (${10}, ${'w'}, ${0})`.execute(tx.kysely);
        return { inner, rows: names(await qs) };
      });
      expect(outcome.inner).toBeInstanceOf(OperationalError);
      expect((outcome.inner as Error).message).toMatch(/cached plan must not change result type/);
      expect(outcome.rows).toEqual(['x', 'y', 'w']);
      expect(names(await qs)).toEqual(['x', 'y', 'w']); // the outer transaction committed
    }, 20_000);

    it.runIf(isPg)('postgres: after DEALLOCATE ALL on the session, a named statement is parsed again (outside a transaction: retried)', async () => {
      await Item.bulkCreate(ROWS);
      const db = ctx.connection().kysely;
      const qs = Item.filter({ qty__gte: 5 }).orderBy('id');
      expect(names(await qs)).toEqual(['c', 'd']);
      await sql`deallocate all`.execute(db);
      expect(names(await qs)).toEqual(['c', 'd']);
      expect((await prepared(db)).filter((r) => r.statement === qs.compile().sql)).toHaveLength(1);
      // Inside a transaction the first use fails (the transaction is aborted) and the next one works.
      await sql`deallocate all`.execute(db);
      const error = await rejection(transaction(async () => qs.execute()));
      expect(error).toBeInstanceOf(OperationalError);
      expect((error as Error).message).toMatch(/does not exist/);
      expect(await transaction(async () => names(await qs))).toEqual(['c', 'd']);
    });

    it.runIf(isPg)('postgres: savepoints, isolation levels and iterator() on the one session alongside named statements', async () => {
      await Item.bulkCreate(ROWS);
      const level = await transaction({ isolation: 'serializable' }, async (tx) => {
        await Item.create({ name: 'e', qty: 9 });
        await rejection(
          transaction(async () => {
            await Item.create({ name: 'gone', qty: 0 });
            throw new Error('roll back to the savepoint');
          }),
        );
        return (await sql<{ transaction_isolation: string }>`show transaction_isolation`.execute(tx.kysely)).rows[0].transaction_isolation;
      });
      expect(level).toBe('serializable');
      // A cursor holds the pool's one connection while it streams: named statements before and after it.
      expect(names(await Item.filter({ qty__gte: 3 }).orderBy('id'))).toEqual(['b', 'c', 'd', 'e']);
      const streamed: string[] = [];
      for await (const item of Item.filter({ qty__gte: 3 }).orderBy('id').iterator({ chunkSize: 2 })) streamed.push(item.name);
      expect(streamed).toEqual(['b', 'c', 'd', 'e']);
      expect(await Item.filter({ name: 'gone' }).count()).toBe(0);
      expect(names(await Item.filter({ qty__gte: 3 }).orderBy('id'))).toEqual(['b', 'c', 'd', 'e']);
    });
  },
  { models: [Item], connectOptions: { pool: { max: 1 } } },
);

const pgStatus = dialectStatus('postgres');

describe.skipIf(!pgStatus.available)('OxenPgDriver [postgres]', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    const url = new URL(pgStatus.url);
    url.search = '';
    pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  });
  afterAll(async () => {
    await pool.end().catch(() => undefined);
  });

  it('names at most maxNamedStatements distinct DML texts; later texts and non-DML statements go unnamed', async () => {
    const driver = new OxenPgDriver({ pool, cursor: null, maxNamedStatements: 2 });
    await driver.init();
    const connection = await driver.acquireConnection();
    try {
      const run = async (text: string, parameters: unknown[] = []) => (await connection.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, parameters))).rows;
      expect(await run('select $1::int as a', [1])).toEqual([{ a: 1 }]);
      expect(await run('select $1::int as a', [2])).toEqual([{ a: 2 }]);
      expect(await run('  WITH t AS (select 2 as b) select b from t')).toEqual([{ b: 2 }]);
      expect(await run('select 3 as c')).toEqual([{ c: 3 }]); // the third text: over the bound
      expect(await run("set application_name = 'pgprep'")).toEqual([]);
      expect(driver.namedStatements).toBe(2);
      const rows = await run('select name, statement from pg_prepared_statements');
      expect(rows.map((r) => r.statement).sort()).toEqual(['  WITH t AS (select 2 as b) select b from t', 'select $1::int as a']);
      expect(rows.every((r) => /^oxen_\d+$/.test(r.name as string))).toBe(true);
      expect(new Set(rows.map((r) => r.name)).size).toBe(2);
    } finally {
      await connection.executeQuery(CompiledQuery.raw('deallocate all')).catch(() => undefined);
      await driver.releaseConnection(connection);
    }
  });

  it('prepare: false names nothing', async () => {
    const driver = new OxenPgDriver({ pool, cursor: null, prepare: false });
    await driver.init();
    const connection = await driver.acquireConnection();
    try {
      await connection.executeQuery(CompiledQuery.raw('select $1::int as a', [1]));
      const r = await connection.executeQuery<{ n: string }>(CompiledQuery.raw('select count(*)::text as n from pg_prepared_statements'));
      expect(r.rows).toEqual([{ n: '0' }]);
      expect(driver.namedStatements).toBe(0);
    } finally {
      await driver.releaseConnection(connection);
    }
  });

  it('INSERT/UPDATE/DELETE report numAffectedRows as a bigint, SELECT does not (as Kysely)', async () => {
    const driver = new OxenPgDriver({ pool, cursor: null });
    await driver.init();
    const connection = await driver.acquireConnection();
    const q = (text: string, parameters: unknown[] = []) => connection.executeQuery(CompiledQuery.raw(text, parameters));
    try {
      await q('create temporary table pgprep_tmp (n integer)');
      expect((await q('insert into pgprep_tmp (n) values ($1), ($2)', [1, 2])).numAffectedRows).toBe(2n);
      expect((await q('update pgprep_tmp set n = n + 1 where n > $1', [0])).numAffectedRows).toBe(2n);
      const selected = await q('select n from pgprep_tmp order by n');
      expect(selected.numAffectedRows).toBeUndefined();
      expect(selected.rows).toEqual([{ n: 2 }, { n: 3 }]);
      expect((await q('delete from pgprep_tmp where n = $1', [3])).numAffectedRows).toBe(1n);
    } finally {
      await q('drop table if exists pgprep_tmp').catch(() => undefined);
      await q('deallocate all').catch(() => undefined);
      await driver.releaseConnection(connection);
    }
  });
});

describe('the prepare URL parameter', () => {
  it('accepts true and false', () => {
    expect(parseUrl('postgres://u@h/db?prepare=false').params).toEqual({ prepare: 'false' });
    expect(parseUrl('postgres://u@h/db?prepare=true&schema=s').params).toEqual({ prepare: 'true', schema: 's' });
  });

  it('prepare=maybe is a ConfigurationError naming the parameter and its valid values', () => {
    let error: unknown;
    try {
      parseUrl('postgres://u:secret@h/db?prepare=maybe');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/'maybe'.*'prepare'/);
    expect((error as Error).message).toMatch(/prepare=true.*prepare=false/);
    expect((error as Error).message).not.toMatch(/secret/);
  });

  it('connect() refuses it too, before opening anything', async () => {
    await expect(connect('postgres://u@127.0.0.1:1/db?prepare=maybe', { alias: 'pgprep_bad' })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('MySQL URLs do not take it', () => {
    expect(() => parseUrl('mysql://u@h/db?prepare=false')).toThrow(ConfigurationError);
  });
});
