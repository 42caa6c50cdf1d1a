/**
 * Writing many rows on every dialect: bulkCreate of 100,000 rows × 8 columns (batched under every
 * parameter limit, primary keys set where the dialect reports them), ignoreConflicts, updateConflicts
 * (upsert), validation of every row before anything is written, all-or-nothing across batches,
 * bulkUpdate in batched CASE statements, and getOrCreate/updateOrCreate under a real race (two
 * connections, one row; SQLite serialises writers).
 */
import { describe, expect, it } from 'vitest';
import {
  BooleanField,
  CharField,
  DateTimeField,
  DecimalField,
  FieldError,
  IntField,
  IntegrityError,
  JSONField,
  Model,
  TextField,
  ValidationError,
  model,
  preSave,
  type JsonValue,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'bk_items' })
class Item extends Model {
  declare id: number;
  @CharField({ maxLength: 40, unique: true }) code!: string;
  @CharField({ maxLength: 40 }) name!: string;
  @IntField({ min: 0 }) n!: number;
  @DecimalField({ maxDigits: 12, decimalPlaces: 2 }) price!: string;
  @BooleanField({ default: false }) flag!: boolean;
  @DateTimeField() at!: Date;
  @JSONField({ null: true }) data!: JsonValue | null;
  @TextField({ null: true }) note!: string | null;
}

@model({ table: 'bk_accounts' })
class Account extends Model {
  declare id: number;
  @CharField({ maxLength: 60, unique: true }) email!: string;
  @CharField({ maxLength: 60, default: '' }) name!: string;
  @IntField({ default: 0 }) age!: number;
}

// `Model.bulkCreate(rows)`: the explicit type argument works around the inference of M from a
// non-literal array of plain objects (see the report: NoInfer<M> in Model.bulkCreate's signature).
const AT = new Date('2024-03-10T07:30:15.123Z');
const row = (i: number): Partial<Item> => ({
  code: `c${i}`,
  name: `item ${i}`,
  n: i,
  price: `${i}.${String(i % 100).padStart(2, '0')}`,
  flag: i % 2 === 0,
  at: new Date(AT.getTime() + i),
  data: { i, tag: i % 3 === 0 ? 'fizz' : null },
  note: i % 10 === 0 ? null : `note ${i}`,
});

