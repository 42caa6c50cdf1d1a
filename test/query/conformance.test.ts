/**
 * Django/Tortoise semantics (API.md §12) on every dialect: a ForeignKey given as an instance or key in
 * QuerySet.update(); annotations named in values()/valuesList()/orderBy()/filter(); aggregates over F
 * expressions (exact for decimals) and `aggregate({})`; regex/iregex on integer and decimal columns;
 * delete() keeping the key visible; lazy terminals that run in the async context of the await; the
 * pre-save slug pattern of docs/signals.md; Kysely's `sql` tag from the package root.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  Avg,
  BigIntField,
  CharField,
  ConfigurationError,
  Count,
  DateTimeField,
  DecimalField,
  F,
  FieldError,
  ForeignKey,
  IntField,
  Max,
  Min,
  Model,
  PostDelete,
  SmallIntField,
  Sum,
  ValidationError,
  getConnection,
  model,
  postDelete,
  preSave,
  sql,
  transaction,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'cf_author' })
class CfAuthor extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @IntField({ null: true }) code!: number | null;
  @BigIntField({ default: 0n }) followers!: bigint;
  @DateTimeField({ default: () => new Date('2024-05-06T07:08:09.000Z') }) joined!: Date;
}

@model({ table: 'cf_book' })
class CfBook extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @ForeignKey(() => CfAuthor, { relatedName: 'books' }) author!: CfAuthor;
  declare authorId: number;
  @DecimalField({ maxDigits: 12, decimalPlaces: 2 }) price!: string;
  @SmallIntField() quantity!: number;
  @DecimalField({ maxDigits: 12, decimalPlaces: 3, null: true }) rate!: string | null;
}

/** Rows deleted through instance.delete(): what post-delete hooks and listeners saw. */
const audit: string[] = [];

@model({ table: 'cf_ticket' })
class CfTicket extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) subject!: string;
  @PostDelete() gone(): void {
    audit.push(`hook:${String(this.pk)}`);
  }
}

/** The model of docs/signals.md's slug example. */
@model({ table: 'cf_article' })
class Article extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) title!: string;
  @CharField({ maxLength: 100 }) slug!: string;
}

const slugify = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

