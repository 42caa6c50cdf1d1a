/**
 * The SQL log on every dialect: one entry per statement (QuerySet reads, INSERT/UPDATE/DELETE, raw(),
 * hand-written SQL through the connection's Kysely instance as migrations and the bridge use it,
 * BEGIN/SAVEPOINT/COMMIT) with its rows, alias and transaction depth; parameters described unless
 * `log: { params: true }`; a failed statement with its error; a log function that throws never fails
 * the statement; the pretty (TTY) and JSON-lines forms; OXEN_LOG=queries; bad options.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CharField, ConfigurationError, IntegrityError, IntField, Model, closeAll, connect, disconnect, model, transaction, type StatementEntry } from '../../src/index.js';
import { jsonLine, prettyLine, resolveStatementLog } from '../../src/engine/statement-log.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'log_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50, unique: true }) name!: string;
  @IntField({ default: 0 }) age!: number;
}

const entries: StatementEntry[] = [];
const errors: string[] = [];

/** The entries logged while `fn` ran. */
async function logged(fn: () => PromiseLike<unknown>): Promise<StatementEntry[]> {
  entries.length = 0;
  await fn();
  return [...entries];
}

const kind = (e: StatementEntry): string => /^\s*(\w+)/.exec(e.sql)![1].toLowerCase();

forEachDialect(
  'SQL log',
  (ctx) => {
    beforeEach(async () => {
      await Author.bulkCreate([{ name: 'Ann', age: 30 }, { name: 'Bob', age: 40 }]);
      errors.length = 0;
    });

    it('logs a QuerySet read with its rows, alias and depth 0, parameters described', async () => {
      const [entry, ...rest] = await logged(() => Author.filter({ age__gte: 35 }));
      expect(rest).toEqual([]);
      expect(entry).toMatchObject({ alias: 'default', rows: 1, depth: 0, parameters: ['number'] });
      expect(entry.sql).toMatch(/^select .*log_author/i);
      expect(entry.durationMs).toBeGreaterThanOrEqual(0);
      expect(entry.error).toBeUndefined();
    });

    it('logs INSERT, UPDATE and DELETE with the rows they affected', async () => {
      const [insert] = await logged(() => Author.create({ name: 'Cy', age: 50 }));
      expect(kind(insert)).toBe('insert');
      expect(insert.rows).toBe(1);
      expect(insert.parameters).toEqual(['string(2)', 'number']);
      const [update] = await logged(() => Author.filter({ age__gte: 40 }).update({ age: 1 }));
      expect(kind(update)).toBe('update');
      expect(update.rows).toBe(2);
      const deletes = (await logged(() => Author.filter({ age: 1 }).delete())).filter((e) => kind(e) === 'delete');
      expect(deletes.map((e) => e.rows)).toEqual([2]);
    });

    it('logs raw() and hand-written SQL through the connection (the path migrations and the bridge take)', async () => {
      const [raw] = await logged(() => Author.raw('SELECT * FROM log_author WHERE age > ?', [35]));
      expect(raw).toMatchObject({ sql: ctx.dialect === 'postgres' ? 'SELECT * FROM log_author WHERE age > $1' : 'SELECT * FROM log_author WHERE age > ?', rows: 1, parameters: ['number'] });
      const [handWritten] = await logged(() => sql`select count(*) as n from ${sql.table('log_author')}`.execute(ctx.connection().kysely));
      expect(handWritten).toMatchObject({ rows: 1, depth: 0, parameters: [] });
    });

    it('logs transaction control and the depth of statements in transactions and savepoints', async () => {
      const log = await logged(() =>
        transaction(async () => {
          await Author.create({ name: 'Tx1' });
          await transaction(async () => {
            await Author.create({ name: 'Tx2' });
          });
        }),
      );
      const inserts = log.filter((e) => kind(e) === 'insert');
      expect(inserts.map((e) => e.depth)).toEqual([1, 2]);
      expect(log.map(kind)).toEqual(['begin', 'insert', 'savepoint', 'insert', 'release', 'commit']);
    });

    it('logs a failed statement with its error and no rows', async () => {
      entries.length = 0;
      expect(await rejection(Author.create({ name: 'Ann' }))).toBeInstanceOf(IntegrityError);
      const failed = entries.find((e) => e.error !== undefined)!;
      expect(kind(failed)).toBe('insert');
      expect(failed.rows).toBeNull();
      expect(failed.error).toMatch(/unique|duplicate/i);
    });

    it('shows parameter values with log: { params: true }', async () => {
      const shown: StatementEntry[] = [];
      const db = await connect(ctx.url, { alias: 'log-params', log: { params: true, to: (e) => shown.push(e) } });
      try {
        await sql`select ${'s3cret'} as secret_v, ${42} as secret_n`.execute(db.kysely);
        expect(shown.filter((e) => e.sql.includes('secret_v')).map((e) => e.parameters)).toEqual([['s3cret', 42]]);
      } finally {
        await disconnect('log-params');
      }
    });

    it('a log function that throws: the statement succeeds and the error goes to the logger', async () => {
      const reported: unknown[] = [];
      const db = await connect(ctx.url, {
        alias: 'log-throws',
        log: () => {
          throw new Error('log sink down');
        },
        logger: (level, message, context) => reported.push([level, message, (context?.error as Error).message]),
      });
      try {
        reported.length = 0; // connect() ran its own statements (health check)
        const result = await sql<{ v: number }>`select 7 as v`.execute(db.kysely);
        expect(Number(result.rows[0].v)).toBe(7);
        expect(reported).toEqual([['error', 'the SQL log function threw (the statement itself succeeded)', 'log sink down']]);
      } finally {
        await disconnect('log-throws');
      }
    });
  },
  { models: [Author], connectOptions: { log: (e) => entries.push(e), logger: (level, message) => level === 'error' && errors.push(message) } },
);

