/**
 * Type-level tests of issue 11 (checked by `tsc --noEmit -p tsconfig.json`, never run): programs that
 * are right and used to be rejected, and wrong programs that used to be accepted. Every
 * `@ts-expect-error` line must be an error, and every other line must compile.
 */
import { expectTypeOf } from 'vitest';
import {
  BigIntField,
  CharField,
  Count,
  F,
  DateField,
  DateTimeField,
  ForeignKey,
  IntField,
  ManyToMany,
  Model,
  Q,
  Sum,
  model,
  type RelatedManager,
} from '../../src/index.js';

@model({ table: 'tyc_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
}

@model({ table: 'tyc_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @BigIntField({ default: 0n }) followers!: bigint;
  @DateField({ null: true }) birthday!: string | null;
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;

  /** A getter is not a field. */
  get display(): string {
    return `${this.name} (${String(this.followers)})`;
  }

  /** Nor is a method. */
  greet(): string {
    return `hello ${this.name}`;
  }
}

@model({ table: 'tyc_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @IntField({ default: 0 }) pages!: number;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Publisher) sellers!: RelatedManager<Publisher>;
}

export async function rejectedThoughCorrect(bob: Author): Promise<void> {
  Author.filter({ name__in: new Set(['Ann', 'Bob']) });
  Author.filter({ name__not_in: new Map([['a', 1]]).keys() });
  Book.filter({ author__in: new Set([bob, 2]) });
  Author.filter({ followers__gte: 10 });
  Author.filter({ followers__gte: 10n, followers__in: [1, 2n], followers: 3 });
  Author.filter({ birthday__year: 2000, birthday__month__gte: 6 });
  Author.filter({ createdAt__date: new Date(), createdAt__date__gte: '2024-01-01' });
  expectTypeOf(await Book.all().values('author', 'title')).toEqualTypeOf<{ author: number; title: string }[]>();
  expectTypeOf(await Author.all().valuesList('publisher', { flat: true })).toEqualTypeOf<(number | null)[]>();
  await Book.all().update({ author: 1 });
  await Book.all().update({ author: bob, pages: 3 });
  await Author.all().update({ publisher: null });
  Author.filter({ followers__regex: '^1' });
}

export async function acceptedThoughWrong(b: Book): Promise<void> {
  // @ts-expect-error a getter is not a field: filter
  Author.filter({ display: 'x' });
  // @ts-expect-error a getter is not a field: orderBy
  Author.orderBy('display');
  // @ts-expect-error a method is not a field: orderBy
  Author.orderBy('-greet');
  // @ts-expect-error a getter is not a field: values
  Author.all().values('display');
  // @ts-expect-error a getter is not a field: create
  await Author.create({ name: 'x', display: 'y' });
  // @ts-expect-error a getter is not a field: update
  await Author.all().update({ display: 'y' });
  // @ts-expect-error a method in bulkUpdate's field list
  await Book.bulkUpdate([b], ['save']);
  // @ts-expect-error a to-many relation in bulkUpdate's field list
  await Book.bulkUpdate([b], ['sellers']);
  await Book.bulkUpdate([b], ['title', 'author', 'authorId']);

  // Annotations are typed per aggregate: a Count is a number.
  const counted = Author.annotate({ n: Count('books') });
  expectTypeOf((await counted.values('name', 'n'))[0]).toEqualTypeOf<{ name: string; n: number }>();
  expectTypeOf(await counted.valuesList('n', { flat: true })).toEqualTypeOf<number[]>();
  counted.filter({ n__gte: 2 }).orderBy('-n');
  // @ts-expect-error a text lookup on a Count
  counted.filter({ n__icontains: '1' });
  // @ts-expect-error an alias that clashes with a field
  Author.annotate({ name: Count('books') });
  // @ts-expect-error the same, after another annotation
  counted.annotate({ n: Sum('books__pages') });

  // values() with no names: every concrete field, a ForeignKey as its key, no relation paths.
  expectTypeOf((await Book.all().values())[0]).toEqualTypeOf<{ id: number; title: string; pages: number; author: number; authorId: number }>();

  // selectRelated takes to-one relations; prefetchRelated any relation.
  Book.all().selectRelated('author', 'author__publisher');
  Author.all().prefetchRelated('books', 'books__sellers', { path: 'books', queryset: Book.filter({ pages__gte: 1 }) });
  // @ts-expect-error an unknown relation in selectRelated
  Book.all().selectRelated('nope');
  // @ts-expect-error a to-many relation in selectRelated
  Author.all().selectRelated('books');
  // @ts-expect-error a misspelt relation in prefetchRelated
  Author.all().prefetchRelated('bookz');

  // Two hops are typed.
  Book.filter({ author__publisher__name__startswith: 'O', author__publisher: null });
  // @ts-expect-error a number for a text field two relations away
  Book.filter({ author__publisher__name__gte: 5 });
}

export function typedQ(): void {
  // Q<Model>() types its filter object; a Q without a type argument is checked at run time (typing it
  // from the filter() it is given to tripled the type checker's work on a large model, see
  // docs/performance.md).
  const young = Q<Author>({ followers__lt: 100 });
  Author.filter(young.or({ name: 'Ann' }), Q.not<Author>({ name__startswith: 'B' }));
  Author.filter(Q({ name__startswith: 'A' }));
  // @ts-expect-error unknown field in a Q<Author>
  Q<Author>({ nope: 1 });
  // @ts-expect-error wrong value type in a Q.not<Author>()
  Q.not<Author>({ name__startswith: 3 });
}

export async function typedF(): Promise<void> {
  // F() as a field's value in a filter, or as an update value, is typed from the model.
  Book.filter({ pages: F('authorId'), title: F('title') });
  await Book.all().update({ pages: F('pages') });
  // @ts-expect-error unknown field in F() as a filter value
  Book.filter({ pages: F('pagez') });
  // After a lookup (`pages__gt: F(...)`) the name is checked at run time only: typing it there costs
  // the type checker several times more on large models (docs/performance.md).
  Book.filter({ pages__gt: F('authorId'), author__name__startswith: F('title') });
  // @ts-expect-error unknown field in F() as an update value
  await Book.all().update({ pages: F('nope') });
  // @ts-expect-error a getter is not a field in F() either
  Author.filter({ name: F('display') });
  // F<Model>() names the model; arithmetic on an F is checked at run time.
  F<Book>('author__name');
  // @ts-expect-error unknown field in F<Book>()
  F<Book>('author__nmae');
  await Book.all().update({ pages: F('pages').add(1) });
}