forEachDialect(
  'Django/Tortoise conformance',
  () => {
    let ann: CfAuthor;
    let bob: CfAuthor;
    beforeEach(async () => {
      audit.length = 0;
      ann = await CfAuthor.create({ name: 'Ann', code: 444, followers: 9007199254740993n });
      bob = await CfAuthor.create({ name: 'Bob', code: null });
      await CfBook.create({ title: 'A1', author: ann, price: '0.10', quantity: 3, rate: '1.125' });
      await CfBook.create({ title: 'A2', author: ann, price: '99999999.99', quantity: 5, rate: null });
      await CfBook.create({ title: 'B1', author: bob, price: '0.20', quantity: 1, rate: '0.333' });
    });

    describe('QuerySet.update() with a ForeignKey', () => {
      it('takes the related instance', async () => {
        expect(await CfBook.filter({ title__startswith: 'A' }).update({ author: bob })).toBe(2);
        expect(await CfBook.filter({ author: bob }).orderBy('title').valuesList('title', { flat: true })).toEqual(['A1', 'A2', 'B1']);
      });

      it('takes the key value under the relation name and under the column property', async () => {
        expect(await CfBook.filter({ title: 'A1' }).update({ author: bob.id })).toBe(1);
        expect(await CfBook.filter({ title: 'A2' }).update({ authorId: bob.id })).toBe(1);
        expect(await CfBook.filter({ authorId: bob.id }).count()).toBe(3);
      });

      it('refuses an instance of another model, and an unsaved one, writing nothing', async () => {
        const wrong = await rejection(CfBook.filter({ title: 'A1' }).update({ author: (await CfBook.get({ title: 'B1' })) as never }));
        expect(wrong).toBeInstanceOf(ValidationError);
        expect((wrong as ValidationError).errors).toEqual({ author: ['must be a CfAuthor instance or its key, got a CfBook'] });
        const unsaved = await rejection(CfBook.filter({ title: 'A1' }).update({ author: CfAuthor.build({ name: 'New' }) }));
        expect((unsaved as ValidationError).errors).toEqual({ author: ['the CfAuthor is not saved yet (it has no id); save it first'] });
        expect((await CfBook.get({ title: 'A1' })).authorId).toBe(ann.id);
      });
    });

    describe('annotations by name', () => {
      it('values() and valuesList() name annotations (flat too), typed and converted', async () => {
        const qs = CfAuthor.annotate({ n: Count('books') }).orderBy('name');
        expect(await qs.values('name', 'n')).toEqual([
          { name: 'Ann', n: 2 },
          { name: 'Bob', n: 1 },
        ]);
        expect(await qs.valuesList('name', 'n')).toEqual([
          ['Ann', 2],
          ['Bob', 1],
        ]);
        expect(await qs.valuesList('n', { flat: true })).toEqual([2, 1]);
        const rows = await qs.values();
        expect(rows[0]).toEqual({ id: ann.id, name: 'Ann', code: 444, followers: 9007199254740993n, joined: new Date('2024-05-06T07:08:09.000Z'), n: 2 });
      });

      it('filter() and orderBy() use annotations; values() after annotate() leaves unnamed ones out', async () => {
        const rows = await CfAuthor.annotate({ n: Count('books'), total: Sum('books__quantity') })
          .filter({ n__gte: 1 })
          .orderBy('-total')
          .values('name', 'total');
        expect(rows).toEqual([
          { name: 'Ann', total: 8 },
          { name: 'Bob', total: 1 },
        ]);
      });

      it('an unknown name still fails, listing the annotations', () => {
        expect(() => CfAuthor.annotate({ n: Count('books') }).values('name', 'nn' as never)).toThrow(FieldError);
        expect(() => CfAuthor.annotate({ n: Count('books') }).values('name', 'nn' as never)).toThrow(/did you mean 'n'/);
      });
    });

    describe('aggregates over F expressions', () => {
      it('Sum/Avg/Min/Max of price × quantity are exact decimal strings', async () => {
        const line = F('price').mul(F('quantity'));
        const r = await CfBook.aggregate({ sum: Sum(line), avg: Avg(line), min: Min(line), max: Max(line) });
        // 0.30 + 499999999.95 + 0.20: exact, where doubles would give 500000000.45000005 or round the cents.
        expect(r).toEqual({ sum: '500000000.45', avg: '166666666.816667', min: '0.20', max: '499999999.95' });
      });

      it('decimal × decimal adds the places; + keeps the larger; NULL operands are left out', async () => {
        const r = await CfBook.aggregate({ product: Sum(F('price').mul(F('rate'))), plus: Sum(F('price').add(F('rate'))) });
        // 0.10 × 1.125 + 0.20 × 0.333 = 0.11250 + 0.06660; the row with rate NULL is skipped.
        expect(r).toEqual({ product: '0.17910', plus: '1.758' });
      });

      it('integer arithmetic stays a number; annotate() takes expressions too', async () => {
        expect(await CfBook.aggregate({ doubled: Sum(F('quantity').mul(2)), most: Max(F('quantity').add(F('authorId'))) })).toEqual({ doubled: 18, most: 6 });
        const rows = await CfAuthor.annotate({ revenue: Sum(F('books__price').mul(F('books__quantity'))) })
          .orderBy('name')
          .values('name', 'revenue');
        expect(rows).toEqual([
          { name: 'Ann', revenue: '500000000.25' },
          { name: 'Bob', revenue: '0.20' },
        ]);
      });

      it('aggregate({}) is {} and sends nothing; a non-numeric field in arithmetic is a FieldError', async () => {
        const before = getConnection().metrics().queries;
        expect(await CfBook.aggregate({})).toEqual({});
        expect(getConnection().metrics().queries).toBe(before);
        const error = await rejection(CfBook.aggregate({ x: Sum(F('title').mul(2)) }));
        expect(error).toBeInstanceOf(FieldError);
        expect(error.message).toBe("F('title') in arithmetic must be a numeric field; it is char");
      });
    });

    describe('regex on integer and decimal columns', () => {
      it("matches the number's text form; NULL never matches", async () => {
        expect(await CfAuthor.filter({ code__regex: '^444$' }).valuesList('name', { flat: true })).toEqual(['Ann']);
        expect(await CfAuthor.filter({ code__iregex: '4{3}' }).count()).toBe(1);
        expect(await CfAuthor.exclude({ code__regex: '^444$' }).valuesList('name', { flat: true })).toEqual(['Bob']);
        expect(await CfBook.filter({ price__regex: '^0\\.[12]0$' }).orderBy('title').valuesList('title', { flat: true })).toEqual(['A1', 'B1']);
        expect(await CfBook.filter({ rate__regex: '.' }).count()).toBe(2);
      });
    });

    describe('inputs the types now accept work at run time', () => {
      it('in/not_in take any iterable; a string is refused', async () => {
        expect(await CfAuthor.filter({ name__in: new Set(['Ann', 'Zed']) }).valuesList('name', { flat: true })).toEqual(['Ann']);
        expect(await CfAuthor.filter({ name__not_in: new Map([['Ann', 1]]).keys() }).valuesList('name', { flat: true })).toEqual(['Bob']);
        expect(await CfBook.filter({ author__in: new Set([bob]) }).valuesList('title', { flat: true })).toEqual(['B1']);
        expect(await CfAuthor.filter({ followers__gte: 10 }).valuesList('name', { flat: true })).toEqual(['Ann']);
        expect(await CfAuthor.filter({ followers: 0 }).valuesList('name', { flat: true })).toEqual(['Bob']);
        expect(await CfAuthor.filter({ joined__date: new Date('2024-05-06T23:00:00.000Z') }).count()).toBe(2);
        expect(() => CfAuthor.filter({ name__in: 'Ann' as never })).toThrow("CfAuthor.name__in expects an array (or another iterable such as a Set), got string");
      });
    });

    describe('delete() keeps the key visible', () => {
      it('post-delete hooks and listeners see the key; afterwards pk still reports it and get() raises DoesNotExist', async () => {
        const off = postDelete.connect(CfTicket, ({ instance }) => {
          audit.push(`listener:${String(instance.pk)}`);
        });
        try {
          const t = await CfTicket.create({ subject: 'x' });
          const id = t.id;
          await t.delete();
          expect(audit).toEqual([`hook:${id}`, `listener:${id}`]);
          expect(t.pk).toBe(id);
          expect(t.isSaved).toBe(false);
          expect(await rejection(CfTicket.get({ id: t.pk as number }))).toBeInstanceOf(CfTicket.DoesNotExist);
        } finally {
          off();
        }
      });
    });

    describe('terminals run where they are awaited', () => {
      it('an update built outside a transaction and awaited inside it is rolled back with it', async () => {
        const q = CfBook.filter({ title: 'A1' }).update({ quantity: 99 });
        const boom = new Error('roll back');
        expect(
          await rejection(
            transaction(async () => {
              await q;
              expect((await CfBook.get({ title: 'A1' })).quantity).toBe(99);
              throw boom;
            }),
          ),
        ).toBe(boom);
        expect((await CfBook.get({ title: 'A1' })).quantity).toBe(3);
      });

      it('delete(), count(), get() and first() built outside run inside; nothing runs until awaited', async () => {
        const before = getConnection().metrics().queries;
        const del = CfBook.filter({ title: 'B1' }).delete();
        const count = CfBook.all().count();
        const get = CfBook.get({ title: 'B1' });
        const first = CfBook.filter({ title: 'B1' }).first();
        expect(getConnection().metrics().queries).toBe(before);
        await rejection(
          transaction(async () => {
            expect(await del).toBe(1);
            expect(await count).toBe(2);
            expect(await rejection(get)).toBeInstanceOf(CfBook.DoesNotExist);
            expect(await first).toBeNull();
            throw new Error('undo');
          }),
        );
        expect(await CfBook.count()).toBe(3);
      });

      it('a terminal awaited twice runs once', async () => {
        const before = getConnection().metrics().queries;
        const q = CfBook.filter({ title__startswith: 'A' }).update({ quantity: F('quantity').add(1) });
        expect(await q).toBe(2);
        expect(await q).toBe(2);
        expect(getConnection().metrics().queries - before).toBe(1);
        expect((await CfBook.get({ title: 'A1' })).quantity).toBe(4);
      });
    });

    describe('the pre-save slug pattern of docs/signals.md', () => {
      it('a preSave listener fills a required field before it is validated', async () => {
        const off = preSave.connect(Article, ({ instance, created }) => {
          if (created) instance.slug = slugify(instance.title);
        });
        try {
          const a = await Article.create({ title: 'Hello, World' });
          expect(a.slug).toBe('hello-world');
          expect((await Article.get({ id: a.id })).slug).toBe('hello-world');
        } finally {
          off();
        }
      });

      it('without the listener the field is still required, and nothing is written', async () => {
        const error = await rejection(Article.create({ title: 'No slug' }));
        expect((error as ValidationError).errors).toEqual({ slug: ['is required'] });
        expect(await Article.count()).toBe(0);
      });
    });

    it("Kysely's sql tag is exported from the package root", async () => {
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table('cf_book')} where ${sql.ref('title')} = ${'A1'}`.execute(getConnection().kysely);
      expect(Number(rows[0].n)).toBe(1);
    });
  },
  { models: [CfAuthor, CfBook, CfTicket, Article] },
);

describe('useDefineForClassFields', () => {
  it('a model compiled with define semantics is refused with the fix', () => {
    // What TypeScript emits for `author!: Target` under useDefineForClassFields: an own property holding undefined.
    const define = () => {
      @model({ table: 'cf_define_target' })
      class DefineTarget extends Model {
        @CharField({ maxLength: 10 }) name: string = undefined as never;
      }
      @model({ table: 'cf_define_child' })
      class DefineChild extends Model {
        @ForeignKey(() => DefineTarget) target: DefineTarget = undefined as never;
      }
      return DefineChild;
    };
    expect(define).toThrow(ConfigurationError);
    expect(define).toThrow(/"useDefineForClassFields" on .*\(name\).*Set "useDefineForClassFields": false/);
  });
});
