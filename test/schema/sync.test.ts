/**
 * syncSchema() / dropSchema() on every dialect: tables, `index`, `unique`, `indexes` and `uniqueTogether`
 * as each database's catalog reports them; both idempotent; uniqueTogether enforced; DDL inside a
 * transaction (rolled back with it on SQLite and PostgreSQL, refused on MySQL).
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  CharField,
  ConfigurationError,
  DateTimeField,
  IntField,
  IntegrityError,
  Model,
  connect,
  disconnect,
  TransactionError,
  dropSchema,
  getConnection,
  model,
  syncSchema,
  transaction,
} from '../../src/index.js';
import { forEachDialect, type DialectContext } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({
  table: 'sch_authors',
  indexes: [['lastName', 'firstName']],
  uniqueTogether: [['firstName', 'lastName', 'birthYear']],
})
class SchAuthor extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) firstName!: string;
  @CharField({ maxLength: 50 }) lastName!: string;
  @IntField() birthYear!: number;
  @CharField({ maxLength: 255, unique: true }) email!: string;
  @CharField({ maxLength: 50, index: true, column: 'url_slug' }) slug!: string;
  @CharField({ maxLength: 50, index: true, unique: true }) handle!: string; // unique already indexes it
}

@model({ table: 'sch_tags' })
class SchTag extends Model {
  @CharField({ maxLength: 30, primaryKey: true, index: true }) name!: string; // the key is indexed already
}

@model({ abstract: true })
class SchStamped extends Model {
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;
}

@model({ table: 'sch_a_table_whose_name_is_long_enough_to_need_hashing', indexes: [['aRatherLongColumnName', 'anotherRatherLongColumn']] })
class SchLong extends SchStamped {
  @IntField() aRatherLongColumnName!: number;
  @IntField() anotherRatherLongColumn!: number;
}

@model({ table: 'sch_elsewhere', connection: 'elsewhere' })
class SchElsewhere extends Model {
  @IntField() n!: number;
}

const MODELS = [SchAuthor, SchTag];
const LONG_INDEX = 'sch_a_table_whose_name_is_long_enough_to_need_hashing__1cd21990';

interface IndexInfo {
  readonly name: string;
  readonly unique: boolean;
  readonly columns: readonly string[];
}

/** The table's indexes as the dialect's catalog reports them, sorted by name. */
async function catalogIndexes(dialect: DialectContext['dialect'], table: string): Promise<IndexInfo[]> {
  const db = getConnection().kysely;
  const out: IndexInfo[] = [];
  switch (dialect) {
    case 'sqlite': {
      const list = await sql<{ name: string; unique: number }>`select name, "unique" from pragma_index_list(${table})`.execute(db);
      for (const row of list.rows) {
        const cols = await sql<{ name: string }>`select name from pragma_index_info(${row.name}) order by seqno`.execute(db);
        out.push({ name: row.name, unique: Number(row.unique) === 1, columns: cols.rows.map((c) => c.name) });
      }
      break;
    }
    case 'postgres': {
      const r = await sql<{ name: string; unique: boolean; columns: string[] }>`
        select i.relname as name, ix.indisunique as unique,
               array(select a.attname::text from unnest(ix.indkey) with ordinality k(attnum, n)
                     join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum order by k.n) as columns
        from pg_index ix
        join pg_class t on t.oid = ix.indrelid
        join pg_class i on i.oid = ix.indexrelid
        join pg_namespace ns on ns.oid = t.relnamespace
        where ns.nspname = current_schema() and t.relname = ${table}`.execute(db);
      for (const row of r.rows) out.push({ name: row.name, unique: row.unique, columns: row.columns });
      break;
    }
    case 'mysql': {
      const r = await sql<{ name: string; non_unique: number | string; column_name: string }>`
        select index_name as name, non_unique, column_name from information_schema.statistics
        where table_schema = database() and table_name = ${table} order by index_name, seq_in_index`.execute(db);
      for (const row of r.rows) {
        const last = out[out.length - 1];
        if (last !== undefined && last.name === row.name) (last.columns as string[]).push(row.column_name);
        else out.push({ name: row.name, unique: Number(row.non_unique) === 0, columns: [row.column_name] });
      }
      break;
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Table names in the connection's schema/database (sorted). */
async function catalogTables(dialect: DialectContext['dialect']): Promise<string[]> {
  const db = getConnection().kysely;
  const r =
    dialect === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db)
      : dialect === 'postgres'
        ? await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)
        : await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = database()`.execute(db);
  return r.rows.map((row) => row.name).sort();
}

/** The indexes every dialect creates on its own for the primary key and inline UNIQUE columns. */
function implicitIndexes(dialect: DialectContext['dialect']): IndexInfo[] {
  switch (dialect) {
    case 'sqlite': // an INTEGER PRIMARY KEY is the rowid: no index
      return [
        { name: 'sqlite_autoindex_sch_authors_1', unique: true, columns: ['email'] },
        { name: 'sqlite_autoindex_sch_authors_2', unique: true, columns: ['handle'] },
      ];
    case 'postgres':
      return [
        { name: 'sch_authors_email_key', unique: true, columns: ['email'] },
        { name: 'sch_authors_handle_key', unique: true, columns: ['handle'] },
        { name: 'sch_authors_pkey', unique: true, columns: ['id'] },
      ];
    case 'mysql':
      return [
        { name: 'PRIMARY', unique: true, columns: ['id'] },
        { name: 'email', unique: true, columns: ['email'] },
        { name: 'handle', unique: true, columns: ['handle'] },
      ];
  }
}

const OXEN_INDEXES: IndexInfo[] = [
  { name: 'sch_authors_firstName_lastName_birthYear_uniq', unique: true, columns: ['firstName', 'lastName', 'birthYear'] },
  { name: 'sch_authors_lastName_firstName_idx', unique: false, columns: ['lastName', 'firstName'] },
  { name: 'sch_authors_url_slug_idx', unique: false, columns: ['url_slug'] },
];

forEachDialect('schema: syncSchema / dropSchema', (ctx) => {
  describe('syncSchema()', () => {
    it('creates the missing tables and indexes and says which', async () => {
      await dropSchema({ models: MODELS });
      const result = await syncSchema({ models: MODELS });
      expect(result).toEqual({
        tables: ['sch_authors', 'sch_tags'],
        indexes: ['sch_authors_url_slug_idx', 'sch_authors_lastName_firstName_idx', 'sch_authors_firstName_lastName_birthYear_uniq'],
        drift: [],
      });
      expect(await catalogTables(ctx.dialect)).toEqual(['sch_authors', 'sch_tags']);
    });

    it('index: true, unique, indexes and uniqueTogether are in the catalog as <table>_<columns>_idx / _uniq', async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      const expected = [...implicitIndexes(ctx.dialect), ...OXEN_INDEXES].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      expect(await catalogIndexes(ctx.dialect, 'sch_authors')).toEqual(expected);
    });

    it('a primary key marked index: true gets no second index', async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      const names = (await catalogIndexes(ctx.dialect, 'sch_tags')).map((i) => i.name);
      expect(names).toEqual(ctx.dialect === 'sqlite' ? ['sqlite_autoindex_sch_tags_1'] : ctx.dialect === 'postgres' ? ['sch_tags_pkey'] : ['PRIMARY']);
    });

    it('a second call is a no-op and lists nothing', async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      const before = await catalogIndexes(ctx.dialect, 'sch_authors');
      expect(await syncSchema({ models: MODELS })).toEqual({ tables: [], indexes: [], drift: [] });
      expect(await catalogIndexes(ctx.dialect, 'sch_authors')).toEqual(before);
    });

    it('adds a missing index to an existing table', async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      const drop = getConnection().kysely.schema.dropIndex('sch_authors_url_slug_idx');
      await (ctx.dialect === 'mysql' ? drop.on('sch_authors') : drop).execute();
      expect(await syncSchema({ models: MODELS })).toEqual({ tables: [], indexes: ['sch_authors_url_slug_idx'], drift: [] });
    });

    it('reports an existing table whose columns differ from the model (drift) and warns with the fix, altering nothing', async () => {
      const warnings: string[] = [];
      // Its own alias (a separate :memory: database on SQLite), with a logger that keeps the warnings.
      await connect(ctx.url, { alias: 'drift', logger: (level, message) => void (level === 'warn' && warnings.push(message)) });
      await dropSchema({ using: 'drift', models: [SchTag] });
      const drift = getConnection('drift');
      await drift.kysely.schema.createTable(SchTag.meta.table).addColumn('label', 'varchar(40)', (c) => c.primaryKey()).addColumn('legacy', 'integer').execute();
      const result = await syncSchema({ using: 'drift', models: [SchTag] });
      expect(result.drift).toEqual([{ table: 'sch_tags', model: 'SchTag', missingColumns: ['name'], extraColumns: ['label', 'legacy'] }]);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('the table lacks name');
      expect(warnings[0]).toContain('the model does not declare label, legacy');
      expect(warnings[0]).toContain('syncSchema() never alters existing tables');
      expect(await drift.driver.schemaDdl.columns(drift.kysely, 'sch_tags')).toEqual(['label', 'legacy']);
      await dropSchema({ using: 'drift', models: [SchTag] });
      await disconnect('drift');
    });

    it('keeps index names within 63 characters (long names end in a hash) and inherits abstract fields', async () => {
      const result = await syncSchema({ models: [SchLong] });
      expect(result.indexes).toEqual([LONG_INDEX]);
      expect(LONG_INDEX).toHaveLength(63);
      const indexes = await catalogIndexes(ctx.dialect, SchLong.meta.table);
      expect(indexes.find((i) => i.name === LONG_INDEX)).toEqual({ name: LONG_INDEX, unique: false, columns: ['aRatherLongColumnName', 'anotherRatherLongColumn'] });
      const row = await SchLong.create({ aRatherLongColumnName: 1, anotherRatherLongColumn: 2 });
      expect((await SchLong.get({ pk: row.pk } as never)).createdAt).toBeInstanceOf(Date);
      expect(await dropSchema({ models: [SchLong] })).toEqual([SchLong.meta.table]);
    });

    it('without models: every concrete model routed to that connection (not abstract ones, not other aliases)', async () => {
      await dropSchema({ models: [...MODELS, SchLong] });
      const result = await syncSchema();
      expect(result.tables).toEqual(['sch_authors', 'sch_tags', SchLong.meta.table]);
      expect(await catalogTables(ctx.dialect)).not.toContain(SchElsewhere.meta.table);
      expect(await dropSchema()).toEqual([SchLong.meta.table, 'sch_tags', 'sch_authors']);
    });

    it('refuses an abstract model', async () => {
      const error = await rejection(syncSchema({ models: [SchStamped] }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toBe('SchStamped is abstract and has no table');
    });
  });

  describe('dropSchema()', () => {
    it('drops the tables that exist (in reverse order); a second call drops nothing', async () => {
      await syncSchema({ models: MODELS });
      expect(await dropSchema({ models: MODELS })).toEqual(['sch_tags', 'sch_authors']);
      expect(await catalogTables(ctx.dialect)).toEqual([]);
      expect(await dropSchema({ models: MODELS })).toEqual([]);
    });
  });

  describe('constraints', () => {
    it("uniqueTogether is enforced: IntegrityError { kind: 'unique' } only when every field repeats", async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      const base = { firstName: 'Ann', lastName: 'Lee', birthYear: 1980 };
      await SchAuthor.create({ ...base, email: 'a@x.io', slug: 'a', handle: 'a' });
      await SchAuthor.create({ ...base, birthYear: 1981, email: 'b@x.io', slug: 'b', handle: 'b' });
      await SchAuthor.create({ ...base, firstName: 'Anne', email: 'c@x.io', slug: 'c', handle: 'c' });
      const error = await rejection(SchAuthor.create({ ...base, email: 'd@x.io', slug: 'd', handle: 'd' }));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('unique');
      if (ctx.dialect === 'postgres' || ctx.dialect === 'mysql') {
        expect((error as IntegrityError).constraint).toBe('sch_authors_firstName_lastName_birthYear_uniq');
      } else {
        expect((error as IntegrityError).columns).toEqual(['firstName', 'lastName', 'birthYear']);
      }
      expect(await SchAuthor.count()).toBe(3);
    });

    it('index: true does not make a column unique', async () => {
      await dropSchema({ models: MODELS });
      await syncSchema({ models: MODELS });
      await SchAuthor.create({ firstName: 'A', lastName: 'B', birthYear: 1, email: 'a@x.io', slug: 'same', handle: 'h1' });
      await SchAuthor.create({ firstName: 'C', lastName: 'D', birthYear: 2, email: 'b@x.io', slug: 'same', handle: 'h2' });
      expect(await SchAuthor.filter({ slug: 'same' }).count()).toBe(2);
    });
  });

  describe('inside a transaction', () => {
    if (ctx.dialect === 'mysql') {
      it('MySQL commits DDL implicitly, so syncSchema()/dropSchema() refuse to run inside transaction()', async () => {
        await dropSchema({ models: MODELS });
        const error = await rejection(transaction(() => syncSchema({ models: MODELS })));
        expect(error).toBeInstanceOf(TransactionError);
        expect(error.message).toMatch(/^Schema changes on 'default' cannot run inside a transaction: this database commits DDL implicitly/);
        const drop = await rejection(transaction(() => dropSchema({ models: MODELS })));
        expect(drop).toBeInstanceOf(TransactionError);
        expect(await catalogTables(ctx.dialect)).toEqual([]);
      });
    } else {
      it(`${ctx.dialect} DDL is transactional: syncSchema() inside a failed transaction is rolled back`, async () => {
        await dropSchema({ models: MODELS });
        const error = await rejection(
          transaction(async () => {
            expect((await syncSchema({ models: MODELS })).tables).toEqual(['sch_authors', 'sch_tags']);
            throw new Error('undo');
          }),
        );
        expect(error.message).toBe('undo');
        expect(await catalogTables(ctx.dialect)).toEqual([]);
      });
    }
  });
});
