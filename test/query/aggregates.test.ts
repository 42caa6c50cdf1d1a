/**
 * Aggregates on every dialect: aggregate() and annotate() with Count/Sum/Avg/Min/Max (and `distinct`),
 * result types that are the same everywhere (Count a number; Sum/Avg of integers and floats numbers, of
 * decimals exact decimal strings — Sum with the field's places, Avg with four more; Min/Max the field's
 * own type; null over no rows except Count = 0), HAVING through filter() on an annotation, ordering by
 * an annotation, and GROUP BY through values(...).annotate(...).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  Avg,
  BigIntField,
  CharField,
  Count,
  DateTimeField,
  DecimalField,
  FieldError,
  FloatField,
  IntField,
  Max,
  Min,
  Model,
  Q,
  Sum,
  model,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'ag_sales' })
class Sale extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) region!: string;
  @CharField({ maxLength: 20 }) product!: string;
  @IntField({ null: true }) qty!: number | null;
  @DecimalField({ maxDigits: 10, decimalPlaces: 2, null: true }) price!: string | null;
  @FloatField({ null: true }) weight!: number | null;
  @BigIntField({ null: true }) big!: bigint | null;
  @DateTimeField() at!: Date;
}

const SALES = [
  { region: 'north', product: 'apple', qty: 3, price: '0.10', weight: 1.5, big: 9007199254740993n, at: new Date('2024-01-01T00:00:00.000Z') },
  { region: 'north', product: 'pear', qty: 2, price: '0.20', weight: 2.25, big: 2n, at: new Date('2024-02-01T00:00:00.000Z') },
  { region: 'north', product: 'apple', qty: null, price: '0.40', weight: null, big: null, at: new Date('2024-03-01T00:00:00.000Z') },
  { region: 'south', product: 'apple', qty: 5, price: '99999999.99', weight: 0.5, big: 2n, at: new Date('2023-12-31T23:59:59.999Z') },
  { region: 'south', product: 'fig', qty: 5, price: '99999999.99', weight: 4, big: null, at: new Date('2024-06-01T12:00:00.000Z') },
  { region: 'east', product: 'fig', qty: 1, price: null, weight: null, big: null, at: new Date('2024-07-01T00:00:00.000Z') },
];

/**
 * Annotation names are not part of the model's static type yet (QuerySet.annotate() keeps M), so
 * filters and orderings on them are cast here; the runtime checks them against the annotations.
 */
const on = (spec: Record<string, unknown>): never => spec as never;
const by = (term: string): never => term as never;