describe('SQL log forms and options', () => {
  const entry: StatementEntry = { alias: 'db', sql: 'select *\n  from "a" where "x" = ?', parameters: ['string(3)'], durationMs: 1.23456, rows: 2, depth: 1 };
  let writes: string[] = [];
  let tty: boolean | undefined;

  beforeEach(() => {
    writes = [];
    tty = process.stderr.isTTY;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => writes.push(String(chunk)) > 0);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    process.stderr.isTTY = tty as true;
    delete process.env.OXEN_LOG;
    await closeAll();
  });

  it('pretty form: alias, depth, duration, rows, SQL on one line, parameters', () => {
    expect(prettyLine(entry)).toBe('[oxen db tx1] 1.2 ms 2 rows select * from "a" where "x" = ? -- ["string(3)"]');
    expect(prettyLine({ ...entry, depth: 0, rows: null, parameters: [], error: 'boom' })).toBe('[oxen db] 1.2 ms select * from "a" where "x" = ? !! boom');
  });

  it('JSON form: one object per line', () => {
    expect(JSON.parse(jsonLine(entry))).toEqual({ ...entry, durationMs: 1.235 });
    expect(jsonLine({ ...entry, parameters: [10n, Buffer.from('ab')] })).toContain('"parameters":["10","Buffer(2)"]');
  });

  it('log: true writes the pretty form on a TTY and JSON lines otherwise, to stderr', async () => {
    process.stderr.isTTY = true;
    const db = await connect('sqlite://:memory:', { alias: 'tty', log: true });
    await sql`select 1 as one`.execute(db.kysely);
    process.stderr.isTTY = false as true;
    const db2 = await connect('sqlite://:memory:', { alias: 'pipe', log: 'queries' });
    await sql`select 2 as two`.execute(db2.kysely);
    const lines = writes.filter((w) => / as (one|two)/.test(w));
    expect(lines[0]).toMatch(/^\[oxen tty\] \d+\.\d ms 1 row select 1 as one\n$/);
    expect(JSON.parse(lines[1])).toMatchObject({ alias: 'pipe', sql: 'select 2 as two', rows: 1, depth: 0, parameters: [] });
  });

  it('OXEN_LOG=queries turns the log on; log: false keeps it off; another value is a warning', async () => {
    process.env.OXEN_LOG = 'queries';
    const on = await connect('sqlite://:memory:', { alias: 'env-on' });
    await sql`select 3 as three`.execute(on.kysely);
    const off = await connect('sqlite://:memory:', { alias: 'env-off', log: false });
    await sql`select 4 as four`.execute(off.kysely);
    expect(writes.filter((w) => w.includes('three')).length).toBe(1);
    expect(writes.filter((w) => w.includes('four')).length).toBe(0);
    const warned: string[] = [];
    expect(resolveStatementLog(undefined, { warn: (m) => warned.push(m), error: () => undefined }, 'verbose')).toBeUndefined();
    expect(warned).toEqual(["OXEN_LOG='verbose' is not a log mode; use OXEN_LOG=queries"]);
  });

  it.each([
    ['loud', "Unknown log mode 'loud'"],
    [{ params: 'yes' }, 'Option log.params must be a boolean'],
    [{ param: true }, "Unknown log option 'param'"],
    [{ to: 'stderr' }, 'Option log.to must be a function'],
    [42, "Option log must be true, 'queries', a function"],
  ])('rejects log: %j', async (log, message) => {
    const error = await rejection(connect('sqlite://:memory:', { alias: 'bad-log', log: log as never }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
  });
});
