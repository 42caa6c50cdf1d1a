/**
 * Lookups across relations on every dialect: forward (`author__name__icontains`), reverse
 * (`books__title`), many-to-many (`tags__name__in`), multi-hop (`book__author__name`), in orderBy,
 * values and aggregates (`Count('books')`, `Sum('books__pages')`, HAVING on them); Django's rule for
 * to-many relations (the conditions of one filter() call hold for the same related row, those of
 * separate calls need not); exclude() across to-many drops rows with any match; no duplicate rows;
 * joins planned once per path; update/delete whose filter crosses relations.
 */
import { describe, expect, it } from 'vitest';
import {
  CharField,
  Count,
  F,
  FieldError,
  ForeignKey,
  IntField,
  ManyToMany,
  Max,
  Model,
  Q,
  Sum,
  getConnection,
  model,
  type RelatedManager,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_l_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @CharField({ maxLength: 5 }) country!: string;
  declare authors: RelatedManager<Author>;
}

@model({ table: 'rel_l_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @IntField() age!: number;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
}

@model({ table: 'rel_l_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @IntField() pages!: number;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
  declare reviews: RelatedManager<Review>;
}

@model({ table: 'rel_l_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

@model({ table: 'rel_l_review' })
class Review extends Model {
  declare id: number;
  @IntField() rating!: number;
  @ForeignKey(() => Book, { relatedName: 'reviews' }) book!: Book;
  declare bookId: number;
}

const MODELS = [Publisher, Author, Book, Tag, Review];

/**
 * Penguin (UK): Ann (40), Dee (25, no books). Orbit (US): Bob (30). No publisher: Cy (50).
 * Books: Alpha (Ann, 100 p., sf + classic), Beta (Ann, 200 p., classic), Gamma (Bob, 300 p., sf),
 * Alpine (Bob, 50 p., no tags), Delta (Cy, 400 p., new). Reviews: Alpha 5 and 3, Gamma 4, Delta 1.
 */
async function seed(): Promise<void> {
  const penguin = await Publisher.create({ name: 'Penguin', country: 'UK' });
  const orbit = await Publisher.create({ name: 'Orbit', country: 'US' });
  const ann = await Author.create({ name: 'Ann', age: 40, publisher: penguin });
  const bob = await Author.create({ name: 'Bob', age: 30, publisher: orbit });
  const cy = await Author.create({ name: 'Cy', age: 50 });
  await Author.create({ name: 'Dee', age: 25, publisher: penguin });
  const [sf, classic, fresh] = [await Tag.create({ name: 'sf' }), await Tag.create({ name: 'classic' }), await Tag.create({ name: 'new' })];
  const alpha = await Book.create({ title: 'Alpha', pages: 100, author: ann });
  const beta = await Book.create({ title: 'Beta', pages: 200, author: ann });
  const gamma = await Book.create({ title: 'Gamma', pages: 300, author: bob });
  await Book.create({ title: 'Alpine', pages: 50, author: bob });
  const delta = await Book.create({ title: 'Delta', pages: 400, author: cy });
  await alpha.tags.add(sf, classic);
  await beta.tags.add(classic);
  await gamma.tags.add(sf);
  await delta.tags.add(fresh);
  await Review.bulkCreate([
    { rating: 5, book: alpha },
    { rating: 3, book: alpha },
    { rating: 4, book: gamma },
    { rating: 1, book: delta },
  ]);
}

const authorNames = async (qs: PromiseLike<Author[]>): Promise<string[]> => (await qs).map((a) => a.name).sort();
const bookTitles = async (qs: PromiseLike<Book[]>): Promise<string[]> => (await qs).map((b) => b.title).sort();

describe('relation lookups without a database', () => {
  it('an unknown name after a relation hop is a FieldError from filter(), with the names of the target', () => {
    expect(() => Book.filter({ author__nme: 'x' } as never)).toThrow(FieldError);
    expect(() => Book.filter({ author__nme: 'x' } as never)).toThrow(/Unknown field 'nme' in 'author__nme' on Author; did you mean 'name'/);
    expect(() => Author.filter({ books__titel: 'x' } as never)).toThrow(/Unknown field 'titel' in 'books__titel' on Book/);
    expect(() => Book.filter({ author__name__icontanis: 'x' } as never)).toThrow(/Unknown lookup 'icontanis'/);
    expect(() => Book.orderBy('author__nme' as never)).toThrow(FieldError);
    expect(() => Book.all().values('author__nme' as never)).toThrow(FieldError);
  });
});

forEachDialect(
  'relation lookups',
  () => {
    describe('filters', () => {
      it('forward: author__name__icontains, two hops author__publisher__name, author__publisher__isnull', async () => {
        await seed();
        expect(await bookTitles(Book.filter({ author__name__icontains: 'AN' }))).toEqual(['Alpha', 'Beta']);
        expect(await bookTitles(Book.filter({ author__publisher__name: 'Orbit' }))).toEqual(['Alpine', 'Gamma']);
        expect(await bookTitles(Book.filter({ author__publisher__country__in: ['UK', 'FR'] }))).toEqual(['Alpha', 'Beta']);
        expect(await bookTitles(Book.filter({ author__publisher__isnull: true }))).toEqual(['Delta']);
        expect(await bookTitles(Book.filter({ author__age__gte: 40, pages__lt: 300 }))).toEqual(['Alpha', 'Beta']);
        expect(await bookTitles(Book.filter(Q({ author__name: 'Cy' }).or({ title__startswith: 'Al' })))).toEqual(['Alpha', 'Alpine', 'Delta']);
      });

      it('reverse: books__title__startswith, books__pages__gt — each parent once', async () => {
        await seed();
        expect(await authorNames(Author.filter({ books__title__startswith: 'Al' }))).toEqual(['Ann', 'Bob']);
        const many = await Author.filter({ books__pages__gt: 10 });
        expect(many.map((a) => a.name).sort()).toEqual(['Ann', 'Bob', 'Cy']);
        expect(await Author.filter({ books__pages__gt: 10 }).count()).toBe(3);
        expect(await Publisher.filter({ authors__books__title: 'Gamma' }).valuesList('name', { flat: true })).toEqual(['Orbit']);
      });

      it('many-to-many: tags__name__in from the books, books__title from the tags, no duplicates', async () => {
        await seed();
        const hits = await Book.filter({ tags__name__in: ['sf', 'classic'] });
        expect(hits.map((b) => b.title).sort()).toEqual(['Alpha', 'Beta', 'Gamma']); // Alpha matches twice, listed once
        expect(await Book.filter({ tags__name__in: ['sf', 'classic'] }).count()).toBe(3);
        expect(await bookTitles(Book.filter({ tags__name: 'new' }))).toEqual(['Delta']);
        expect((await Tag.filter({ books__title: 'Alpha' })).map((t) => t.name).sort()).toEqual(['classic', 'sf']);
        expect((await Tag.filter({ books__author__name: 'Ann' })).map((t) => t.name).sort()).toEqual(['classic', 'sf']);
        const sql = Book.filter({ tags__name__in: ['sf', 'classic'] }).compile().sql.toLowerCase();
        expect(sql).toContain('exists');
        expect(sql).not.toContain('distinct');
      });

      it('isnull across a to-many relation: `books__isnull: true` means "no related row" (Django), false means "some"', async () => {
        await seed();
        expect(await authorNames(Author.filter({ books__isnull: false }))).toEqual(['Ann', 'Bob', 'Cy']);
        expect(await authorNames(Author.filter({ books__isnull: true }))).toEqual(['Dee']);
        expect(await authorNames(Author.exclude({ books__isnull: true }))).toEqual(['Ann', 'Bob', 'Cy']);
        expect(await bookTitles(Book.filter({ tags__isnull: true }))).toEqual(['Alpine']);
        expect(await bookTitles(Book.filter({ tags__isnull: false }))).toEqual(['Alpha', 'Beta', 'Delta', 'Gamma']);
        expect((await Tag.filter({ books__isnull: true })).map((t) => t.name)).toEqual([]);
        expect(await authorNames(Author.filter({ books__isnull: true, name__startswith: 'D' }))).toEqual(['Dee']);
      });

      it('multi-hop: book__author__name, books__reviews__rating, books__tags__name, author__books__title', async () => {
        await seed();
        expect((await Review.filter({ book__author__name: 'Ann' }).orderBy('rating')).map((r) => r.rating)).toEqual([3, 5]);
        expect((await Review.filter({ book__author__publisher__name: 'Orbit' })).map((r) => r.rating)).toEqual([4]);
        expect(await authorNames(Author.filter({ books__reviews__rating__gte: 4 }))).toEqual(['Ann', 'Bob']);
        expect(await authorNames(Author.filter({ books__tags__name: 'sf' }))).toEqual(['Ann', 'Bob']);
        expect(await authorNames(Author.filter({ books__tags__name: 'new' }))).toEqual(['Cy']);
        // Forward then reverse: books by authors who also wrote 'Beta'.
        expect(await bookTitles(Book.filter({ author__books__title: 'Beta' }))).toEqual(['Alpha', 'Beta']);
        expect(await Tag.filter({ books__reviews__rating: 1 }).valuesList('name', { flat: true })).toEqual(['new']);
      });

      it('F() across a relation: pages below five times the author’s age', async () => {
        await seed();
        expect(await bookTitles(Book.filter({ pages__lt: F('author__age').mul(5) }))).toEqual(['Alpha', 'Alpine']);
      });

      it('one filter() call: conditions on a to-many relation hold for the same related row; separate calls need not', async () => {
        await seed();
        // Same book: a title starting with 'A' that has at least 200 pages — nobody has one.
        expect(await authorNames(Author.filter({ books__title__startswith: 'A', books__pages__gte: 200 }))).toEqual([]);
        // Same book, satisfiable: Ann's Alpha (100 pages).
        expect(await authorNames(Author.filter({ books__title__startswith: 'A', books__pages__gte: 100 }))).toEqual(['Ann']);
        // Two calls: some book starts with 'A', some (possibly other) book has 200+ pages: Ann (Alpha, Beta), Bob (Alpine, Gamma).
        expect(await authorNames(Author.filter({ books__title__startswith: 'A' }).filter({ books__pages__gte: 200 }))).toEqual(['Ann', 'Bob']);
        // A Q in one call groups like a filter object.
        expect(await authorNames(Author.filter(Q({ books__title__startswith: 'A' }).and({ books__pages__gte: 200 })))).toEqual([]);
        // Many-to-many: one tag named both 'sf' and 'classic' does not exist; two calls find Alpha.
        expect(await bookTitles(Book.filter({ tags__name: 'sf' }).filter({ tags__name: 'classic' }))).toEqual(['Alpha']);
        expect(await bookTitles(Book.filter(Q({ tags__name: 'sf' }).and({ tags__name: 'classic' })))).toEqual([]);
        // The compiled SQL: one EXISTS for one call, two for two calls.
        const count = (sql: string): number => sql.toLowerCase().split('exists').length - 1;
        expect(count(Author.filter({ books__title__startswith: 'A', books__pages__gte: 200 }).compile().sql)).toBe(1);
        expect(count(Author.filter({ books__title__startswith: 'A' }).filter({ books__pages__gte: 200 }).compile().sql)).toBe(2);
      });

      it('exclude() across a to-many relation drops the rows with any match (NOT EXISTS)', async () => {
        await seed();
        expect(await authorNames(Author.exclude({ books__title__startswith: 'A' }))).toEqual(['Cy', 'Dee']);
        expect(await authorNames(Author.exclude({ books__pages__gt: 0 }))).toEqual(['Dee']);
        expect(await authorNames(Author.exclude({ books__isnull: false }))).toEqual(['Dee']); // "has no book", through NOT EXISTS
        expect(await bookTitles(Book.exclude({ tags__name: 'sf' }))).toEqual(['Alpine', 'Beta', 'Delta']);
        // One exclude() call: the conditions describe one related row (a book starting with 'A' of 200+ pages: none).
        expect(await authorNames(Author.exclude({ books__title__startswith: 'A', books__pages__gte: 200 }))).toEqual(['Ann', 'Bob', 'Cy', 'Dee']);
        // Two exclude() calls: each drops its own matches.
        expect(await authorNames(Author.exclude({ books__title__startswith: 'A' }).exclude({ books__pages__gte: 400 }))).toEqual(['Dee']);
        expect(await authorNames(Author.filter(Q.not({ books__tags__name: 'classic' })))).toEqual(['Bob', 'Cy', 'Dee']);
        expect(Author.exclude({ books__title__startswith: 'A' }).compile().sql.toLowerCase()).toMatch(/not exists/);
      });

      it('exclude() across a nullable to-one relation keeps the rows where the relation is missing', async () => {
        await seed();
        expect(await authorNames(Author.exclude({ publisher__name: 'Penguin' }))).toEqual(['Bob', 'Cy']);
        expect(await authorNames(Author.filter({ publisher__name__ne: 'Penguin' }))).toEqual(['Bob', 'Cy']);
        expect(await bookTitles(Book.exclude({ author__publisher__country: 'UK' }))).toEqual(['Alpine', 'Delta', 'Gamma']);
      });

      it('a to-one path is joined once however often it is used (filter, F, orderBy, values)', async () => {
        await seed();
        const qs = Book.filter({ author__name: 'Ann', author__age__gte: 30 })
          .filter({ pages__lt: F('author__age').mul(10) })
          .orderBy('author__name', 'title');
        const sql = qs.compile().sql.toLowerCase();
        expect(sql.split(' join ').length - 1).toBe(1);
        expect((await qs).map((b) => b.title)).toEqual(['Alpha', 'Beta']);
        const twoPaths = Book.filter({ author__name: 'Ann', author__publisher__name: 'Penguin' }).compile().sql.toLowerCase();
        expect(twoPaths.split(' join ').length - 1).toBe(2);
      });
    });

    describe('orderBy, values and aggregates', () => {
      it('orderBy across relations, ascending and descending (NULLs last descending)', async () => {
        await seed();
        expect((await Book.orderBy('author__name', 'title')).map((b) => b.title)).toEqual(['Alpha', 'Beta', 'Alpine', 'Gamma', 'Delta']);
        expect((await Book.orderBy('-author__publisher__name', 'title')).map((b) => b.title)).toEqual(['Alpha', 'Beta', 'Alpine', 'Gamma', 'Delta']);
        expect((await Book.orderBy('author__publisher__name', 'title')).map((b) => b.title)).toEqual(['Delta', 'Alpine', 'Gamma', 'Alpha', 'Beta']);
        expect((await Review.orderBy('-book__author__age', '-rating')).map((r) => r.rating)).toEqual([1, 5, 3, 4]);
      });

      it('values() and valuesList() across relations: keys are the lookup strings', async () => {
        await seed();
        expect(await Book.orderBy('title').values('title', 'author__name', 'author__publisher__name')).toEqual([
          { title: 'Alpha', author__name: 'Ann', author__publisher__name: 'Penguin' },
          { title: 'Alpine', author__name: 'Bob', author__publisher__name: 'Orbit' },
          { title: 'Beta', author__name: 'Ann', author__publisher__name: 'Penguin' },
          { title: 'Delta', author__name: 'Cy', author__publisher__name: null },
          { title: 'Gamma', author__name: 'Bob', author__publisher__name: 'Orbit' },
        ]);
        expect(await Review.orderBy('rating').valuesList('book__author__name', { flat: true })).toEqual(['Cy', 'Ann', 'Bob', 'Ann']);
        // Across a to-many relation: one row per related row (LEFT JOIN; a parent without any gets nulls).
        expect(await Author.orderBy('name', 'books__title').valuesList('name', 'books__title')).toEqual([
          ['Ann', 'Alpha'],
          ['Ann', 'Beta'],
          ['Bob', 'Alpine'],
          ['Bob', 'Gamma'],
          ['Cy', 'Delta'],
          ['Dee', null],
        ]);
      });

      it('annotate across to-many: Count, Sum, distinct counts, HAVING and ordering on them', async () => {
        await seed();
        const rows = await Author.annotate({ nBooks: Count('books'), pages: Sum('books__pages') }).orderBy('name');
        expect(rows.map((a) => [a.name, (a as unknown as { nBooks: number }).nBooks, (a as unknown as { pages: number | null }).pages])).toEqual([
          ['Ann', 2, 300],
          ['Bob', 2, 350],
          ['Cy', 1, 400],
          ['Dee', 0, null],
        ]);
        const busy = await Author.all().annotate({ nBooks: Count('books') }).filter({ nBooks__gte: 2 }).orderBy('-nBooks', 'name');
        expect(busy.map((a) => a.name)).toEqual(['Ann', 'Bob']);
        const tagged = await Author.annotate({ tagLinks: Count('books__tags'), tags: Count('books__tags', { distinct: true }) }).orderBy('name');
        expect(tagged.map((a) => [a.name, (a as unknown as { tagLinks: number }).tagLinks, (a as unknown as { tags: number }).tags])).toEqual([
          ['Ann', 3, 2],
          ['Bob', 1, 1],
          ['Cy', 1, 1],
          ['Dee', 0, 0],
        ]);
        const tags = await Tag.annotate({ n: Count('books') }).orderBy('-n', 'name');
        expect(tags.map((t) => [t.name, (t as unknown as { n: number }).n])).toEqual([
          ['classic', 2],
          ['sf', 2],
          ['new', 1],
        ]);
        const best = await Author.annotate({ top: Max('books__reviews__rating') }).filter({ top__gte: 4 }).orderBy('name');
        expect(best.map((a) => [a.name, (a as unknown as { top: number }).top])).toEqual([
          ['Ann', 5],
          ['Bob', 4],
        ]);
        const publishers = await Publisher.annotate({ pages: Sum('authors__books__pages') }).orderBy('name');
        expect(publishers.map((p) => [p.name, (p as unknown as { pages: number }).pages])).toEqual([
          ['Orbit', 350],
          ['Penguin', 300],
        ]);
      });

      it('annotate counts every related row even when a filter crossed the same relation (the filter is an EXISTS)', async () => {
        await seed();
        const rows = await Author.filter({ books__pages__gte: 200 }).annotate({ n: Count('books') }).orderBy('name');
        expect(rows.map((a) => [a.name, (a as unknown as { n: number }).n])).toEqual([
          ['Ann', 2],
          ['Bob', 2],
          ['Cy', 1],
        ]);
      });

      it('values(relation path).annotate() groups by the related field; aggregate() spans relations', async () => {
        await seed();
        expect(await Book.all().values('author__name').annotate({ n: Count('id'), total: Sum('pages') }).orderBy('author__name')).toEqual([
          { author__name: 'Ann', n: 2, total: 300 },
          { author__name: 'Bob', n: 2, total: 350 },
          { author__name: 'Cy', n: 1, total: 400 },
        ]);
        expect(await Author.aggregate({ books: Count('books'), pages: Sum('books__pages') })).toEqual({ books: 5, pages: 1050 });
        expect(await Author.filter({ publisher__name: 'Penguin' }).aggregate({ books: Count('books') })).toEqual({ books: 2 });
        expect(await Book.filter({ author__name: 'Bob' }).aggregate({ reviews: Count('reviews'), top: Max('reviews__rating') })).toEqual({ reviews: 1, top: 4 });
      });
    });

    describe('writes filtered across relations', () => {
      it('update() with forward, reverse and many-to-many filters changes exactly the matching rows', async () => {
        await seed();
        expect(await Book.filter({ author__name: 'Ann' }).update({ pages: 1 })).toBe(2);
        expect(await Book.orderBy('title').valuesList('title', 'pages')).toEqual([
          ['Alpha', 1],
          ['Alpine', 50],
          ['Beta', 1],
          ['Delta', 400],
          ['Gamma', 300],
        ]);
        expect(await Author.filter({ books__tags__name: 'new' }).update({ age: 99 })).toBe(1);
        expect(await Author.filter({ age: 99 }).valuesList('name', { flat: true })).toEqual(['Cy']);
        expect(await Book.filter({ tags__name__in: ['sf', 'classic'] }).update({ pages: F('pages').add(1000) })).toBe(3);
        expect(await Book.filter({ pages__gt: 1000 }).orderBy('title').valuesList('title', 'pages')).toEqual([
          ['Alpha', 1001],
          ['Beta', 1001],
          ['Gamma', 1300],
        ]);
      });

      it('delete() with relation filters deletes exactly the matching rows (and cascades)', async () => {
        await seed();
        expect(await Review.filter({ book__author__name: 'Ann' }).delete()).toBe(2);
        expect((await Review.orderBy('rating')).map((r) => r.rating)).toEqual([1, 4]);
        expect(await Book.filter({ tags__name: 'sf' }).delete()).toBe(2); // Alpha and Gamma
        expect(await bookTitles(Book.all())).toEqual(['Alpine', 'Beta', 'Delta']);
        expect((await Review.all()).map((r) => r.rating)).toEqual([1]); // Gamma's review cascaded
        expect(await Author.exclude({ books__pages__gt: 0 }).delete()).toBe(1); // Dee, who has no books
        expect(await authorNames(Author.all())).toEqual(['Ann', 'Bob', 'Cy']);
      });
    });

    it('no statement for a filter error: FieldError is thrown before any query', async () => {
      const before = getConnection().metrics().queries;
      expect(() => Author.filter({ books__nope: 1 } as never)).toThrow(FieldError);
      expect(getConnection().metrics().queries).toBe(before);
    });
  },
  { models: MODELS },
);
