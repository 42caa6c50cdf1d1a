import type { Aggregate, AnnotationValue, FExpression, FilterSpec, QExpression } from '../filter/index.js';

/** Instance members every model has that are not fields (`pk` is typed separately). */
export type ModelMembers = 'pk' | 'isSaved';

/** `A` when `X` and `Y` are the same type, else `B` (tells `readonly` properties apart). */
export type IfEquals<X, Y, A, B> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B;

/** Keys of `M` that are readonly: getters without a setter (`get full() { ... }`), never fields. */
export type ReadonlyKeys<M> = { [K in keyof M]-?: IfEquals<{ [Q in K]: M[K] }, { -readonly [Q in K]: M[K] }, never, K> }[keyof M];

/** String keys of `M` that are not methods, `pk` or `isSaved` (the cheap test, done first). */
export type PropertyNames<M> = {
  [K in keyof M]-?: K extends string ? (M[K] extends (...args: never[]) => unknown ? never : K extends ModelMembers ? never : K) : never;
}[keyof M];

/**
 * Property names of `M` that hold field values (not methods, not getters without a setter, not `pk`,
 * not `isSaved`). The readonly test runs only on the properties left by the cheap one.
 */
export type FieldNames<M> = Exclude<PropertyNames<M>, ReadonlyKeys<Pick<M, PropertyNames<M>>>>;

/** The primary key's type: the declared `id`'s when the model declares one, else unknown. */
export type PkOf<M> = 'id' extends FieldNames<M> ? NonNullable<M['id' & keyof M]> : unknown;

export type ComparableLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range' | 'isnull';
export type TextLookups = ComparableLookups | 'iexact' | 'contains' | 'icontains' | 'startswith' | 'istartswith' | 'endswith' | 'iendswith' | 'regex' | 'iregex';
export type IntegerLookups = 'exact' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'not_in' | 'range';
export type DateTimeTransforms = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second';
/**
 * Transforms of string-typed fields: a DateField (`'YYYY-MM-DD'`) takes year/month/day/week_day, a
 * TimeField hour/minute/second. TypeScript cannot tell those strings from a CharField's, so these keys
 * are accepted on every string field and checked when the filter is built.
 */
export type StringTransforms = 'year' | 'month' | 'day' | 'week_day' | 'hour' | 'minute' | 'second';
/** The value a comparison takes: a BigIntField's also accepts a number. */
export type Comparable<T> = T extends bigint ? bigint | number : T;
/** A list for `in`/`not_in`: an array, a Set or any other iterable (not a string). */
export type ListOf<T> = readonly T[] | (Iterable<T> & object);

/** The lookups (and transform chains) a value type accepts. */
export type LookupsOf<T> = [T] extends [string]
  ? TextLookups | StringTransforms | `${StringTransforms}__${IntegerLookups}`
  : [T] extends [number | bigint]
    ? ComparableLookups | 'regex' | 'iregex'
    : [T] extends [Date]
      ? ComparableLookups | DateTimeTransforms | `${DateTimeTransforms}__${IntegerLookups}` | 'date' | `date__${IntegerLookups}`
      : [T] extends [boolean]
        ? 'exact' | 'ne' | 'in' | 'not_in' | 'isnull'
        : [T] extends [Buffer]
          ? 'exact' | 'ne' | 'isnull' | 'in' | 'not_in'
          : string;

export type IntegerLookupValue<L> = L extends 'in' | 'not_in' ? ListOf<number> : L extends 'range' ? readonly [number, number] : number;
/** A `date` transform's value: `'YYYY-MM-DD'` or a Date (its UTC date). */
export type DateValue = string | Date;

/** The value a `field__lookup` key takes. */
export type LookupValue<T, L extends string> = L extends `${DateTimeTransforms}__${infer I}`
  ? IntegerLookupValue<I>
  : L extends DateTimeTransforms
    ? number
    : L extends `date__${infer I}`
      ? I extends 'in' | 'not_in' ? ListOf<DateValue> : I extends 'range' ? readonly [DateValue, DateValue] : DateValue
      : L extends 'date'
        ? DateValue
        : L extends 'in' | 'not_in'
          ? ListOf<Comparable<T>>
          : L extends 'range'
            ? readonly [Comparable<T> | FExpression, Comparable<T> | FExpression]
            : L extends 'isnull'
              ? boolean
              : L extends 'regex' | 'iregex'
                ? string
                : L extends 'exact' | 'ne' | 'iexact'
                  ? Comparable<T> | FExpression | null
                  : [LookupsOf<T>] extends [string]
                    ? string extends LookupsOf<T>
                      ? unknown
                      : Comparable<T> | FExpression
                    : Comparable<T> | FExpression;

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

/** Depth countdown for relation keys: two hops are typed, deeper paths are accepted untyped. */
export type Hops = [never, 0, 1];

/**
 * Keys inside a related model: its own fields and lookups, and (while `D` > 0) keys of its relations,
 * typed the same way (`author__publisher__name__gte`); beyond that depth, accepted untyped.
 */
export type RelatedKey<T, D extends number = 1> =
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
  | ([D] extends [0] ? `${RelationNames<T>}__${string}` : { [R in RelationNames<T>]: `${R}__${RelatedKey<Target<T, R>, Hops[D]>}` }[RelationNames<T>]);

