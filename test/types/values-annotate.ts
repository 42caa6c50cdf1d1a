/**
 * PENDING (rename to values-annotate.ts once QuerySet.values/valuesList/annotate and Model.values/annotate
 * use ValueKey/ValuesRow/ValueOf/Annotated from src/query/queryset/types.ts; see the issue-3 report).
 * Type-level tests of values()/valuesList() names and annotate() aliases, checked by `tsc`, never run.
 */
import { expectTypeOf } from 'vitest';
import { CharField, Count, DecimalField, IntField, Model, Q, Sum, model, type AnnotationValue } from '../../src/index.js';

@model({ table: 'tyv_sales' })
class Sale extends Model {
  declare id: number;
  @CharField({ maxLength: 10 }) region!: string;
  @IntField({ null: true }) qty!: number | null;
  @DecimalField({ maxDigits: 8, decimalPlaces: 2 }) price!: string;
}

export async function values(): Promise<void> {
  expectTypeOf(await Sale.all().values('region', 'qty')).toEqualTypeOf<{ region: string; qty: number | null }[]>();
  expectTypeOf(await Sale.values('pk', 'price')).toEqualTypeOf<{ pk: number; price: string }[]>();
  expectTypeOf(await Sale.all().valuesList('qty', { flat: true })).toEqualTypeOf<(number | null)[]>();
  // @ts-expect-error a method is not a field
  Sale.all().values('save');
  // @ts-expect-error a getter that is not a field
  Sale.all().valuesList('isSaved', { flat: true });
}

export async function annotations(): Promise<void> {
  const grouped = Sale.all().values('region').annotate({ n: Count(), total: Sum('qty') });
  const rows = await grouped.filter({ n__gte: 2 }).exclude({ total__lt: 1 }).orderBy('-total', 'region');
  expectTypeOf(rows[0].region).toEqualTypeOf<string>();
  expectTypeOf(rows[0].n).toEqualTypeOf<number>();
  expectTypeOf(rows[0].total).toEqualTypeOf<AnnotationValue>();
  await grouped.filter(Q({ n__gte: 2 }).or({ total: null }));
  const annotated = await Sale.annotate({ n: Count() }).orderBy('-n').first();
  if (annotated !== null) {
    expectTypeOf(annotated.region).toEqualTypeOf<string>();
    expectTypeOf(annotated.n).toEqualTypeOf<number>();
  }
  // @ts-expect-error not an annotation or a field
  Sale.all().annotate({ n: Count() }).orderBy('-m');
  // @ts-expect-error unknown fields stay errors after annotate()
  Sale.all().annotate({ n: Count() }).filter({ regoin: 'x' });
}
