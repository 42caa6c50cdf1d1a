import type { FExpression } from '../filter/index.js';

/** Instance members every model has that are not fields (`pk` is typed separately). */
export type ModelMembers = 'pk' | 'isSaved';

/** Property names of `M` that hold field values (not methods, not `pk`, not `isSaved`). */
export type FieldNames<M> = {
  [K in keyof M]-?: K extends string ? (M[K] extends (...args: never[]) => unknown ? never : K extends ModelMembers ? never : K) : never;
}[keyof M];

/** The primary key's type: the declared `id`'s when the model declares one, else unknown. */
export type PkOf<M> = 'id' extends FieldNames<M> ? NonNullable<M['id' & keyof M]> : unknown;

export type ComparableLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range' | 'isnull';
export type TextLookups = ComparableLookups | 'iexact' | 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'regex' | 'iregex';
export type IntegerLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range';
export type DateTimeTransforms = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second';

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

export type IntegerLookupValue<L> = L extends 'in' | 'not_in' ? readonly number[] : L extends 'range' ? readonly [number, number] : number;

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

/**
 * Relations, recognised by shape (this layer cannot import the Model layer): a to-one relation holds a
 * model instance (it has `isSaved`, `save()` and `refreshFromDb()`); a to-many relation holds a
 * related manager (`clear()` and an `all()` QuerySet), whose target is what `all().first()` yields.
 */
export type ModelShaped<T> = [T] extends [{ readonly isSaved: boolean; save(...args: never[]): unknown; refreshFromDb(...args: never[]): unknown }] ? true : false;
export type ManagerTarget<T> = [T] extends [{ clear(): Promise<void>; all(): { first(): Promise<infer U | null> } }] ? U : never;

/** Fields holding a related instance (ForeignKey, OneToOne). */
export type ForwardRelationNames<M> = { [K in FieldNames<M>]: ModelShaped<NonNullable<M[K]>> extends true ? K : never }[FieldNames<M>];
/** Fields holding a related manager (reverse ForeignKey, ManyToMany). */
export type ManyRelationNames<M> = { [K in FieldNames<M>]: [ManagerTarget<NonNullable<M[K]>>] extends [never] ? never : K }[FieldNames<M>];
export type RelationNames<M> = ForwardRelationNames<M> | ManyRelationNames<M>;
/** Fields holding plain values (everything that is not a relation). */
export type ScalarFieldNames<M> = Exclude<FieldNames<M>, RelationNames<M>>;
/** The model a relation field leads to. */
export type Target<M, R> = R extends ManyRelationNames<M> ? ManagerTarget<NonNullable<M[R & keyof M]>> : NonNullable<M[R & keyof M]>;
/** A related row as a filter value: an instance or its primary key. */
export type RelatedRef<T> = T | PkOf<T>;

export type ScalarLookupKeys<M> = {
  [K in ScalarFieldNames<M>]: `${K}__${LookupsOf<NonNullable<M[K]>>}`;
}[ScalarFieldNames<M>];

/** Keys inside a related model, one hop deep: its own fields and lookups; its relations untyped. */
export type RelatedKey<T> =
  | 'exact'
  | 'ne'
  | 'in'
  | 'not_in'
  | 'isnull'
  | 'pk'
  | `pk__${ComparableLookups}`
  | ScalarFieldNames<T>
  | ScalarLookupKeys<T>
  | RelationNames<T>
  | `${RelationNames<T>}__${string}`;

export type RelatedKeyValue<T, P> = P extends 'exact' | 'ne'
  ? RelatedRef<T> | null
  : P extends 'in' | 'not_in'
    ? readonly RelatedRef<T>[]
    : P extends 'isnull'
      ? boolean
      : P extends 'pk'
        ? PkOf<T> | FExpression
        : P extends `pk__${infer L}`
          ? LookupValue<PkOf<T>, L>
          : P extends ScalarFieldNames<T>
            ? T[P] | FExpression | null
            : P extends `${infer F}__${infer L}`
              ? F extends ScalarFieldNames<T>
                ? LookupValue<NonNullable<T[F]>, L>
                : unknown
              : unknown;