forEachDialect(
  'aggregates',
  () => {
    beforeEach(async () => {
      for (const s of SALES) await Sale.create(s);
    });

    describe('aggregate()', () => {
      it('Count, Sum, Avg, Min, Max of integers are numbers', async () => {
        const r = await Sale.aggregate({ rows: Count(), ids: Count('id'), withQty: Count('qty'), sum: Sum('qty'), avg: Avg('qty'), min: Min('qty'), max: Max('qty') });
        expect(r).toEqual({ rows: 6, ids: 6, withQty: 5, sum: 16, avg: 3.2, min: 1, max: 5 });
        expect(typeof r.rows).toBe('number');
        expect(typeof r.sum).toBe('number');
        expect(typeof r.avg).toBe('number');
      });

      it('distinct counts and sums distinct values only', async () => {
        const r = await Sale.aggregate({ regions: Count('region', { distinct: true }), products: Count('product', { distinct: true }), qtys: Sum('qty', { distinct: true }), avgQty: Avg('qty', { distinct: true }) });
        expect(r).toEqual({ regions: 3, products: 3, qtys: 11, avgQty: 2.75 });
      });

      it('decimals: exact decimal strings, Sum with the field places, Avg with four more', async () => {
        const r = await Sale.aggregate({ sum: Sum('price'), avg: Avg('price'), min: Min('price'), max: Max('price') });
        expect(r).toEqual({ sum: '200000000.68', avg: '40000000.136000', min: '0.10', max: '99999999.99' });
        const small = await Sale.filter({ price__lt: '1' }).aggregate({ sum: Sum('price'), avg: Avg('price') });
        expect(small).toEqual({ sum: '0.70', avg: '0.233333' });
        const roundsUp = await Sale.filter({ price__in: ['0.20', '0.40'] }).aggregate({ avg: Avg('price'), distinct: Sum('price', { distinct: true }) });
        expect(roundsUp).toEqual({ avg: '0.300000', distinct: '0.60' });
        const dup = await Sale.filter({ region: 'south' }).aggregate({ sum: Sum('price'), distinct: Sum('price', { distinct: true }), avg: Avg('price') });
        expect(dup).toEqual({ sum: '199999999.98', distinct: '99999999.99', avg: '99999999.990000' });
      });

      it('Avg of decimals rounds half away from zero at the last place, identically everywhere', async () => {
        await Sale.all().delete();
        for (const price of ['0.01', '0.01', '0.02']) await Sale.create({ region: 'r', product: 'p', price, at: new Date(0) });
        expect(await Sale.aggregate({ avg: Avg('price') })).toEqual({ avg: '0.013333' });
        await Sale.all().delete();
        for (const price of ['0.02', '0.02', '0.01']) await Sale.create({ region: 'r', product: 'p', price, at: new Date(0) });
        expect(await Sale.aggregate({ avg: Avg('price') })).toEqual({ avg: '0.016667' });
        await Sale.all().delete();
        for (const price of ['-0.02', '-0.02', '-0.01']) await Sale.create({ region: 'r', product: 'p', price, at: new Date(0) });
        expect(await Sale.aggregate({ avg: Avg('price'), sum: Sum('price') })).toEqual({ avg: '-0.016667', sum: '-0.05' });
      });

      it('floats are numbers; bigints sum to a bigint; Min/Max keep the field type', async () => {
        const r = await Sale.aggregate({ sum: Sum('weight'), avg: Avg('weight'), bigSum: Sum('big'), bigMax: Max('big'), first: Min('at'), last: Max('at'), minRegion: Min('region'), maxProduct: Max('product') });
        expect(r).toEqual({
          sum: 8.25,
          avg: 2.0625,
          bigSum: 9007199254740997n,
          bigMax: 9007199254740993n,
          first: new Date('2023-12-31T23:59:59.999Z'),
          last: new Date('2024-07-01T00:00:00.000Z'),
          minRegion: 'east',
          maxProduct: 'pear',
        });
      });

      it('over no rows: Count is 0, the others null', async () => {
        const r = await Sale.filter({ region: 'west' }).aggregate({ n: Count(), q: Count('qty'), sum: Sum('qty'), avg: Avg('price'), min: Min('at'), max: Max('price'), d: Sum('price') });
        expect(r).toEqual({ n: 0, q: 0, sum: null, avg: null, min: null, max: null, d: null });
        const nulls = await Sale.filter({ region: 'east' }).aggregate({ n: Count('price'), sum: Sum('price'), avg: Avg('price') });
        expect(nulls).toEqual({ n: 0, sum: null, avg: null });
      });

      it('works on any QuerySet: filtered, Q, excluded, sliced, distinct', async () => {
        expect(await Sale.filter({ region: 'north' }).aggregate({ n: Count(), q: Sum('qty') })).toEqual({ n: 3, q: 5 });
        expect(await Sale.filter(Q({ region: 'east' }).or({ product: 'pear' })).aggregate({ n: Count() })).toEqual({ n: 2 });
        expect(await Sale.exclude({ qty: 5 }).aggregate({ n: Count(), q: Sum('qty') })).toEqual({ n: 4, q: 6 });
        expect(await Sale.all().orderBy('-qty', 'id').limit(3).aggregate({ n: Count(), q: Sum('qty'), p: Sum('price') })).toEqual({ n: 3, q: 13, p: '200000000.08' });
        expect(await Sale.all().orderBy('id').offset(4).aggregate({ n: Count(), q: Max('qty') })).toEqual({ n: 2, q: 5 });
      });

      it('refuses bad specs with FieldError', async () => {
        await expect(Sale.aggregate({ s: Sum('region') })).rejects.toThrow(FieldError);
        await expect(Sale.aggregate({ a: Avg('at') })).rejects.toThrow(FieldError);
        await expect(Sale.aggregate({ n: Count('nope') })).rejects.toThrow("Unknown field 'nope'");
        expect(await Sale.aggregate({})).toEqual({}); // nothing asked, nothing sent (Django)
        await expect(Sale.aggregate({ n: 'count(*)' } as never)).rejects.toThrow(FieldError);
        await expect(Sale.aggregate({ 'n; drop table ag_sales': Count() })).rejects.toThrow('is not a usable alias');
        await expect(Sale.aggregate({ 'a"b': Count() })).rejects.toThrow(FieldError);
        await expect(Sale.aggregate({ a__b: Count() })).rejects.toThrow(FieldError);
        await expect(Sale.aggregate({ n: Count('at__year') })).rejects.toThrow(FieldError);
        expect(() => Sum('*')).toThrow(FieldError);
        expect(() => Count('')).toThrow(FieldError);
        await expect(Sale.all().annotate({ n: Count() }).aggregate({ m: Count() })).rejects.toThrow(FieldError);
        expect(await Sale.count()).toBe(6);
      });
    });

    describe('annotate()', () => {
      it('values(...).annotate(...) groups by the values fields', async () => {
        const rows = await Sale.all().values('region').annotate({ n: Count(), units: Sum('qty'), avg: Avg('price'), last: Max('at') }).orderBy('region');
        expect(rows).toEqual([
          { region: 'east', n: 1, units: 1, avg: null, last: new Date('2024-07-01T00:00:00.000Z') },
          { region: 'north', n: 3, units: 5, avg: '0.233333', last: new Date('2024-03-01T00:00:00.000Z') },
          { region: 'south', n: 2, units: 10, avg: '99999999.990000', last: new Date('2024-06-01T12:00:00.000Z') },
        ]);
      });

      it('groups by several fields', async () => {
        const rows = await Sale.all().values('region', 'product').annotate({ n: Count('id') }).orderBy('region', 'product');
        expect(rows).toEqual([
          { region: 'east', product: 'fig', n: 1 },
          { region: 'north', product: 'apple', n: 2 },
          { region: 'north', product: 'pear', n: 1 },
          { region: 'south', product: 'apple', n: 1 },
          { region: 'south', product: 'fig', n: 1 },
        ]);
      });

      it('filter() on an annotation is HAVING; filter() on a field stays WHERE', async () => {
        const qs = Sale.filter({ qty__isnull: false }).values('region').annotate({ n: Count(), units: Sum('qty') });
        expect(await qs.filter(on({ n__gte: 2 })).orderBy('region')).toEqual([
          { region: 'north', n: 2, units: 5 },
          { region: 'south', n: 2, units: 10 },
        ]);
        expect(await qs.filter(on({ units__gt: 5 }))).toEqual([{ region: 'south', n: 2, units: 10 }]);
        expect(await qs.filter(Q({ units__lt: 2 }).or({ units__gt: 5 })).orderBy('region')).toEqual([
          { region: 'east', n: 1, units: 1 },
          { region: 'south', n: 2, units: 10 },
        ]);
        expect(await qs.exclude(on({ n: 2 }))).toEqual([{ region: 'east', n: 1, units: 1 }]);
        expect(await qs.filter(on({ n__gte: 2 })).count()).toBe(2);
        expect(await qs.filter(on({ n__gte: 3 })).exists()).toBe(false);
      });

      it('orders by an annotation, ascending and descending', async () => {
        const qs = Sale.all().values('product').annotate({ units: Sum('qty') });
        expect(await qs.orderBy(by('-units'), 'product')).toEqual([
          { product: 'apple', units: 8 },
          { product: 'fig', units: 6 },
          { product: 'pear', units: 2 },
        ]);
        expect(await qs.orderBy(by('units'))).toEqual([
          { product: 'pear', units: 2 },
          { product: 'fig', units: 6 },
          { product: 'apple', units: 8 },
        ]);
        expect(await qs.orderBy(by('-units')).limit(1)).toEqual([{ product: 'apple', units: 8 }]);
      });

      it('decimal annotations order and filter numerically (SQLite keeps decimals as text)', async () => {
        // Sum of price per product: apple 100000000.49, fig 99999999.99, pear 0.20 — text order would differ.
        const qs = Sale.all().values('product').annotate({ total: Sum('price') });
        expect((await qs.orderBy(by('-total'))).map((r) => r.product)).toEqual(['apple', 'fig', 'pear']);
        expect((await qs.orderBy(by('total'))).map((r) => r.product)).toEqual(['pear', 'fig', 'apple']);
        expect((await qs.filter(on({ total__gt: '1000' })).orderBy('product')).map((r) => r.product)).toEqual(['apple', 'fig']);
        expect((await qs.filter(on({ total__lt: '100000000' })).orderBy('product')).map((r) => r.product)).toEqual(['fig', 'pear']);
        expect(await qs.filter(on({ total: '0.2' }))).toEqual([{ product: 'pear', total: '0.20' }]);
      });

      it('NULL annotations sort first ascending and last descending', async () => {
        const qs = Sale.all().values('region').annotate({ p: Max('price') });
        expect((await qs.orderBy(by('p'))).map((r) => r.region)).toEqual(['east', 'north', 'south']);
        expect((await qs.orderBy(by('-p'))).map((r) => r.region)).toEqual(['south', 'north', 'east']);
      });

      it('valuesList(...).annotate(...) appends the annotations to each list', async () => {
        const rows = await Sale.all().valuesList('region').annotate({ n: Count() }).orderBy('region');
        expect(rows).toEqual([
          ['east', 1],
          ['north', 3],
          ['south', 2],
        ]);
      });

      it('annotate() without values() annotates each instance (grouped by primary key)', async () => {
        const rows = await Sale.all().annotate({ n: Count(), q: Sum('qty') }).orderBy('id');
        expect(rows).toHaveLength(6);
        expect(rows[0]).toBeInstanceOf(Sale);
        expect(rows.map((r) => [r.product, (r as unknown as { n: number }).n, (r as unknown as { q: number | null }).q])).toEqual([
          ['apple', 1, 3],
          ['pear', 1, 2],
          ['apple', 1, null],
          ['apple', 1, 5],
          ['fig', 1, 5],
          ['fig', 1, 1],
        ]);
      });

      it('values() after annotate() keeps grouping by primary key, and holds the annotations it names', async () => {
        const rows = await Sale.filter({ region: 'north' }).annotate({ n: Count() }).values('product', 'n').orderBy('product');
        // An annotation values() does not name is left out, as in Django.
        expect(await Sale.filter({ region: 'north' }).annotate({ n: Count() }).values('product').orderBy('product')).toEqual([{ product: 'apple' }, { product: 'apple' }, { product: 'pear' }]);
        expect(rows).toEqual([
          { product: 'apple', n: 1 },
          { product: 'apple', n: 1 },
          { product: 'pear', n: 1 },
        ]);
      });

      it('refuses clashing and malformed aliases with FieldError', () => {
        // Both are compile-time errors too (an alias that is already a field or annotation).
        expect(() => Sale.all().annotate({ qty: Count() } as never)).toThrow('clashes with a field');
        expect(() => Sale.all().annotate({ n: Count() }).annotate({ n: Sum('qty') } as never)).toThrow('clashes');
        expect(() => Sale.all().annotate({ 'x) from ag_sales; --': Count() })).toThrow('is not a usable alias');
        expect(() => Sale.all().annotate({ n: Count() }).orderBy('-m' as never)).toThrow(FieldError);
        expect(() => Sale.all().annotate({ n: Count() }).filter({ n__icontans: 1 } as never)).toThrow("Unknown lookup 'icontans' on annotation 'n'");
      });
    });
  },
  { models: [Sale] },
);
