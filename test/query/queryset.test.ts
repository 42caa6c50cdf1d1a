/**
 * The QuerySet of API §4 (without relations) on every dialect: immutability of every chained method,
 * PromiseLike and AsyncIterable, the reading methods (get, getOrNull, first, last, count, exists,
 * values, valuesList, distinct, paginate, inBulk, iterator), ordering with a NULL order that is the same
 * everywhere, limit/offset, update/delete, compile, explain, using, selectForUpdate and raw().
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BooleanField,
  CharField,
  DateTimeField,
  DecimalField,
  DoesNotExist,
  F,
  FieldError,
  IntField,
  Model,
  MultipleObjectsReturned,
  OxenError,
  Q,
  QuerySet,
  ValidationError,
  closeAll,
  connect,
  disconnect,
  getConnection,
  model,
  syncSchema,
  transaction,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'qs_people' })
class Person extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @IntField({ null: true }) age!: number | null;
  @DecimalField({ maxDigits: 8, decimalPlaces: 2, default: '0' }) score!: string;
  @DateTimeField({ null: true }) seen!: Date | null;
  @BooleanField({ default: true }) active!: boolean;
}

/** A model with a default ordering. */
@model({ table: 'qs_ranked', ordering: ['-rank', 'label'] })
class Ranked extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) label!: string;
  @IntField() rank!: number;
}

const PEOPLE = [
  { name: 'Ann', age: 31, score: '10.50', seen: new Date('2024-01-01T10:00:00.000Z'), active: true },
  { name: 'Bob', age: null, score: '9.25', seen: null, active: false },
  { name: 'Cid', age: 18, score: '100.00', seen: new Date('2023-06-01T00:00:00.000Z'), active: true },
  { name: 'Dee', age: 45, score: '-3.00', seen: new Date('2024-05-05T05:05:05.005Z'), active: true },
  { name: 'Eve', age: null, score: '9.25', seen: new Date('2022-02-02T02:02:02.002Z'), active: false },
  { name: 'Fay', age: 18, score: '0.00', seen: null, active: true },
];

async function seed(): Promise<Person[]> {
  const out: Person[] = [];
  for (const p of PEOPLE) out.push(await Person.create(p));
  return out;
}

const namesOf = (rows: readonly Person[]): string[] => rows.map((p) => p.name);

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