forEachDialect(
  'bulk writes',
  (ctx) => {
    describe('bulkCreate', () => {
      it('inserts 100,000 rows × 8 columns without exceeding any parameter limit, and sets the primary keys', { timeout: 180_000 }, async () => {
        const rows = Array.from({ length: 100_000 }, (_, i) => row(i));
        const created = await Item.bulkCreate(rows);
        expect(created).toHaveLength(100_000);
        expect(await Item.count()).toBe(100_000);
        // Primary keys are set on every dialect (RETURNING on SQLite/PostgreSQL, consecutive AUTO_INCREMENT on MySQL).
        expect(created[0].id).toBe(1);
        expect(created[99_999].id).toBe(100_000);
        expect(new Set(created.map((c) => c.id)).size).toBe(100_000);
        for (const i of [0, 1, 4094, 4095, 4999, 5000, 8190, 8191, 54_321, 99_999]) {
          const stored = await Item.get({ id: created[i].id });
          expect(stored.code).toBe(`c${i}`);
          expect(stored.price).toBe(row(i).price);
          expect(stored.at).toEqual(row(i).at);
          expect(stored.data).toEqual(row(i).data);
          expect(stored.note).toBe(row(i).note);
          expect(stored.flag).toBe(i % 2 === 0);
        }
        expect(created[7].isSaved).toBe(true);
        expect(await Item.filter({ note__isnull: true }).count()).toBe(10_000);
        expect(await Item.filter({ data__tag: 'fizz' }).count()).toBe(33_334);
      });

      it('sends fixed-size batches by default (500 rows on SQLite, 1000 elsewhere), each compiled once per shape', async () => {
        const perStatement = ctx.dialect === 'sqlite' ? 500 : 1000;
        const before = ctx.connection().metrics().queries;
        const created = await Item.bulkCreate(Array.from({ length: 2 * perStatement + 7 }, (_, i) => row(i)));
        // BEGIN + three INSERTs (two full batches, one of 7 rows) + COMMIT.
        expect(ctx.connection().metrics().queries - before).toBe(5);
        expect(created.map((c) => c.id).slice(perStatement - 1, perStatement + 1)).toEqual([perStatement, perStatement + 1]);
        expect(created[2 * perStatement + 6].id).toBe(2 * perStatement + 7);
        // Again: the full batches reuse the compiled statement and bind the new rows.
        const again = await Item.bulkCreate(Array.from({ length: perStatement }, (_, i) => ({ ...row(i), code: `again${i}` })));
        expect(again[perStatement - 1].id).toBe(3 * perStatement + 7);
        expect((await Item.get({ id: again[3].id })).code).toBe('again3');
        expect(await Item.count()).toBe(3 * perStatement + 7);
      });

      it('caps a batch size larger than the parameter limit allows', async () => {
        const created = await Item.bulkCreate(
          Array.from({ length: 12_000 }, (_, i) => row(i)),
          { batchSize: 1_000_000 },
        );
        expect(await Item.count()).toBe(12_000);
        expect(created.map((c) => c.id).slice(-2)).toEqual([11_999, 12_000]);
      });

      it('takes plain objects and built instances, keeps given primary keys, applies defaults', async () => {
        const built = Item.build({ ...row(2), id: 500 });
        const created = await Item.bulkCreate([{ ...row(1), id: 400 }, built, { code: 'd', name: 'defaults', n: 0, price: '1', at: AT }]);
        expect(created[1]).toBe(built);
        expect(created.map((c) => c.id).slice(0, 2)).toEqual([400, 500]);
        expect((await Item.get({ code: 'd' })).flag).toBe(false);
        expect((await Item.get({ code: 'd' })).price).toBe('1.00');
        expect(await Item.count()).toBe(3);
        expect(await Item.bulkCreate([])).toEqual([]);
      });

      it('validates every row before writing anything: one bad row is a ValidationError and nothing is stored', async () => {
        const rows = Array.from({ length: 9000 }, (_, i) => row(i));
        rows[8765] = { ...rows[8765], n: -1 };
        const e = await rejection(Item.bulkCreate(rows, { batchSize: 1000 }));
        expect(e).toBeInstanceOf(ValidationError);
        expect(e.message).toContain('row 8765');
        expect((e as ValidationError).errors).toEqual({ n: ['must be at least 0'] });
        expect(await Item.count()).toBe(0);
        const missing = await rejection(Item.bulkCreate([row(1), { code: 'x' }]));
        expect(missing).toBeInstanceOf(ValidationError);
        expect(missing.message).toContain('row 1');
        expect(await Item.count()).toBe(0);
        expect(await rejection(Item.bulkCreate([row(1), null as never]))).toBeInstanceOf(FieldError);
        expect(await rejection(Item.bulkCreate({} as never))).toBeInstanceOf(FieldError);
        expect(await Item.count()).toBe(0);
      });

      it('is all or nothing across batches: a duplicate in the last batch leaves no row', async () => {
        const rows = Array.from({ length: 3000 }, (_, i) => row(i));
        rows[2999] = { ...row(5) };
        const e = await rejection(Item.bulkCreate(rows, { batchSize: 1000 }));
        expect(e).toBeInstanceOf(IntegrityError);
        expect((e as IntegrityError).kind).toBe('unique');
        expect(await Item.count()).toBe(0);
      });

      it('ignoreConflicts skips rows that violate a unique constraint', async () => {
        await Item.bulkCreate([row(1), row(2)]);
        await Item.filter({ code: 'c1' }).update({ name: 'kept' });
        const result = await Item.bulkCreate([row(1), row(3), row(2), row(4)], { ignoreConflicts: true });
        expect(result).toHaveLength(4);
        expect(await Item.count()).toBe(4);
        expect(await Item.all().orderBy('code').valuesList('code', 'name')).toEqual([
          ['c1', 'kept'],
          ['c2', 'item 2'],
          ['c3', 'item 3'],
          ['c4', 'item 4'],
        ]);
      });

      it('updateConflicts upserts: existing rows get the named fields, new rows are inserted', async () => {
        await Item.bulkCreate([row(1), row(2)]);
        const before = await Item.get({ code: 'c1' });
        await Item.bulkCreate(
          [
            { ...row(1), name: 'one', n: 100, note: 'not updated' },
            { ...row(3), name: 'three' },
          ],
          { updateConflicts: { fields: ['name', 'n'], uniqueFields: ['code'] } },
        );
        expect(await Item.count()).toBe(3);
        const after = await Item.get({ code: 'c1' });
        expect([after.id, after.name, after.n, after.note]).toEqual([before.id, 'one', 100, 'note 1']);
        expect((await Item.get({ code: 'c3' })).name).toBe('three');
        expect((await Item.get({ code: 'c2' })).name).toBe('item 2');
      });

      it('refuses bad conflict options with FieldError', async () => {
        expect(await rejection(Item.bulkCreate([row(1)], { ignoreConflicts: true, updateConflicts: { fields: ['name'], uniqueFields: ['code'] } }))).toBeInstanceOf(FieldError);
        const e = await rejection(Item.bulkCreate([row(1)], { updateConflicts: { fields: ['nmae'], uniqueFields: ['code'] } }));
        expect(e).toBeInstanceOf(FieldError);
        expect(e.message).toContain("did you mean 'name'?");
        expect(await rejection(Item.bulkCreate([row(1)], { batchSize: 0 }))).toBeInstanceOf(FieldError);
        expect(await Item.count()).toBe(0);
      });
    });

    describe('bulkUpdate', () => {
      it('updates the named fields of many instances in batched statements', async () => {
        const items = await Item.bulkCreate(Array.from({ length: 1200 }, (_, i) => row(i)));
        for (const item of items) {
          item.name = `renamed ${item.n}`;
          item.price = `${item.n * 2}.50`;
          item.flag = !item.flag;
          item.note = 'not saved';
        }
        const before = ctx.connection().metrics().queries;
        expect(await Item.bulkUpdate(items, ['name', 'price', 'flag'], { batchSize: 500 })).toBe(1200);
        // Three UPDATE statements (500 + 500 + 200) inside one transaction.
        expect(ctx.connection().metrics().queries - before).toBe(5);
        const sample = await Item.filter({ n__in: [0, 499, 500, 1199] }).orderBy('n').values('name', 'price', 'flag', 'note');
        expect(sample).toEqual([
          { name: 'renamed 0', price: '0.50', flag: false, note: null },
          { name: 'renamed 499', price: '998.50', flag: true, note: 'note 499' },
          { name: 'renamed 500', price: '1000.50', flag: false, note: null },
          { name: 'renamed 1199', price: '2398.50', flag: true, note: 'note 1199' },
        ]);
      });

      it('handles NULLs, dates and JSON', async () => {
        const items = await Item.bulkCreate([row(1), row(2)]);
        items[0].note = null;
        items[0].data = { changed: [1, 2] };
        items[1].at = new Date('2000-01-01T00:00:00.001Z');
        items[1].data = null;
        expect(await Item.bulkUpdate(items, ['note', 'data', 'at'])).toBe(2);
        const [a, b] = await Item.all().orderBy('n');
        expect([a.note, a.data, b.at, b.data]).toEqual([null, { changed: [1, 2] }, new Date('2000-01-01T00:00:00.001Z'), null]);
      });

      it('validates first and refuses unsaved instances, the primary key and unknown fields', async () => {
        const items = await Item.bulkCreate([row(1), row(2)]);
        items[1].n = -5;
        expect(await rejection(Item.bulkUpdate(items, ['n']))).toBeInstanceOf(ValidationError);
        expect(await Item.filter({ n__lt: 0 }).count()).toBe(0);
        expect(await rejection(Item.bulkUpdate([Item.build(row(3))], ['n']))).toBeInstanceOf(FieldError);
        expect(await rejection(Item.bulkUpdate(items, ['id']))).toBeInstanceOf(FieldError);
        expect(await rejection(Item.bulkUpdate(items, ['nope' as never]))).toBeInstanceOf(FieldError);
        expect(await rejection(Item.bulkUpdate(items, []))).toBeInstanceOf(FieldError);
        expect(await Item.bulkUpdate([], ['n'])).toBe(0);
      });
    });

    describe('getOrCreate and updateOrCreate', () => {
      it('getOrCreate creates once, then gets; defaults only apply on creation; lookups with __ are not data', async () => {
        const [a, created] = await Account.getOrCreate({ email: 'ann@x.io' }, { name: 'Ann', age: 30 });
        expect([created, a.name, a.age, a.isSaved]).toEqual([true, 'Ann', 30, true]);
        const [again, createdAgain] = await Account.getOrCreate({ email: 'ann@x.io' }, { name: 'Other' });
        expect([createdAgain, again.id, again.name]).toEqual([false, a.id, 'Ann']);
        const [b, createdB] = await Account.getOrCreate({ email__iexact: 'BOB@x.io', name: 'Bob' } as never, { email: 'bob@x.io' });
        expect([createdB, b.email, b.name]).toEqual([true, 'bob@x.io', 'Bob']);
        expect(await Account.count()).toBe(2);
      });

      it('updateOrCreate updates the match with the defaults, or creates it', async () => {
        const [a, created] = await Account.updateOrCreate({ email: 'cy@x.io' }, { name: 'Cy', age: 1 });
        expect([created, a.name, a.age]).toEqual([true, 'Cy', 1]);
        const [b, createdB] = await Account.updateOrCreate({ email: 'cy@x.io' }, { age: 2 });
        expect([createdB, b.id, b.name, b.age]).toEqual([false, a.id, 'Cy', 2]);
        expect((await Account.get({ email: 'cy@x.io' })).age).toBe(2);
        expect(await rejection(Account.updateOrCreate({ email: 'cy@x.io' }, { agee: 3 } as never))).toBeInstanceOf(FieldError);
        expect((await Account.get({ email: 'cy@x.io' })).age).toBe(2);
      });

      /**
       * Two creators that both miss the initial read: a preSave listener holds each creator until both
       * have reached it (only where two connections can write at once), so both INSERT and one loses.
       */
      async function race<T>(work: (i: number) => Promise<T>): Promise<T[]> {
        const parallel = ctx.dialect !== 'sqlite';
        let arrived = 0;
        let release: () => void = () => undefined;
        const barrier = new Promise<void>((resolve) => {
          release = resolve;
        });
        const off = preSave.connect(Account, async () => {
          if (!parallel) return;
          arrived++;
          if (arrived >= 2) release();
          await Promise.race([barrier, new Promise((r) => setTimeout(r, 5000))]);
        });
        try {
          const results = await Promise.all([work(0), work(1)]);
          // Both creators reached the INSERT (updateOrCreate's loser saves once more, as an update).
          if (parallel) expect(arrived).toBeGreaterThanOrEqual(2);
          return results;
        } finally {
          off();
        }
      }

      it('getOrCreate: two concurrent creators, one row, both get it', async () => {
        const results = await race(() => Account.getOrCreate({ email: 'race@x.io' }, { name: 'R' }));
        expect(await Account.filter({ email: 'race@x.io' }).count()).toBe(1);
        const stored = await Account.get({ email: 'race@x.io' });
        expect(results.map(([a]) => a.id)).toEqual([stored.id, stored.id]);
        expect(results.map(([, created]) => created).sort()).toEqual([false, true]);
      });

      it('updateOrCreate: two concurrent writers, one row, both get it, one created it', async () => {
        const results = await race((i) => Account.updateOrCreate({ email: 'race2@x.io' }, { age: 10 + i }));
        expect(await Account.filter({ email: 'race2@x.io' }).count()).toBe(1);
        const stored = await Account.get({ email: 'race2@x.io' });
        expect(results.map(([a]) => a.id)).toEqual([stored.id, stored.id]);
        expect(results.map(([, created]) => created).sort()).toEqual([false, true]);
        expect([10, 11]).toContain(stored.age);
      });
    });
  },
  { models: [Item, Account] },
);