export type RelationKeys<M> = { [R in RelationNames<M>]: `${R}__${RelatedKey<Target<M, R>>}` }[RelationNames<M>];

export type KeyValue<M, P extends string> = P extends `${infer K}__${infer L}`
  ? K extends RelationNames<M>
    ? RelatedKeyValue<Target<M, K>, L>
    : K extends keyof M
      ? LookupValue<NonNullable<M[K]>, L>
      : never
  : never;

/**
 * The filter object a model accepts, typed from the model's declared properties: `{ field: value }`,
 * `{ field__lookup: value }`, `pk`/`pk__lookup`, and keys one relation away (`author__name__icontains`,
 * `books__title__startswith`, `author: instanceOrPk`, `author__in: [...]`); relations of the related
 * model are accepted untyped. Unknown fields, unknown lookups and wrong value types are compile-time
 * errors.
 */
export type FilterOf<M> = { [K in ScalarFieldNames<M>]?: M[K] | FExpression | null } & { [K in RelationNames<M>]?: RelatedRef<Target<M, K>> | null } & {
  [P in ScalarLookupKeys<M> | RelationKeys<M>]?: KeyValue<M, P>;
} & PkFilter<M>;

/** `pk` and `pk__lookup` keys (the primary key under its generic name). */
export type PkFilter<M> = { pk?: PkOf<M> | FExpression } & { [L in ComparableLookups as `pk__${L}`]?: LookupValue<PkOf<M>, L> };

/** A field one relation away: `author__name`, `books__title`; deeper paths are accepted untyped. */
export type RelatedFieldPath<M> = { [R in RelationNames<M>]: `${R}__${ScalarFieldNames<Target<M, R>> | 'pk' | `${RelationNames<Target<M, R>>}__${string}`}` }[RelationNames<M>];

/** An ordering term: a field (or a field one relation away), `-` for descending, `pk` or `-pk`. */
export type OrderKey<M> = Exclude<FieldNames<M>, ManyRelationNames<M>> | RelatedFieldPath<M> | 'pk' | `-${Exclude<FieldNames<M>, ManyRelationNames<M>> | RelatedFieldPath<M> | 'pk'}`;

/** A name `values()`/`valuesList()` accept: a field, `pk`, or a field one relation away. */
export type ValueKey<M> = Exclude<FieldNames<M>, ManyRelationNames<M>> | 'pk' | RelatedFieldPath<M>;

/** Whether a relation can be missing for a row (nullable to-one, or any to-many): its fields read as NULL. */
export type Missable<M, R> = R extends ManyRelationNames<M> ? true : null extends M[R & keyof M] ? true : undefined extends M[R & keyof M] ? true : false;

/** The value `values()` returns for a name. */
export type ValueOf<M, K> = K extends 'pk'
  ? PkOf<M>
  : K extends keyof M
    ? M[K]
    : K extends `${infer R}__${infer F}`
      ? R extends RelationNames<M>
        ? F extends keyof Target<M, R>
          ? Missable<M, R> extends true
            ? Target<M, R>[F] | null
            : Target<M, R>[F]
          : F extends 'pk'
            ? PkOf<Target<M, R>> | (Missable<M, R> extends true ? null : never)
            : unknown
        : unknown
      : unknown;

/** A `values(...)` row. */
export type ValuesRow<M, K extends string> = { [P in K]: ValueOf<M, P> };

/** What `create()`/`build()` accept: any subset of the fields (to-many relations are set after saving). */
export type CreateInput<M> = { [K in Exclude<FieldNames<M>, ManyRelationNames<M>>]?: M[K] };

/** What `QuerySet.update()` accepts: fields with values or F expressions (not to-many relations). */
export type UpdateInput<M> = { [K in Exclude<FieldNames<M>, ManyRelationNames<M>>]?: M[K] | FExpression };

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

/** What an annotation holds: a number (Count, Sum/Avg of numbers), a decimal string, a bigint, a Date (Min/Max), or null. */
export type AnnotationValue = number | string | bigint | Date | null;

/** The properties `annotate({ ... })` adds to each row (for `QuerySet.annotate()`'s return type). */
export type Annotated<K extends string> = { readonly [P in K]: AnnotationValue };
