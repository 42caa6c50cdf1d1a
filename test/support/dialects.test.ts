/**
 * The forEachDialect helper itself: isolation per worker, schema sync for the given models, and tables
 * emptied (ids restarted) before each test.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CharField, Model, getConnection, model } from '../../src/index.js';
import { forEachDialect, testUrl, workerNamespace } from './dialects.js';

@model({ table: 'support_widget' })
class Widget extends Model {
  @CharField({ maxLength: 40 }) name!: string;
}

async function rows(): Promise<{ id: number; name: string }[]> {
  const r = await sql<{ id: number | string; name: string }>`select id, name from support_widget order by id`.execute(getConnection().kysely);
  return r.rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

forEachDialect(
  'support: forEachDialect',
  (ctx) => {
    it('connects "default" to an isolated database of this worker', async () => {
      const db = ctx.connection();
      expect(db.alias).toBe('default');
      expect(db.dialect).toBe(ctx.dialect);
      const ns = workerNamespace();
      if (ctx.dialect === 'sqlite') {
        expect(ctx.url).toBe('sqlite://:memory:');
      } else if (ctx.dialect === 'postgres') {
        expect(new URL(ctx.url).searchParams.get('schema')).toBe(ns);
        const r = await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely);
        expect(r.rows[0].s).toBe(ns);
      } else {
        expect(new URL(ctx.url).pathname).toBe(`/${ns}`);
        const r = await sql<{ d: string }>`select database() as d`.execute(db.kysely);
        expect(r.rows[0].d).toBe(ns);
      }
    });

    it('created the models\' tables (first test: insert two rows)', async () => {
      await Widget.create({ name: 'a' });
      await Widget.create({ name: 'b' });
      expect(await rows()).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ]);
    });

    it('emptied the tables and restarted ids before the next test', async () => {
      expect(await rows()).toEqual([]);
      await Widget.create({ name: 'c' });
      expect(await rows()).toEqual([{ id: 1, name: 'c' }]);
    });
  },
  { models: [Widget] },
);

describe('testUrl', () => {
  it('gives SQLite a private in-memory database', async () => {
    await expect(testUrl('sqlite')).resolves.toBe('sqlite://:memory:');
  });
});