forEachDialect(
  'QuerySet',
  (ctx) => {
    let people: Person[] = [];
    beforeEach(async () => {
      people = await seed();
    });

    describe('immutability', () => {
      it('every chained method returns a new QuerySet and leaves the parent unchanged', () => {
        const base = Person.filter({ age__gte: 18 }).orderBy('name');
        const before = base.compile();
        const stateBefore = base.state;
        const children: QuerySet<Person, unknown>[] = [
          base.all(),
          base.filter({ active: true }),
          base.filter(Q({ name: 'Ann' }).or({ name: 'Bob' })),
          base.exclude({ name: 'Ann' }),
          base.orderBy('-age'),
          base.limit(2),
          base.offset(1),
          base.distinct(),
          base.using('default'),
          base.values('name'),
          base.valuesList('name', { flat: true }),
          base.valuesList('name', 'age'),
          base.selectForUpdate(),
        ];
        const compiled = new Set<string>();
        for (const child of children) {
          expect(child).toBeInstanceOf(QuerySet);
          expect(child).not.toBe(base);
          expect(base.compile()).toEqual(before);
          expect(base.state).toBe(stateBefore);
          compiled.add(JSON.stringify(child.compile(), (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
        }
        // Every child but all()/using('default') (same SQL) compiles to something new.
        expect(compiled.size).toBeGreaterThanOrEqual(children.length - 2 - (ctx.dialect === 'sqlite' ? 1 : 0));
        expect(Object.isFrozen(base.state)).toBe(true);
        expect(base.state.where).toEqual(stateBefore.where);
      });

      it('terminal methods do not change the QuerySet they run on', async () => {
        const qs = Person.filter({ active: true }).orderBy('-age');
        const before = qs.compile();
        await qs;
        await qs.first();
        await qs.last();
        await qs.count();
        await qs.exists();
        await qs.paginate({ page: 1, pageSize: 2 });
        await qs.get({ name: 'Ann' });
        await qs.getOrNull({ name: 'Zed' });
        for await (const p of qs.iterator({ chunkSize: 2 })) expect(p).toBeInstanceOf(Person);
        expect(qs.compile()).toEqual(before);
        expect(namesOf(await qs)).toEqual(['Dee', 'Ann', 'Cid', 'Fay']);
      });

      it('a filter object passed in is copied (mutating it later changes nothing)', async () => {
        const spec: Record<string, unknown> = { name: 'Ann' };
        const q = Q(spec);
        const qs = Person.filter(spec as never);
        spec.name = 'Bob';
        expect(namesOf(await qs)).toEqual(['Ann']);
        expect(namesOf(await Person.filter(q))).toEqual(['Ann']);
      });

      it('the state is frozen and cannot be modified', () => {
        const qs = Person.filter({ name: 'Ann' });
        expect(() => {
          (qs.state as unknown as { limit: number }).limit = 1;
        }).toThrow(TypeError);
      });
    });

    describe('PromiseLike and AsyncIterable', () => {
      it('await, then() and Promise.resolve() run the query', async () => {
        const qs = Person.filter({ name__in: ['Ann', 'Bob'] }).orderBy('name');
        expect(namesOf(await qs)).toEqual(['Ann', 'Bob']);
        expect(await qs.then((rows) => rows.length)).toBe(2);
        expect(namesOf(await Promise.resolve(qs))).toEqual(['Ann', 'Bob']);
        const [a, b] = await Promise.all([qs, Person.filter({ name: 'Cid' })]);
        expect([namesOf(a), namesOf(b)]).toEqual([['Ann', 'Bob'], ['Cid']]);
      });

      it('then() forwards a rejection to onrejected', async () => {
        await connect(ctx.url, { alias: 'closed_one' });
        await disconnect('closed_one');
        const got = await Person.all()
          .using('closed_one')
          .then(
            () => 'fulfilled',
            (e: unknown) => (e as Error).constructor.name,
          );
        expect(got).not.toBe('fulfilled');
      });

      it('for await iterates rows as instances', async () => {
        const seen: string[] = [];
        for await (const p of Person.all().orderBy('name')) {
          expect(p).toBeInstanceOf(Person);
          seen.push(p.name);
        }
        expect(seen).toEqual(['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay']);
      });

      it('nothing runs until awaited', () => {
        const before = getConnection().metrics().queries;
        const qs = Person.filter({ age__gt: 1 }).exclude({ name: 'x' }).orderBy('-age').limit(3);
        qs.compile();
        expect(getConnection().metrics().queries).toBe(before);
      });
    });

    describe('reading', () => {
      it('all() returns every row as hydrated instances with converted values', async () => {
        const rows = await Person.all().orderBy('name');
        expect(rows).toHaveLength(6);
        const ann = rows[0];
        expect(ann).toBeInstanceOf(Person);
        expect(ann.isSaved).toBe(true);
        expect(ann.id).toBe(people[0].id);
        expect(ann.age).toBe(31);
        expect(ann.score).toBe('10.50');
        expect(ann.seen).toEqual(new Date('2024-01-01T10:00:00.000Z'));
        expect(ann.active).toBe(true);
        expect(rows[1].age).toBeNull();
        expect(rows[1].active).toBe(false);
        expect(rows[3].seen?.toISOString()).toBe('2024-05-05T05:05:05.005Z');
      });

      it('get() returns the single match; DoesNotExist and MultipleObjectsReturned otherwise', async () => {
        expect((await Person.get({ name: 'Cid' })).age).toBe(18);
        expect((await Person.filter({ age: 18 }).get({ name: 'Fay' })).name).toBe('Fay');
        const none = await rejection(Person.get({ name: 'Zed' }));
        expect(none).toBeInstanceOf(DoesNotExist);
        expect(none).toBeInstanceOf(Person.DoesNotExist);
        expect(none.message).toBe('Person matching the query does not exist');
        const many = await rejection(Person.get({ age: 18 }));
        expect(many).toBeInstanceOf(MultipleObjectsReturned);
        expect(many).toBeInstanceOf(Person.MultipleObjectsReturned);
        expect(many.message).toBe('get() returned more than one Person: it returned 2');
        const lots = await rejection(Person.all().get());
        expect(lots.message).toBe('get() returned more than one Person: it returned 6');
      });

      it('get() without conditions on a sliced QuerySet reads only the slice', async () => {
        expect((await Person.all().orderBy('name').limit(1).get()).name).toBe('Ann');
        expect((await Person.all().orderBy('name').offset(5).get()).name).toBe('Fay');
        expect((await Person.all().orderBy('name').offset(2).limit(1).get()).name).toBe('Cid');
        const two = await rejection(Person.all().orderBy('name').limit(2).get());
        expect(two.message).toBe('get() returned more than one Person: it returned 2');
      });

      it('filtering a sliced QuerySet is refused (as in Django) instead of silently dropping the slice', async () => {
        const qs = Person.all().orderBy('name').limit(2);
        const e = thrown(() => qs.filter({ name: 'Fay' }));
        expect(e).toBeInstanceOf(OxenError);
        expect(e.message).toContain('after limit()/offset()');
        expect(thrown(() => Person.all().offset(1).exclude({ name: 'Ann' }))).toBeInstanceOf(OxenError);
        const viaGet = await rejection(qs.get({ name: 'Fay' }));
        expect(viaGet).not.toBeInstanceOf(DoesNotExist);
        expect(viaGet.message).toContain('after limit()/offset()');
      });

      it('getOrNull() returns null instead of DoesNotExist but still reports several', async () => {
        expect(await Person.getOrNull({ name: 'Zed' })).toBeNull();
        expect((await Person.getOrNull({ id: people[1].id }))?.name).toBe('Bob');
        expect(await rejection(Person.getOrNull({ active: true }))).toBeInstanceOf(MultipleObjectsReturned);
      });

      it('first()/last() on an unordered QuerySet use the primary key', async () => {
        expect((await Person.first())?.name).toBe('Ann');
        expect((await Person.last())?.name).toBe('Fay');
        expect((await Person.filter({ age: 18 }).first())?.name).toBe('Cid');
        expect((await Person.filter({ age: 18 }).last())?.name).toBe('Fay');
        expect(await Person.filter({ name: 'Zed' }).first()).toBeNull();
        expect(await Person.filter({ name: 'Zed' }).last()).toBeNull();
      });

      it('first()/last() follow the ordering, last() reversing every term', async () => {
        const qs = Person.all().orderBy('age', '-name');
        // age asc (NULLs first), name desc: Eve(null), Bob(null), Fay(18), Cid(18), Ann(31), Dee(45)
        expect((await qs.first())?.name).toBe('Eve');
        expect((await qs.last())?.name).toBe('Dee');
        expect(namesOf(await qs)).toEqual(['Eve', 'Bob', 'Fay', 'Cid', 'Ann', 'Dee']);
      });

      it('count() honours filters, limit and offset; exists() too', async () => {
        expect(await Person.count()).toBe(6);
        expect(await Person.filter({ active: true }).count()).toBe(4);
        expect(await Person.all().limit(4).count()).toBe(4);
        expect(await Person.all().offset(4).count()).toBe(2);
        expect(await Person.all().offset(5).limit(10).count()).toBe(1);
        expect(await Person.all().offset(10).count()).toBe(0);
        expect(await Person.all().limit(0).count()).toBe(0);
        expect(await Person.exists()).toBe(true);
        expect(await Person.filter({ name: 'Zed' }).exists()).toBe(false);
        expect(await Person.all().offset(6).exists()).toBe(false);
        expect(await Person.all().offset(5).exists()).toBe(true);
      });
    });

    describe('ordering', () => {
      it("'-' sorts descending; several terms; 'pk' and '-pk'", async () => {
        expect(namesOf(await Person.all().orderBy('-name'))).toEqual(['Fay', 'Eve', 'Dee', 'Cid', 'Bob', 'Ann']);
        expect(namesOf(await Person.all().orderBy('-active', 'score'))).toEqual(['Dee', 'Fay', 'Ann', 'Cid', 'Bob', 'Eve']);
        expect(namesOf(await Person.all().orderBy('-pk'))).toEqual(['Fay', 'Eve', 'Dee', 'Cid', 'Bob', 'Ann']);
        expect(namesOf(await Person.all().orderBy('pk'))).toEqual(['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay']);
      });

      it('NULLs sort first ascending and last descending, on every dialect', async () => {
        expect(namesOf(await Person.all().orderBy('age', 'name'))).toEqual(['Bob', 'Eve', 'Cid', 'Fay', 'Ann', 'Dee']);
        expect(namesOf(await Person.all().orderBy('-age', 'name'))).toEqual(['Dee', 'Ann', 'Cid', 'Fay', 'Bob', 'Eve']);
        expect(namesOf(await Person.all().orderBy('seen', 'name'))).toEqual(['Bob', 'Fay', 'Eve', 'Cid', 'Ann', 'Dee']);
        expect(namesOf(await Person.all().orderBy('-seen', 'name'))).toEqual(['Dee', 'Ann', 'Cid', 'Eve', 'Bob', 'Fay']);
      });

      it('decimals sort numerically (SQLite stores them as text)', async () => {
        expect(namesOf(await Person.all().orderBy('score', 'name'))).toEqual(['Dee', 'Fay', 'Bob', 'Eve', 'Ann', 'Cid']);
        expect(namesOf(await Person.all().orderBy('-score', 'name'))).toEqual(['Cid', 'Ann', 'Bob', 'Eve', 'Fay', 'Dee']);
      });

      it('a later orderBy() replaces the earlier one', async () => {
        expect(namesOf(await Person.all().orderBy('-name').orderBy('name'))).toEqual(['Ann', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay']);
      });

      it('the model default ordering applies until orderBy() overrides it; first/last follow it', async () => {
        for (const [label, rank] of [['b', 1], ['a', 1], ['c', 3], ['d', 2]] as const) await Ranked.create({ label, rank });
        expect((await Ranked.all()).map((r) => r.label)).toEqual(['c', 'd', 'a', 'b']);
        expect((await Ranked.first())?.label).toBe('c');
        expect((await Ranked.last())?.label).toBe('b');
        expect((await Ranked.all().orderBy('label')).map((r) => r.label)).toEqual(['a', 'b', 'c', 'd']);
      });

      it('unknown or malformed names are FieldErrors with a did-you-mean', () => {
        const e = thrown(() => Person.all().orderBy('-agee' as never));
        expect(e).toBeInstanceOf(FieldError);
        expect(e.message).toContain("'agee'");
        expect(e.message).toContain("did you mean 'age'?");
        expect(thrown(() => Person.all().orderBy('' as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Person.all().orderBy('--age' as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Person.all().orderBy('age desc' as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Person.all().orderBy('qs_people.age' as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Person.all().orderBy(3 as never))).toBeInstanceOf(FieldError);
      });
    });

    describe('limit and offset', () => {
      it('slice the ordered rows; offset works without limit', async () => {
        const qs = Person.all().orderBy('name');
        expect(namesOf(await qs.limit(2))).toEqual(['Ann', 'Bob']);
        expect(namesOf(await qs.limit(2).offset(2))).toEqual(['Cid', 'Dee']);
        expect(namesOf(await qs.offset(4))).toEqual(['Eve', 'Fay']);
        expect(namesOf(await qs.offset(6))).toEqual([]);
        expect(namesOf(await qs.limit(0))).toEqual([]);
        expect(namesOf(await qs.offset(1).limit(1))).toEqual(['Bob']);
      });

      it('refuse negative and non-integer values', () => {
        for (const bad of [-1, 1.5, Number.NaN, '2']) {
          expect(thrown(() => Person.all().limit(bad as number))).toBeInstanceOf(FieldError);
          expect(thrown(() => Person.all().offset(bad as number))).toBeInstanceOf(FieldError);
        }
      });
    });

    describe('values, valuesList, distinct', () => {
      it('values() returns plain objects of the named fields, converted', async () => {
        const rows = await Person.filter({ name__in: ['Ann', 'Bob'] }).orderBy('name').values('name', 'age', 'score', 'active');
        expect(rows).toEqual([
          { name: 'Ann', age: 31, score: '10.50', active: true },
          { name: 'Bob', age: null, score: '9.25', active: false },
        ]);
        expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
      });

      it('values() without names returns every concrete field', async () => {
        const [row] = await Person.filter({ name: 'Dee' }).values();
        expect(row).toEqual({ id: people[3].id, name: 'Dee', age: 45, score: '-3.00', seen: new Date('2024-05-05T05:05:05.005Z'), active: true });
      });

      it("values('pk') keys the result by the name given", async () => {
        const rows = await Person.filter({ name: 'Ann' }).values('pk' as never, 'name');
        expect(rows).toEqual([{ pk: people[0].id, name: 'Ann' }]);
      });

      it('valuesList() returns arrays; flat returns the values', async () => {
        expect(await Person.filter({ age: 18 }).orderBy('name').valuesList('name', 'age')).toEqual([
          ['Cid', 18],
          ['Fay', 18],
        ]);
        expect(await Person.all().orderBy('-name').valuesList('name', { flat: true })).toEqual(['Fay', 'Eve', 'Dee', 'Cid', 'Bob', 'Ann']);
        expect(await Person.filter({ name: 'Ann' }).valuesList('seen', { flat: true })).toEqual([new Date('2024-01-01T10:00:00.000Z')]);
      });

      it('valuesList({ flat: true }) with more than one field (or none) is a FieldError', () => {
        const e = thrown(() => Person.all().valuesList('name', 'age', { flat: true } as never));
        expect(e).toBeInstanceOf(FieldError);
        expect(e.message).toContain('takes exactly one field, got 2');
        expect(thrown(() => Person.all().valuesList({ flat: true } as never))).toBeInstanceOf(FieldError);
      });

      it('unknown names in values() are FieldErrors', () => {
        const e = thrown(() => Person.all().values('nmae' as never));
        expect(e).toBeInstanceOf(FieldError);
        expect(e.message).toContain("did you mean 'name'?");
        expect(thrown(() => Person.all().values('name__icontains' as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Person.all().valuesList('seen__year' as never))).toBeInstanceOf(FieldError);
      });

      it('distinct() removes duplicate rows of the selected values; count() counts them', async () => {
        const ages = await Person.all().orderBy('age').values('age').distinct();
        expect(ages).toEqual([{ age: null }, { age: 18 }, { age: 31 }, { age: 45 }]);
        expect(await Person.all().valuesList('age', { flat: true }).distinct().count()).toBe(4);
        expect(await Person.all().valuesList('score', { flat: true }).distinct().count()).toBe(5);
        expect(await Person.all().distinct().count()).toBe(6);
        expect((await Person.all().valuesList('active', { flat: true }).distinct()).sort()).toEqual([false, true]);
      });
    });

    describe('update and delete', () => {
      it('update() changes the matching rows and resolves to how many', async () => {
        expect(await Person.filter({ age: 18 }).update({ active: false, score: '1.5' })).toBe(2);
        expect(await Person.filter({ active: false }).orderBy('name').valuesList('name', 'score')).toEqual([
          ['Bob', '9.25'],
          ['Cid', '1.50'],
          ['Eve', '9.25'],
          ['Fay', '1.50'],
        ]);
        expect(await Person.filter({ name: 'Zed' }).update({ age: 1 })).toBe(0);
        expect(await Person.update({ age: F('age').add(1) })).toBe(6);
        expect(await Person.all().orderBy('name').valuesList('age', { flat: true })).toEqual([32, null, 19, 46, null, 19]);
      });

      it('update() validates values before any SQL and refuses unknown fields', async () => {
        const e = await rejection(Person.all().update({ name: 'x'.repeat(51) }));
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).errors).toEqual({ name: ['must have at most 50 characters (has 51)'] });
        expect(await rejection(Person.all().update({ name: null as never }))).toBeInstanceOf(ValidationError);
        expect(await rejection(Person.all().update({ age: 'old' as never }))).toBeInstanceOf(ValidationError);
        const unknown = await rejection(Person.all().update({ nmae: 'x' } as never));
        expect(unknown).toBeInstanceOf(FieldError);
        expect(unknown.message).toContain("did you mean 'name'?");
        expect(await rejection(Person.all().update({}))).toBeInstanceOf(FieldError);
        expect(await Person.filter({ name: 'x'.repeat(51) }).count()).toBe(0);
      });

      it('update() and delete() refuse a sliced QuerySet', async () => {
        const e = await rejection(Person.all().limit(1).update({ age: 1 }));
        expect(e).toBeInstanceOf(OxenError);
        expect(e.message).toContain('Cannot update a QuerySet after limit()/offset()');
        expect((await rejection(Person.all().offset(1).delete())).message).toContain('Cannot delete');
        expect(await Person.count()).toBe(6);
      });

      it('delete() removes the matching rows and resolves to how many', async () => {
        expect(await Person.filter({ age__isnull: true }).delete()).toBe(2);
        expect(await Person.filter({ name: 'Zed' }).delete()).toBe(0);
        expect(namesOf(await Person.all().orderBy('name'))).toEqual(['Ann', 'Cid', 'Dee', 'Fay']);
        expect(await Person.all().delete()).toBe(4);
        expect(await Person.count()).toBe(0);
      });
    });

    describe('paginate and inBulk', () => {
      it('paginate() returns one page with totals; unordered pages follow the primary key', async () => {
        expect(await Person.all().paginate({ page: 1, pageSize: 4 }).then((p) => ({ ...p, items: namesOf(p.items) }))).toEqual({
          items: ['Ann', 'Bob', 'Cid', 'Dee'],
          total: 6,
          page: 1,
          pages: 2,
          pageSize: 4,
        });
        const second = await Person.all().orderBy('-name').paginate({ page: 2, pageSize: 4 });
        expect(namesOf(second.items)).toEqual(['Bob', 'Ann']);
        const beyond = await Person.all().paginate({ page: 5, pageSize: 4 });
        expect([beyond.items.length, beyond.total, beyond.pages]).toEqual([0, 6, 2]);
        const empty = await Person.filter({ name: 'Zed' }).paginate({ page: 1, pageSize: 10 });
        expect(empty).toEqual({ items: [], total: 0, page: 1, pages: 1, pageSize: 10 });
        const filtered = await Person.filter({ active: true }).paginate({ page: 2, pageSize: 3 });
        expect([namesOf(filtered.items), filtered.total, filtered.pages]).toEqual([['Fay'], 4, 2]);
      });

      it('paginate() refuses bad page numbers and sliced QuerySets', async () => {
        for (const bad of [{ page: 0, pageSize: 1 }, { page: 1, pageSize: 0 }, { page: 1.5, pageSize: 2 }]) {
          expect(await rejection(Person.all().paginate(bad))).toBeInstanceOf(FieldError);
        }
        expect(await rejection(Person.all().limit(2).paginate({ page: 1, pageSize: 1 }))).toBeInstanceOf(OxenError);
      });

      it('inBulk() maps primary keys to instances and leaves out missing keys', async () => {
        const ids = [people[0].id, people[2].id, 999_999];
        const map = await Person.inBulk(ids);
        expect([...map.keys()].sort((a, b) => Number(a) - Number(b))).toEqual([people[0].id, people[2].id]);
        expect(map.get(people[2].id)?.name).toBe('Cid');
        expect(map.get(people[2].id)).toBeInstanceOf(Person);
        expect((await Person.inBulk([])).size).toBe(0);
        expect((await Person.filter({ active: false }).inBulk(ids)).size).toBe(0);
        expect(await rejection(Person.inBulk('1' as never))).toBeInstanceOf(FieldError);
      });

      it('inBulk() of more keys than a statement may bind is batched', async () => {
        const ids = Array.from({ length: 70_000 }, (_, i) => i + 1);
        const map = await Person.inBulk(ids);
        expect(map.size).toBe(6);
        expect(map.get(people[5].id)?.name).toBe('Fay');
      });
    });

    describe('iterator', () => {
      it('streams every row in order in chunks', async () => {
        const names: string[] = [];
        for await (const p of Person.all().orderBy('-name').iterator({ chunkSize: 4 })) names.push(p.name);
        expect(names).toEqual(['Fay', 'Eve', 'Dee', 'Cid', 'Bob', 'Ann']);
        const one: string[] = [];
        for await (const p of Person.filter({ age: 18 }).orderBy('name').iterator({ chunkSize: 1 })) one.push(p.name);
        expect(one).toEqual(['Cid', 'Fay']);
      });

      it('streams values() rows too', async () => {
        const out: unknown[] = [];
        for await (const v of Person.filter({ age__gte: 31 }).orderBy('age').valuesList('name', { flat: true }).iterator({ chunkSize: 1 })) out.push(v);
        expect(out).toEqual(['Ann', 'Dee']);
      });

      it('breaking out early releases the connection (a pool of one keeps working)', async () => {
        // SQLite has one connection anyway (and a second :memory: alias would be another database).
        const alias = ctx.dialect === 'sqlite' ? 'default' : 'tiny';
        if (alias === 'tiny') await connect(ctx.url, { alias, pool: { max: 1, acquireTimeoutMs: 5000 } });
        try {
          for (let round = 0; round < 3; round++) {
            for await (const p of Person.all().using(alias).orderBy('name').iterator({ chunkSize: 2 })) {
              expect(p.name).toBe('Ann');
              break;
            }
          }
          expect(await Person.all().using(alias).count()).toBe(6);
          expect(await Person.using(alias).filter({ name: 'Bob' }).update({ age: 7 })).toBe(1);
        } finally {
          if (alias === 'tiny') await disconnect(alias);
        }
      });

      it('refuses a chunk size that is not a positive integer', async () => {
        for (const chunkSize of [0, -1, 1.5]) {
          const e = await rejection((async () => {
            for await (const _ of Person.all().iterator({ chunkSize })) void _;
          })());
          expect(e).toBeInstanceOf(FieldError);
        }
      });
    });

    describe('compile, explain, using, selectForUpdate', () => {
      it('compile() is synchronous, binds values and sends nothing', () => {
        const before = ctx.connection().metrics().queries;
        const c = Person.filter({ name: "O'Brien", age__gte: 3 }).orderBy('-age').limit(2).compile();
        expect(ctx.connection().metrics().queries).toBe(before);
        expect(c.sql).not.toContain("O'Brien");
        expect(c.parameters).toContain("O'Brien");
        expect(c.parameters).toContain(3);
        expect(c.sql.startsWith('select ')).toBe(true);
      });

      it('explain() returns the plan as text naming the table', async () => {
        const plan = await Person.filter({ age__gte: 3 }).explain();
        expect(typeof plan).toBe('string');
        expect(plan).toContain('qs_people');
      });

      it('using() runs on another alias (and nothing on the default one)', async () => {
        await connect(ctx.url, { alias: 'other' });
        try {
          if (ctx.dialect === 'sqlite') await syncSchema({ models: [Person], using: 'other' });
          const other = getConnection('other');
          const defaultBefore = ctx.connection().metrics().queries;
          const otherBefore = other.metrics().queries;
          const count = await Person.all().using('other').count();
          // A second :memory: database is empty; servers share the tables.
          expect(count).toBe(ctx.dialect === 'sqlite' ? 0 : 6);
          expect(other.metrics().queries).toBe(otherBefore + 1);
          expect(ctx.connection().metrics().queries).toBe(defaultBefore);
          const created = await Person.using('other').filter({ name: 'Ann' }).exists();
          expect(created).toBe(ctx.dialect !== 'sqlite');
        } finally {
          await disconnect('other');
        }
        expect(thrown(() => Person.all().using(''))).toBeInstanceOf(FieldError);
        const e = await rejection(Person.all().using('nope').count());
        expect(e).toBeInstanceOf(OxenError);
        expect(e.message).toContain('nope');
      });

      it('selectForUpdate() adds FOR UPDATE where the dialect has it and reads inside a transaction', async () => {
        const sqlText = Person.filter({ name: 'Ann' }).selectForUpdate().compile().sql;
        expect(sqlText.endsWith(' for update')).toBe(ctx.dialect !== 'sqlite');
        const names = await transaction(async () => namesOf(await Person.filter({ age: 18 }).orderBy('name').selectForUpdate()));
        expect(names).toEqual(['Cid', 'Fay']);
        expect(Person.all().selectForUpdate({ skipLocked: true }).compile().sql.endsWith(ctx.dialect === 'sqlite' ? 'qs_people"' : ' for update skip locked')).toBe(true);
        expect(thrown(() => Person.all().selectForUpdate({ nowait: true, skipLocked: true }))).toBeInstanceOf(FieldError);
      });
    });

    describe('raw()', () => {
      it('takes ? placeholders on every dialect and hydrates instances', async () => {
        const rows = await Person.raw('SELECT * FROM qs_people WHERE age > ? AND name <> ? ORDER BY name', [20, 'Dee']);
        expect(namesOf(rows)).toEqual(['Ann']);
        expect(rows[0]).toBeInstanceOf(Person);
        expect(rows[0].isSaved).toBe(true);
        expect(rows[0].score).toBe('10.50');
        expect(rows[0].active).toBe(true);
        expect(rows[0].seen).toEqual(new Date('2024-01-01T10:00:00.000Z'));
      });

      it("leaves a '?' inside a string literal alone and binds hostile values", async () => {
        await Person.create({ name: '?' });
        const rows = await Person.raw("SELECT * FROM qs_people WHERE name = '?' OR name = ? ORDER BY name", ["x' OR '1'='1"]);
        expect(namesOf(rows)).toEqual(['?']);
        const none = await Person.raw('SELECT * FROM qs_people WHERE name = ?', ["'; DELETE FROM qs_people; --"]);
        expect(none).toEqual([]);
        expect(await Person.count()).toBe(7);
      });

      it('refuses a non-string statement or non-array parameters', async () => {
        expect(await rejection(Person.raw('' as string))).toBeInstanceOf(FieldError);
        expect(await rejection(Person.raw('SELECT * FROM qs_people WHERE id = ?', 1 as never))).toBeInstanceOf(FieldError);
      });
    });
  },
  { models: [Person, Ranked] },
);

describe('QuerySet without a connection', () => {
  it('builds and refuses names synchronously, before any connection exists', async () => {
    await closeAll();
    const qs = Person.filter({ name: 'a' }).orderBy('-age').limit(3);
    expect(qs).toBeInstanceOf(QuerySet);
    expect(thrown(() => Person.filter({ nam: 'a' } as never))).toBeInstanceOf(FieldError);
  });
});
