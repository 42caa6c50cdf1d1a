/**
 * Type-level tests of the typed query API (checked by `tsc --noEmit -p tsconfig.json`, never run):
 * filter/exclude/get keys, lookups and value types; create/build, update, orderBy, values and
 * valuesList. Every `@ts-expect-error` line must be an error, and every other line must compile.
 */
import { expectTypeOf } from 'vitest';
import {
  BooleanField,
  CharField,
  Count,
  DateField,
  DateTimeField,
  DecimalField,
  F,
  IntField,
  JSONField,
  Model,
  Q,
  model,
  type FilterOf,
  type JsonValue,
  type QuerySet,
} from '../../src/index.js';

@model({ table: 'ty_authors' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 100, null: true }) nick!: string | null;
  @IntField({ default: 0 }) age!: number;
  @IntField({ default: 0 }) minAge!: number;
  @BooleanField({ default: true }) isActive!: boolean;
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;
  @DateField({ null: true }) birthday!: string | null;
  @DecimalField({ maxDigits: 8, decimalPlaces: 2, default: '0' }) balance!: string;
  @JSONField({ null: true }) data!: JsonValue | null;
}

export async function filters(): Promise<void> {
  // Fields, lookups and value types that are right.
  Author.filter({ name__icontains: 'a' });
  Author.filter({ age__gte: 18, name__icontains: 'an' });
  Author.filter({ name: 'Ann', age: 3, isActive: true, nick: null });
  Author.filter({ age__in: [1, 2], age__not_in: [3], age__range: [1, 9], age__isnull: false, age__ne: 4 });
  Author.filter({ nick__iexact: 'x', nick__startswith: 'a', nick__iendswith: 'b', nick__regex: '^a', name__iregex: '^A' });
  Author.filter({ createdAt__year__gte: 2020, createdAt__month: 1, createdAt__week_day__in: [1, 7], createdAt__hour__range: [8, 17] });
  Author.filter({ createdAt__date: '2024-01-01', createdAt__date__gte: '2024-01-01', createdAt__gte: new Date() });
  Author.filter({ age__gt: F('minAge'), age__lt: F('minAge').add(10) });
  Author.filter({ balance__gt: '9.50' });
  Author.filter({ data__owner__name: 'x', data__has_key: 'k', data__contains: { a: 1 }, data__items__1__name: 'y' });
  Author.exclude({ isActive: false });
  await Author.get({ id: 3 });
  await Author.getOrNull({ name: 'Ann' });
  Author.filter(Q({ age__lt: 18 }).or({ name__startswith: 'A' }).and(Q.not({ isActive: false })));
  Author.all().filter({ name: 'x' }).exclude({ age__lt: 3 });

  // Unknown fields and lookups.
  // @ts-expect-error unknown field
  Author.filter({ agee: 1 });
  // @ts-expect-error unknown lookup
  Author.filter({ age__icontans: 1 });
  // @ts-expect-error text lookup on a number
  Author.filter({ age__icontains: '1' });
  // @ts-expect-error comparison on a boolean
  Author.filter({ isActive__gt: true });
  // A transform on a CharField is accepted by the types (a DateField is a string too) and refused by
  // the runtime with a FieldError: the one known false negative of the string transforms.
  Author.filter({ name__year: 2020 });
  // @ts-expect-error unknown field in exclude()
  Author.exclude({ nmae: 'x' });
  // @ts-expect-error unknown field in get()
  void Author.get({ emial: 'x' });

  // Wrong value types.
  // @ts-expect-error a string for a number
  Author.filter({ age__gte: 'x' });
  // @ts-expect-error a number for a string
  Author.filter({ name: 3 });
  // @ts-expect-error a list of the wrong type
  Author.filter({ age__in: ['a'] });
  // @ts-expect-error not a list
  Author.filter({ age__in: 1 });
  // @ts-expect-error isnull takes a boolean
  Author.filter({ age__isnull: 'yes' });
  // @ts-expect-error a transform yields an integer
  Author.filter({ createdAt__year: '2020' });
  // @ts-expect-error date compares with a 'YYYY-MM-DD' string
  Author.filter({ createdAt__date: 20240101 });
  // @ts-expect-error a string for a Date
  Author.filter({ createdAt__gte: '2024-01-01' });
  // @ts-expect-error regex takes a pattern string
  Author.filter({ name__regex: /a/ });
  // @ts-expect-error range takes a pair
  Author.filter({ age__range: [1, 2, 3] });
}

