/**
 * The QuerySet tour: lookups, Q and F, ordering with NULLs, values, paging and streaming, aggregates
 * and grouping, bulk writes, upserts and getOrCreate. Every step prints what it got and checks it.
 *
 *   npx tsx examples/queries.ts                                   # SQLite in memory
 *   npx tsx examples/queries.ts postgres://root@127.0.0.1:5432/test
 *
 * In your own project import from 'oxen-orm' instead of '../src/index.js'.
 */
import 'reflect-metadata';
import { deepStrictEqual } from 'node:assert/strict';
import {
  Avg,
  BooleanField,
  CharField,
  Count,
  DateTimeField,
  DecimalField,
  F,
  FieldError,
  IntField,
  JSONField,
  Max,
  Model,
  Q,
  Sum,
  closeAll,
  connect,
  dropSchema,
  model,
  syncSchema,
  type JsonValue,
} from '../src/index.js';

@model({ table: 'ex_products' })
class Product extends Model {
  declare id: number;
  @CharField({ maxLength: 40, unique: true }) sku!: string;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 20 }) category!: string;
  @DecimalField({ maxDigits: 10, decimalPlaces: 2 }) price!: string;
  @IntField({ null: true }) stock!: number | null;
  @BooleanField({ default: true }) active!: boolean;
  @DateTimeField() addedAt!: Date;
  @JSONField({ null: true }) attrs!: JsonValue | null;
}

@model({ table: 'ex_counters' })
class Counter extends Model {
  declare id: number;
  @CharField({ maxLength: 40, unique: true }) key!: string;
  @IntField({ default: 0 }) hits!: number;
}

