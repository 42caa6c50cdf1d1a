/**
 * Writing inside `for await (... of qs.iterator())`, on every dialect: the loop body saves each row it
 * reads, and every row is read exactly once. On SQLite (one connection) each chunk is its own query, so
 * the body's save() no longer waits for the stream (it used to wait for the acquire timeout and fail);
 * the SQLite file database runs in WAL mode, and `:memory:` is covered by the suite's own connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CharField, IntField, Model, type QuerySet, connect, disconnect, getConnection, model, sql, syncSchema } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'itw_item' })
class Item extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @IntField({ default: 0 }) seen!: number;
}

const NAMES = Array.from({ length: 25 }, (_, i) => `item${String(i).padStart(2, '0')}`);

/** Reads every row through iterator() and saves each one inside the loop; returns the names in order of reading. */
async function touchAll(qs: QuerySet<Item>, chunkSize: number): Promise<string[]> {
  const read: string[] = [];
  for await (const item of qs.iterator({ chunkSize })) {
    read.push(item.name);
    item.seen += 1;
    await item.save();
  }
  return read;
}

forEachDialect(
  'save() inside iterator()',
  () => {
    beforeEach(async () => {
      await Item.bulkCreate(NAMES.map((name) => ({ name })));
    });

    it('unordered: every row is read once and saved, in key order', async () => {
      expect(await touchAll(Item.all(), 4)).toEqual(NAMES);
      expect(await Item.filter({ seen: 1 }).count()).toBe(25);
    });

    it('ordered and sliced: the slice in its order, each row once', async () => {
      expect(await touchAll(Item.all().orderBy('-name').offset(3).limit(10), 4)).toEqual([...NAMES].reverse().slice(3, 13));
      expect(await Item.filter({ seen: 1 }).count()).toBe(10);
    });

    it('a filtered iterator whose body changes the filtered column still reads each row once', async () => {
      const read: string[] = [];
      for await (const item of Item.filter({ seen: 0 }).orderBy('name').iterator({ chunkSize: 5 })) {
        read.push(item.name);
        await Item.filter({ id: item.id }).update({ name: item.name.toUpperCase() });
      }
      expect(read).toEqual(NAMES);
    });
  },
  { models: [Item] },
);

describe('save() inside iterator() on a SQLite file database in WAL mode', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oxen-iter-'));
    await connect(`sqlite://${join(dir, 'app.db')}`, { alias: 'iterfile', pool: { acquireTimeoutMs: 2000 } });
    await syncSchema({ using: 'iterfile', models: [Item] });
    await Item.using('iterfile').delete();
    await Item.bulkCreate(NAMES.map((name) => ({ name })), { using: 'iterfile' });
  });
  afterAll(async () => {
    await disconnect('iterfile');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every row once and every save() lands', async () => {
    const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(getConnection('iterfile').kysely);
    expect(mode.rows[0].journal_mode).toBe('wal');
    const read: string[] = [];
    for await (const item of Item.using('iterfile').iterator({ chunkSize: 7 })) {
      read.push(item.name);
      item.seen = 5;
      await item.save();
    }
    expect(read).toEqual(NAMES);
    expect(await Item.using('iterfile').filter({ seen: 5 }).count()).toBe(25);
  });
});