export async function writes(): Promise<void> {
  const a = await Author.create({ name: 'Ann', age: 3 });
  expectTypeOf(a).toEqualTypeOf<Author>();
  Author.build({ name: 'Bob', createdAt: new Date() });
  // @ts-expect-error unknown field in create()
  await Author.create({ nmae: 'Ann' });
  // @ts-expect-error wrong type in create()
  await Author.create({ age: 'old' });
  // @ts-expect-error methods are not fields
  await Author.create({ save: 1 });

  expectTypeOf(await Author.filter({ age__lt: 18 }).update({ age: F('age').add(1) })).toEqualTypeOf<number>();
  await Author.filter({ isActive: false }).update({ nick: null, balance: '1.00' });
  // @ts-expect-error unknown field in update()
  await Author.all().update({ agee: 1 });
  // @ts-expect-error wrong type in update()
  await Author.all().update({ age: 'x' });
  // @ts-expect-error null for a non-nullable field
  await Author.all().update({ name: null });

  await Author.bulkCreate([{ name: 'a' }, Author.build({ name: 'b' })], { batchSize: 100, updateConflicts: { fields: ['name'], uniqueFields: ['id'] } });
  const rows = ['a', 'b'].map((name) => ({ name, age: 1 }));
  expectTypeOf(await Author.bulkCreate(rows)).toEqualTypeOf<Author[]>();
  const partial: Partial<Author>[] = [{ name: 'c' }];
  expectTypeOf(await Author.bulkCreate(partial)).toEqualTypeOf<Author[]>();
  // @ts-expect-error unknown field in bulkCreate()
  await Author.bulkCreate([{ nmae: 'x' }]);
  await Author.bulkUpdate([a], ['age', 'name']);
  // @ts-expect-error unknown field in bulkUpdate()
  await Author.bulkUpdate([a], ['agee']);
  const [got, created] = await Author.getOrCreate({ name: 'x' }, { age: 1 });
  expectTypeOf(got).toEqualTypeOf<Author>();
  expectTypeOf(created).toEqualTypeOf<boolean>();
  // @ts-expect-error unknown field in getOrCreate()
  await Author.getOrCreate({ nmae: 'x' });
}

export async function ordering(): Promise<void> {
  Author.all().orderBy('name', '-createdAt', 'pk', '-pk', '-age');
  Author.orderBy('-balance');
  // @ts-expect-error unknown field
  Author.all().orderBy('-agee');
  // @ts-expect-error unknown field
  Author.all().orderBy('agee');
  // @ts-expect-error a method is not a field
  Author.all().orderBy('save');
  // @ts-expect-error not a name
  Author.all().orderBy('name desc');
}

export async function reading(): Promise<void> {
  const all = await Author.all();
  expectTypeOf(all).toEqualTypeOf<Author[]>();
  expectTypeOf(await Author.filter({ name: 'a' }).first()).toEqualTypeOf<Author | null>();
  expectTypeOf(await Author.all().last()).toEqualTypeOf<Author | null>();
  expectTypeOf(await Author.all().count()).toEqualTypeOf<number>();
  expectTypeOf(await Author.all().exists()).toEqualTypeOf<boolean>();
  expectTypeOf(Author.all().limit(3).offset(2).distinct()).toEqualTypeOf<QuerySet<Author>>();

  const values = await Author.filter({ age__gte: 1 }).values('name', 'age');
  expectTypeOf(values).toEqualTypeOf<Pick<Author, 'name' | 'age'>[]>();
  // @ts-expect-error unknown field in values()
  Author.all().values('agee');
  const flat = await Author.all().valuesList('name', { flat: true });
  expectTypeOf(flat).toEqualTypeOf<string[]>();
  const lists = await Author.all().valuesList('name', 'age');
  expectTypeOf(lists).toEqualTypeOf<(string | number)[][]>();
  // @ts-expect-error unknown field in valuesList()
  Author.all().valuesList('agee', { flat: true });

  const page = await Author.all().paginate({ page: 1, pageSize: 10 });
  expectTypeOf(page.items).toEqualTypeOf<Author[]>();
  const map = await Author.inBulk([1, 2]);
  expectTypeOf(map.get(1)).toEqualTypeOf<Author | undefined>();
  for await (const row of Author.all().iterator({ chunkSize: 10 })) expectTypeOf(row).toEqualTypeOf<Author>();
  for await (const row of Author.all()) expectTypeOf(row).toEqualTypeOf<Author>();
  expectTypeOf(Author.all().compile()).toEqualTypeOf<{ sql: string; parameters: readonly unknown[] }>();
  expectTypeOf(await Author.raw('SELECT * FROM ty_authors WHERE age > ?', [3])).toEqualTypeOf<Author[]>();
  const agg = await Author.aggregate({ n: Count('id') });
  expectTypeOf(agg).toHaveProperty('n');
}

export function filterOf(): void {
  const f: FilterOf<Author> = { name__icontains: 'a', age__gte: 1 };
  void f;
  // @ts-expect-error unknown key in a FilterOf
  const g: FilterOf<Author> = { agee: 1 };
  void g;
}

export function primaryKeys(): void {
  Author.filter({ pk: 1 });
  Author.filter({ pk__in: [1, 2], pk__gte: 3, pk__isnull: false });
  // @ts-expect-error the declared id is a number
  Author.filter({ pk: 'x' });
  // @ts-expect-error pk__in takes a list
  Author.filter({ pk__in: 1 });
  // @ts-expect-error isSaved is not a field
  Author.filter({ isSaved: true });
  // @ts-expect-error pk is not a field to update
  void Author.all().update({ pk: 3 });
}