export type RelatedKeyValue<T, P> = P extends 'exact' | 'ne'
  ? RelatedRef<T> | null
  : P extends 'in' | 'not_in'
    ? ListOf<RelatedRef<T>>
    : P extends 'isnull'
      ? boolean
      : P extends 'pk'
        ? PkOf<T> | FExpression
        : P extends `pk__${infer L}`
          ? LookupValue<PkOf<T>, L>
          : P extends ScalarFieldNames<T>
            ? Comparable<T[P]> | FExpression | null
            : P extends `${infer F}__${infer L}`
              ? F extends ScalarFieldNames<T>
                ? LookupValue<NonNullable<T[F]>, L>
                : F extends RelationNames<T>
                  ? RelatedKeyValue<Target<T, F>, L>
                  : unknown
              : P extends RelationNames<T>
                ? RelatedRef<Target<T, P>> | null
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
export type FilterOf<M> = { [K in ScalarFieldNames<M>]?: Comparable<M[K]> | FExpression<M> | null } & { [K in RelationNames<M>]?: RelatedRef<Target<M, K>> | null } & {
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

/** The value `values()` returns for a name (a ForeignKey's name: the key it holds, not the instance). */
export type ValueOf<M, K> = K extends 'pk'
  ? PkOf<M>
  : K extends ForwardRelationNames<M>
    ? PkOf<NonNullable<M[K]>> | (null extends M[K] ? null : never)
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

/** What `values()` with no names returns per row: every concrete field (a ForeignKey as its key). */
export type DefaultValueKey<M> = ScalarFieldNames<M> | ForwardRelationNames<M>;

/** A `selectRelated` path: a to-one relation, optionally followed by further hops (`author__publisher`, checked at run time). */
export type SelectRelatedPath<M> = ForwardRelationNames<M> | `${ForwardRelationNames<M>}__${string}`;

/** A `prefetchRelated` path: any relation, optionally followed by further hops (`books__tags`, checked at run time). */
export type PrefetchPath<M> = RelationNames<M> | `${RelationNames<M>}__${string}`;

/** A `values(...)` row. */
export type ValuesRow<M, K extends string> = { [P in K]: ValueOf<M, P> };

/** What `create()`/`build()` accept: any subset of the fields (to-many relations are set after saving). */
export type CreateInput<M> = { [K in Exclude<FieldNames<M>, ManyRelationNames<M>>]?: M[K] };

/**
 * What `QuerySet.update()` accepts: fields with values or F expressions (not to-many relations); a
 * ForeignKey as the related instance or its key (`author: bob`, `author: 1`), or its column (`authorId`).
 */
export type UpdateInput<M> = { [K in ScalarFieldNames<M>]?: M[K] | FExpression<M> } & {
  [K in ForwardRelationNames<M>]?: RelatedRef<NonNullable<M[K]>> | (null extends M[K] ? null : never);
};

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

export type { AnnotationValue };

/** The properties `annotate({ ... })` adds to each row, all of type `V`. */
export type Annotated<K extends string, V = AnnotationValue> = { [P in K]: V };

/** The JS type an aggregate yields: `Count` a number; the others {@link AnnotationValue}. */
export type AggregateValue<A> = A extends Aggregate<infer T> ? T : AnnotationValue;

/** The properties `annotate(spec)` adds to each row, typed per aggregate (`n: Count()` is a number). */
export type AnnotationsOf<S> = { -readonly [P in keyof S & string]: AggregateValue<S[P]> };

/** Refuses annotation aliases that are already fields of `M` (they would clash at run time too). */
export type NoFieldClash<M, S> = string extends keyof S ? unknown : { [P in keyof S & FieldNames<M>]: never };

/**
 * `Q` as the package root exports it: `Q<Author>({ ... })` types the filter object against the model
 * (`Q<Author>({ agee: 1 })` is an error); `Q({ ... })` without a type argument is checked when the
 * filter is built. (Typing a Q from the `filter()` it is given to would need the Q's model in every
 * filter argument's type, which tripled the checker's work on a 60-field model.)
 */
export interface TypedQ {
  <M = any>(spec?: QSpec<M>): QExpression<M>;
  /** NOT of a Q or a filter object; rows where a negated column is NULL are kept. */
  not<M = any>(spec: QSpec<M>): QExpression<M>;
}

/** What `Q()` takes: the model's filter object when the model is known, any filter object when not. */
export type QSpec<M> = 0 extends 1 & M ? FilterSpec | QExpression : FilterOf<M> | QExpression<M>;

/** A name `F()` takes: a field of the model, `pk`, or a field one relation away (deeper paths are checked at run time). */
export type FPath<M> = 0 extends 1 & M ? string : ScalarFieldNames<M> | 'pk' | RelatedFieldPath<M>;

/**
 * `F` as the package root exports it: where TypeScript sees the model (`{ field: F(...) }` in a filter,
 * an update value, or `F<Author>('age')`), the name must be one of its fields; elsewhere (after a
 * lookup, `age__gt: F(...)`, or as the receiver of arithmetic) any name, checked when the query is built.
 */
export type TypedF = <M = any>(path: NoInfer<FPath<M>>) => FExpression<M>;
