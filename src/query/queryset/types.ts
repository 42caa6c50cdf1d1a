import type { FExpression } from '../filter/index.js';

/** Instance members every model has that are not fields (`pk` is typed separately). */
type ModelMembers = 'pk' | 'isSaved';

/** Property names of `M` that hold field values (not methods, not `pk`, not `isSaved`). */
export type FieldNames<M> = {
  [K in keyof M]-?: K extends string ? (M[K] extends (...args: never[]) => unknown ? never : K extends ModelMembers ? never : K) : never;
}[keyof M];

/** The primary key's type: the declared `id`'s when the model declares one, else unknown. */
export type PkOf<M> = 'id' extends FieldNames<M> ? NonNullable<M['id' & keyof M]> : unknown;

type ComparableLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range' | 'isnull';
type TextLookups = ComparableLookups | 'iexact' | 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'regex' | 'iregex';
type IntegerLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range';
type DateTimeTransforms = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second';

/** The lookups (and transform chains) a value type accepts. */
export type LookupsOf<T> = [T] extends [string]
  ? TextLookups
  : [T] extends [number | bigint]
    ? ComparableLookups
    : [T] extends [Date]
      ? ComparableLookups | DateTimeTransforms | `${DateTimeTransforms}__${IntegerLookups}` | 'date' | `date__${IntegerLookups}`
      : [T] extends [boolean]
        ? 'exact' | 'ne' | 'in' | 'not_in' | 'isnull'
        : [T] extends [Buffer]
          ? 'exact' | 'ne' | 'isnull' | 'in' | 'not_in'
          : string;

type IntegerLookupValue<L> = L extends 'in' | 'not_in' ? readonly number[] : L extends 'range' ? readonly [number, number] : number;

/** The value a `field__lookup` key takes. */
export type LookupValue<T, L extends string> = L extends `${DateTimeTransforms}__${infer I}`
  ? IntegerLookupValue<I>
  : L extends DateTimeTransforms
    ? number
    : L extends `date__${infer I}`
      ? I extends 'in' | 'not_in' ? readonly string[] : I extends 'range' ? readonly [string, string] : string
      : L extends 'date'
        ? string
        : L extends 'in' | 'not_in'
          ? readonly T[]
          : L extends 'range'
            ? readonly [T | FExpression, T | FExpression]
            : L extends 'isnull'
              ? boolean
              : L extends 'regex' | 'iregex'
                ? string
                : L extends 'exact' | 'ne' | 'iexact'
                  ? T | FExpression | null
                  : [LookupsOf<T>] extends [string]
                    ? string extends LookupsOf<T>
                      ? unknown
                      : T | FExpression
                    : T | FExpression;

type LookupKeys<M> = {
  [K in FieldNames<M>]: `${K}__${LookupsOf<NonNullable<M[K]>>}`;
}[FieldNames<M>];

type ValueOfKey<M, P extends string> = P extends `${infer K}__${infer L}` ? (K extends keyof M ? LookupValue<NonNullable<M[K]>, L> : never) : never;

/**
 * The filter object a model accepts: `{ field: value }` and `{ field__lookup: value }`, typed from the
 * model's fields. Unknown fields, unknown lookups and wrong value types are compile-time errors.
 */
export type FilterOf<M> = { [K in FieldNames<M>]?: M[K] | FExpression | null } & { [P in LookupKeys<M>]?: ValueOfKey<M, P> } & PkFilter<M>;

/** `pk` and `pk__lookup` keys (the primary key under its generic name). */
type PkFilter<M> = { pk?: PkOf<M> | FExpression } & { [L in ComparableLookups as `pk__${L}`]?: LookupValue<PkOf<M>, L> };

/** An ordering term: a field name, `-name` for descending, `pk` or `-pk`. */
export type OrderKey<M> = FieldNames<M> | `-${FieldNames<M>}` | 'pk' | '-pk';

/** What `create()`/`build()` accept: any subset of the fields. */
export type CreateInput<M> = { [K in FieldNames<M>]?: M[K] };

/** What `QuerySet.update()` accepts: fields with values or F expressions. */
export type UpdateInput<M> = { [K in FieldNames<M>]?: M[K] | FExpression };

/** `paginate()`'s result. */
export interface Page<R> {
  readonly items: R[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  readonly pageSize: number;
}

/** The model class as a QuerySet needs it. */
export interface ModelClass<M extends object> {
  new (): M;
  readonly name: string;
}