/** Prints a step and checks its result. */
function step(label: string, got: unknown, expected: unknown): void {
  deepStrictEqual(got, expected);
  console.log(`  ${label.padEnd(58)} ${JSON.stringify(got, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))}`);
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? 'sqlite://:memory:';
  await connect(url);
  await dropSchema({ models: [Product, Counter] }).catch(() => undefined);
  await syncSchema({ models: [Product, Counter] });

  console.log('bulkCreate: every row validated first, then batched INSERTs; keys are set');
  const created = await Product.bulkCreate([
    { sku: 'A-1', name: 'Apple', category: 'fruit', price: '0.50', stock: 120, addedAt: new Date('2024-01-01T00:30:00Z'), attrs: { color: 'red', tags: ['fresh'] } },
    { sku: 'B-1', name: 'banana', category: 'fruit', price: '0.25', stock: null, addedAt: new Date('2023-12-31T23:59:59Z'), attrs: { color: 'yellow' } },
    { sku: 'C-1', name: 'Cheddar 50%', category: 'dairy', price: '7.90', stock: 8, addedAt: new Date('2024-02-29T12:00:00Z'), attrs: { aged: { months: 12 } } },
    { sku: 'D-1', name: 'Dill_seed', category: 'spice', price: '3.10', stock: 0, active: false, addedAt: new Date('2024-06-01T08:00:00Z'), attrs: null },
    { sku: 'E-1', name: 'Éclair', category: 'bakery', price: '2.40', stock: 15, addedAt: new Date('2024-06-03T09:00:00Z'), attrs: { tags: ['fresh', 'sweet'] } },
  ]);
  step('ids', created.map((p) => p.id), [1, 2, 3, 4, 5]);

  console.log('\nLookups (docs/lookups.md)');
  const names = async (qs: PromiseLike<Product[]>): Promise<string[]> => (await qs).map((p) => p.name);
  step("name__icontains: 'A' (case-insensitive)", await names(Product.filter({ name__icontains: 'A' }).orderBy('id')), ['Apple', 'banana', 'Cheddar 50%', 'Éclair']);
  step("name__contains: 'A' (case-sensitive)", await names(Product.filter({ name__contains: 'A' })), ['Apple']);
  step("name__istartswith: 'é' (Unicode folding)", await names(Product.filter({ name__istartswith: 'é' })), ['Éclair']);
  step("name__contains: '%' and '_' match themselves", await names(Product.filter(Q({ name__contains: '%' }).or({ name__contains: '_' })).orderBy('id')), ['Cheddar 50%', 'Dill_seed']);
  step('price__gt: 3 (decimals compare as numbers)', await names(Product.filter({ price__gt: '3' }).orderBy('-price')), ['Cheddar 50%', 'Dill_seed']);
  step('stock__in / stock__isnull', [await Product.filter({ stock__in: [0, 8] }).count(), await Product.filter({ stock__isnull: true }).count()], [2, 1]);
  step('stock__ne: 0 keeps the NULL stock', await names(Product.filter({ stock__ne: 0 }).orderBy('id')), ['Apple', 'banana', 'Cheddar 50%', 'Éclair']);
  step('addedAt__year: 2024 (UTC)', await names(Product.filter({ addedAt__year: 2024 }).orderBy('id')), ['Apple', 'Cheddar 50%', 'Dill_seed', 'Éclair']);
  step('addedAt__week_day: 1 (Sunday)', await names(Product.filter({ addedAt__week_day: 1 })), ['banana']);
  step("addedAt__date: '2024-02-29'", await names(Product.filter({ addedAt__date: '2024-02-29' })), ['Cheddar 50%']);
  step("attrs__color: 'red' / attrs__aged__months__gte: 6", [await names(Product.filter({ attrs__color: 'red' })), await names(Product.filter({ attrs__aged__months__gte: 6 }))], [['Apple'], ['Cheddar 50%']]);
  step("attrs__tags__1: 'sweet' (array index)", await names(Product.filter({ attrs__tags__1: 'sweet' })), ['Éclair']);
  step("attrs__has_key / attrs__contains", [await Product.filter({ attrs__has_key: 'tags' }).count(), await names(Product.filter({ attrs__contains: { tags: ['sweet'] } }))], [2, ['Éclair']]);
  try {
    Product.filter({ nmae: 'x' } as never);
  } catch (error) {
    step('an unknown field is a FieldError at once', (error as FieldError).message.split(';')[1]?.trim().split('?')[0], "did you mean 'name'");
  }

  console.log('\nQ, F and exclude');
  const cheapFruitOrStocked = Q({ category: 'fruit', price__lt: '1' }).or(Q.not({ stock__lt: 10 }));
  step('Q(...).or(Q.not(...))', await names(Product.filter(cheapFruitOrStocked).orderBy('id')), ['Apple', 'banana', 'Éclair']);
  step('exclude({ active: false })', await Product.exclude({ active: false }).count(), 4);
  step("stock__gt: F('id').mul(10) (column to column)", await names(Product.filter({ stock__gt: F('id').mul(10) })), ['Apple']);
  step("update({ stock: F('stock').sub(1) }) → rows", await Product.filter({ stock__gt: 0 }).update({ stock: F('stock').sub(1) }), 3);
  const counter = await Counter.create({ key: 'visits' });
  await Promise.all(Array.from({ length: 50 }, () => Counter.filter({ id: counter.id }).update({ hits: F('hits').add(1) })));
  step('50 concurrent F increments', (await Counter.get({ id: counter.id })).hits, 50);

  console.log('\nOrdering, slicing, values');
  step("orderBy('stock'): NULLs first", await Product.all().orderBy('stock', 'id').valuesList('stock', { flat: true }), [null, 0, 7, 14, 119]);
  step("orderBy('-stock'): NULLs last", await Product.all().orderBy('-stock', 'id').valuesList('stock', { flat: true }), [119, 14, 7, 0, null]);
  step('offset(3) without limit; count() honours it', [await names(Product.all().orderBy('id').offset(3)), await Product.all().offset(3).count()], [['Dill_seed', 'Éclair'], 2]);
  step('first() / last() (primary key when unordered)', [(await Product.first())?.sku, (await Product.last())?.sku], ['A-1', 'E-1']);
  step("values('sku', 'price')", await Product.filter({ category: 'fruit' }).orderBy('sku').values('sku', 'price'), [{ sku: 'A-1', price: '0.50' }, { sku: 'B-1', price: '0.25' }]);
  step("valuesList('category', { flat: true }).distinct()", (await Product.all().valuesList('category', { flat: true }).distinct()).sort(), ['bakery', 'dairy', 'fruit', 'spice']);
  const page = await Product.all().orderBy('sku').paginate({ page: 2, pageSize: 2 });
  step('paginate({ page: 2, pageSize: 2 })', { items: page.items.map((p) => p.sku), total: page.total, pages: page.pages }, { items: ['C-1', 'D-1'], total: 5, pages: 3 });
  step('inBulk([1, 3, 99])', [...(await Product.inBulk([1, 3, 99])).keys()].sort(), [1, 3]);
  const streamed: string[] = [];
  for await (const p of Product.all().orderBy('sku').iterator({ chunkSize: 2 })) streamed.push(p.sku);
  step('iterator({ chunkSize: 2 })', streamed, ['A-1', 'B-1', 'C-1', 'D-1', 'E-1']);
  const compiled = Product.filter({ name__icontains: "O'Brien" }).compile();
  step('compile(): the value is a parameter, never SQL text', [compiled.sql.includes("O'Brien"), compiled.parameters.includes("O'Brien")], [false, true]);
  step('raw() with ? placeholders, hydrated', (await Product.raw('SELECT * FROM ex_products WHERE price > ? ORDER BY price', ['3'])).map((p) => p.sku), ['D-1', 'C-1']);

  console.log('\nAggregates');
  step('aggregate Count/Sum/Avg/Max', await Product.aggregate({ n: Count(), total: Sum('price'), avg: Avg('price'), maxStock: Max('stock') }), { n: 5, total: '14.15', avg: '2.830000', maxStock: 119 });
  step('over no rows', await Product.filter({ category: 'none' }).aggregate({ n: Count(), total: Sum('price') }), { n: 0, total: null });
  const byCategory = await Product.all().values('category').annotate({ n: Count(), units: Sum('stock') }).orderBy('category');
  step("values('category').annotate(...)", byCategory, [
    { category: 'bakery', n: 1, units: 14 },
    { category: 'dairy', n: 1, units: 7 },
    { category: 'fruit', n: 2, units: 119 },
    { category: 'spice', n: 1, units: 0 },
  ]);
  // Annotation names are not in the model's static type: filter on them through Q(...).
  const busy = await Product.all().values('category').annotate({ n: Count() }).filter(Q({ n__gte: 2 }));
  step('HAVING through filter() on the annotation', busy, [{ category: 'fruit', n: 2 }]);

  console.log('\nUpserts and getOrCreate');
  await Product.bulkCreate(
    [
      { sku: 'A-1', name: 'Apple (new crop)', category: 'fruit', price: '0.55', addedAt: new Date('2024-09-01T00:00:00Z') },
      { sku: 'F-1', name: 'Fig', category: 'fruit', price: '1.20', addedAt: new Date('2024-09-01T00:00:00Z') },
    ],
    { updateConflicts: { fields: ['name', 'price'], uniqueFields: ['sku'] } },
  );
  step('updateConflicts: A-1 updated, F-1 inserted', await Product.filter({ sku__in: ['A-1', 'F-1'] }).orderBy('sku').valuesList('name', 'price'), [['Apple (new crop)', '0.55'], ['Fig', '1.20']]);
  await Product.bulkCreate([{ sku: 'F-1', name: 'ignored', category: 'x', price: '0', addedAt: new Date() }], { ignoreConflicts: true });
  step('ignoreConflicts: F-1 untouched', (await Product.get({ sku: 'F-1' })).name, 'Fig');
  const [fig, createdFig] = await Product.getOrCreate({ sku: 'F-1' }, { name: 'x', category: 'x', price: '9', addedAt: new Date() });
  const [grape, createdGrape] = await Product.getOrCreate({ sku: 'G-1' }, { name: 'Grape', category: 'fruit', price: '2', addedAt: new Date() });
  step('getOrCreate: existing / new', [fig.name, createdFig, grape.price, createdGrape], ['Fig', false, '2.00', true]);
  const [updated, createdAgain] = await Product.updateOrCreate({ sku: 'G-1' }, { price: '2.50' });
  step('updateOrCreate: updates the match', [updated.id, updated.price, createdAgain], [grape.id, '2.50', false]);
  const all = await Product.all().orderBy('id');
  all.forEach((p) => (p.active = true));
  step('bulkUpdate(instances, [active])', await Product.bulkUpdate(all, ['active'], { batchSize: 3 }), 7);

  await dropSchema({ models: [Product, Counter] });
  await closeAll();
  console.log('\nAll steps checked.');
}

main().catch(async (error: unknown) => {
  console.error(error);
  await closeAll();
  process.exitCode = 1;
});
