/**
 * Type-level tests of relation keys (checked by `tsc --noEmit -p tsconfig.json`, never run): filter,
 * exclude, get, orderBy and values accept keys one relation away (`author__name__icontains`, reverse
 * `books__title__startswith`, many-to-many `tags__name__in`) with the related field's value type;
 * a misspelt related field or lookup, or a wrong value type, is a compile-time error. To-many accessors
 * (`RelatedManager`) are not fields: not in create/update, not comparable as values.
 * Every `@ts-expect-error` line must be an error, and every other line must compile.
 */
import { expectTypeOf } from 'vitest';
import { CharField, F, ForeignKey, IntField, ManyToMany, Model, Q, model, type FilterOf, type RelatedManager } from '../../src/index.js';

@model({ table: 'tyr_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare authors: RelatedManager<Author>;
}

@model({ table: 'tyr_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @IntField({ default: 0 }) age!: number;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
}

@model({ table: 'tyr_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @IntField({ default: 0 }) pages!: number;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
}

@model({ table: 'tyr_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

export function forwardKeys(a: Author): void {
  Book.filter({ author__name__icontains: 'x' });
  Book.filter({ author__name: 'Ann', author__age__gte: 18, author__age__in: [1, 2] });
  Book.filter({ author: a, authorId: 1, author__id: 1, author__pk: 1 });
  Book.filter({ author: 1, author__in: [a, 2], author__isnull: false, author__pk__in: [1, 2] });
  Book.filter({ author__publisher__name: 'Orbit', author__publisher__name__startswith: 'O' }); // two hops: typed
  Book.filter({ author__publisher__isnull: true });
  Book.filter({ author__age__gt: F('pages') });
  Book.exclude({ author__name__startswith: 'A' });
  void Book.get({ author__name: 'Ann' });
  Book.filter(Q({ author__name: 'x' }).or({ title: 'y' }));
  const f: FilterOf<Book> = { author__name__iexact: 'ann' };
  void f;

  // @ts-expect-error misspelt field one relation away
  Book.filter({ author__nme: 'x' });
  // @ts-expect-error misspelt lookup one relation away
  Book.filter({ author__name__icontans: 'x' });
  // @ts-expect-error a text lookup on a number one relation away
  Book.filter({ author__age__icontains: 'x' });
  // @ts-expect-error a string for a number one relation away
  Book.filter({ author__age__gte: 'x' });
  // @ts-expect-error a number for a string one relation away
  Book.filter({ author__name: 3 });
  // @ts-expect-error misspelt relation
  Book.filter({ auther__name: 'x' });
  // @ts-expect-error a relation lookup takes instances or keys
  Book.filter({ author__in: ['x'] });
  // @ts-expect-error a number for a text field two relations away
  Book.filter({ author__publisher__name__gte: 5 });
  // @ts-expect-error misspelt field two relations away
  Book.filter({ author__publisher__nmae: 'x' });
  // @ts-expect-error misspelt field one relation away, in exclude()
  Book.exclude({ author__nme: 'x' });
  // @ts-expect-error misspelt field one relation away, in a FilterOf
  const g: FilterOf<Book> = { author__nme: 'x' };
  void g;
}

export function reverseAndManyToManyKeys(b: Book): void {
  Author.filter({ books__title__startswith: 'A' });
  Author.filter({ books__pages__gte: 100, books__isnull: false });
  Book.filter({ tags__name__in: ['sf', 'classic'] });
  Tag.filter({ books__title: 'Alpha', books__author__name: 'Ann' });
  Author.filter({ books: b });
  Publisher.filter({ authors__name: 'Ann' });

  // @ts-expect-error misspelt field across a reverse relation
  Author.filter({ books__titel: 'x' });
  // @ts-expect-error misspelt lookup across a many-to-many relation
  Book.filter({ tags__name__inn: ['x'] });
  // @ts-expect-error a list of numbers for a text field
  Book.filter({ tags__name__in: [1] });
}

export async function managersAreNotFields(a: Author): Promise<void> {
  expectTypeOf(a.books).toEqualTypeOf<RelatedManager<Book>>();
  expectTypeOf(await a.books.all()).toEqualTypeOf<Book[]>();
  await Book.create({ title: 'x', author: a });
  await Book.create({ title: 'x', authorId: a.id });
  // @ts-expect-error a to-many accessor cannot be given to create()
  await Book.create({ title: 'x', tags: [] });
  // @ts-expect-error nor to update()
  await Author.all().update({ books: [] });
  // @ts-expect-error a wrong model for a ForeignKey
  await Book.create({ title: 'x', author: new Tag() });
}

export async function orderingAndValues(): Promise<void> {
  Book.orderBy('author__name', '-author__age', 'title');
  Author.all().orderBy('-publisher__name');
  // @ts-expect-error misspelt field one relation away in orderBy()
  Book.orderBy('author__nme');
  const rows = await Book.all().values('title', 'author__name');
  expectTypeOf(rows).toEqualTypeOf<{ title: string; author__name: string }[]>();
  // @ts-expect-error misspelt field one relation away in values()
  Book.all().values('author__nme');
  // A nullable or to-many relation may be missing: its fields can be null (LEFT JOIN).
  const pubs = await Author.all().values('name', 'publisher__name');
  expectTypeOf(pubs).toEqualTypeOf<{ name: string; publisher__name: string | null }[]>();
  const titles = await Author.all().valuesList('books__title', { flat: true });
  expectTypeOf(titles).toEqualTypeOf<(string | null)[]>();
}
