/**
 * Loading related objects on every dialect, counted with `metrics().queries`: selectRelated (one JOINed
 * query, nulls for missing relations, to-one paths only); prefetchRelated (one extra query per relation
 * level: 500 authors × 10 books in exactly 2 queries, 5000 books with their authors in 1 with
 * selectRelated; 'books__tags' is 2 extra queries; the filtered `{ path, queryset }` form; 0 queries
 * for `author.books.all()` afterwards; batching under SQLite's parameter limit with 40,000 parents);
 * `load()`; the prefetch cache forgotten after writes through the manager.
 */
import { describe, expect, it } from 'vitest';
import {
  CharField,
  Count,
  FieldError,
  ForeignKey,
  IntField,
  ManyToMany,
  Model,
  RelationNotLoadedError,
  getConnection,
  model,
  type RelatedManager,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_p_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare authors: RelatedManager<Author>;
}

@model({ table: 'rel_p_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
}

@model({ table: 'rel_p_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @IntField({ default: 100 }) pages!: number;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
}

@model({ table: 'rel_p_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

const MODELS = [Publisher, Author, Book, Tag];

const queries = (): number => getConnection().metrics().queries;
/** Runs `fn` and returns its result with the number of statements it sent. */
async function counted<T>(fn: () => PromiseLike<T>): Promise<[T, number]> {
  const before = queries();
  const result = await fn();
  return [result, queries() - before];
}
const sortedTitles = (books: readonly Book[]): string[] => books.map((b) => b.title).sort();

/**
 * Orbit: Ann (Alpha 100 p., Beta 250 p.), Bob (Gamma 300 p.). No publisher: Cy (no books).
 * Tags: Alpha sf + classic, Beta classic, Gamma none.
 */
async function small(): Promise<{ ann: Author; bob: Author; cy: Author }> {
  const orbit = await Publisher.create({ name: 'Orbit' });
  const ann = await Author.create({ name: 'Ann', publisher: orbit });
  const bob = await Author.create({ name: 'Bob', publisher: orbit });
  const cy = await Author.create({ name: 'Cy' });
  const alpha = await Book.create({ title: 'Alpha', pages: 100, author: ann });
  const beta = await Book.create({ title: 'Beta', pages: 250, author: ann });
  await Book.create({ title: 'Gamma', pages: 300, author: bob });
  const [sf, classic] = [await Tag.create({ name: 'sf' }), await Tag.create({ name: 'classic' })];
  await alpha.tags.add(sf, classic);
  await beta.tags.add(classic);
  return { ann, bob, cy };
}

describe('loading options are checked when the QuerySet is built', () => {
  // The first three and the unknown names below are compile-time errors too (`as never` runs them anyway).
  it('selectRelated across a to-many relation is a FieldError pointing to prefetchRelated', () => {
    expect(() => Author.all().selectRelated('books' as never)).toThrow(FieldError);
    expect(() => Author.all().selectRelated('books' as never)).toThrow(/crosses a to-many relation; use prefetchRelated\('books'\)/);
    expect(() => Book.all().selectRelated('tags' as never)).toThrow(/use prefetchRelated\('tags'\)/);
    expect(() => Book.all().selectRelated('author__books')).toThrow(/use prefetchRelated\('author__books'\)/);
  });

  it('unknown relation names are FieldErrors listing the relations', () => {
    expect(() => Book.all().selectRelated('auther' as never)).toThrow(FieldError);
    expect(() => Author.all().prefetchRelated('bookz' as never)).toThrow(/Author has no relation 'bookz'. Relations: books, publisher/);
    expect(() => Author.all().prefetchRelated({ path: 'books', queryset: Tag.all() })).toThrow(/the queryset must be over Book/);
  });

  it('a prefetch queryset must return unsliced instances; a many-to-many level takes no annotate() or selectRelated()', () => {
    expect(() => Author.all().prefetchRelated({ path: 'books', queryset: Book.all().values('title') as never })).toThrow(/must return instances, not values/);
    expect(() => Author.all().prefetchRelated({ path: 'books', queryset: Book.all().limit(3) })).toThrow(/cannot be sliced/);
    expect(() => Book.all().prefetchRelated({ path: 'tags', queryset: Tag.annotate({ n: Count('books') }) })).toThrow(FieldError);
    expect(() => Tag.all().prefetchRelated({ path: 'books', queryset: Book.all().selectRelated('author') })).toThrow(
      /annotate\(\) and selectRelated\(\) are not supported on a many-to-many level; prefetch the related objects as another level instead \(e\.g\. 'books__<relation>'\)/,
    );
  });

  it('selectRelated and prefetchRelated return new QuerySets and leave the parent unchanged', () => {
    const base = Book.filter({ pages__gt: 1 });
    const joined = base.selectRelated('author');
    const prefetched = base.prefetchRelated('tags');
    expect(base.state.selectRelated).toEqual([]);
    expect(base.state.prefetch).toEqual([]);
    expect(joined.state.selectRelated.map((p) => p.key)).toEqual(['author']);
    expect(prefetched.state.prefetch.map((p) => p.path)).toEqual(['tags']);
    expect(Object.isFrozen(base.state)).toBe(true);
  });
});

forEachDialect(
  'loading relations',
  (ctx) => {
    describe('selectRelated', () => {
      it("'author', 'author__publisher' in ONE query, with null for a missing publisher", async () => {
        await small();
        await Book.create({ title: 'Delta', author: await Author.get({ name: 'Cy' }) });
        const [books, n] = await counted(() => Book.all().selectRelated('author', 'author__publisher').orderBy('title'));
        expect(n).toBe(1);
        const [shape, m] = await counted(async () => books.map((b) => [b.title, b.author.name, b.author.publisher?.name ?? null]));
        expect(m).toBe(0);
        expect(shape).toEqual([
          ['Alpha', 'Ann', 'Orbit'],
          ['Beta', 'Ann', 'Orbit'],
          ['Delta', 'Cy', null],
          ['Gamma', 'Bob', 'Orbit'],
        ]);
        expect(books[0].author).toBeInstanceOf(Author);
        expect(books[0].author.publisher).toBeInstanceOf(Publisher);
        expect(books[0].author.publisherId).toBe(books[0].author.publisher?.id);
        // Rows that share an author get equal (not necessarily identical) instances.
        expect(books[0].author.id).toBe(books[1].author.id);
        // 'author__publisher' alone implies 'author'.
        const [[first], n2] = await counted(() => Book.all().selectRelated('author__publisher').orderBy('title').limit(1));
        expect([n2, first.author.name, first.author.publisher?.name]).toEqual([1, 'Ann', 'Orbit']);
      });

      it('a nullable forward relation that is NULL reads as null (no error)', async () => {
        await small();
        const authors = await Author.all().selectRelated('publisher').orderBy('name');
        expect(authors.map((a) => a.publisher?.name ?? null)).toEqual(['Orbit', 'Orbit', null]);
      });

      it('combines with filter across the same relation, orderBy, limit, get, first, count', async () => {
        await small();
        const qs = Book.filter({ author__name: 'Ann' }).selectRelated('author').orderBy('-pages');
        const [rows, n] = await counted(() => qs);
        expect([n, rows.map((b) => `${b.title}/${b.author.name}`)]).toEqual([1, ['Beta/Ann', 'Alpha/Ann']]);
        expect(qs.compile().sql.toLowerCase().split(' join ').length - 1).toBe(1); // the filter and the select share the join
        expect((await qs.first())?.author.name).toBe('Ann');
        expect((await qs.get({ title: 'Alpha' })).author.name).toBe('Ann');
        expect(await qs.count()).toBe(2);
        expect((await qs.limit(1).offset(1)).map((b) => b.title)).toEqual(['Alpha']);
      });

      it('iterator() fills selectRelated objects too', async () => {
        await small();
        const seen: string[] = [];
        for await (const b of Book.all().selectRelated('author').orderBy('title').iterator({ chunkSize: 2 })) seen.push(`${b.title}/${b.author.name}`);
        expect(seen).toEqual(['Alpha/Ann', 'Beta/Ann', 'Gamma/Bob']);
      });
    });

    describe('prefetchRelated', () => {
      it("'books': 1 extra query; afterwards author.books.all(), count() and exists() cost 0 queries", async () => {
        await small();
        const [authors, n] = await counted(() => Author.all().prefetchRelated('books').orderBy('name'));
        expect(n).toBe(2);
        const [lists, m] = await counted(async () => {
          const out: [string, string[], number, boolean][] = [];
          for (const a of authors) out.push([a.name, sortedTitles(await a.books.all()), await a.books.count(), await a.books.exists()]);
          return out;
        });
        expect(m).toBe(0);
        expect(lists).toEqual([
          ['Ann', ['Alpha', 'Beta'], 2, true],
          ['Bob', ['Gamma'], 1, true],
          ['Cy', [], 0, false],
        ]);
        // The prefetched children carry their key; narrowing the manager queries again (1 query).
        const ann = authors[0];
        const [filtered, f] = await counted(() => ann.books.filter({ pages__gt: 200 }));
        expect([f, filtered.map((b) => b.title)]).toEqual([1, ['Beta']]);
      });

      it("'books', 'books__tags': 2 extra queries (the M2M level joins the through table); 'books__tags' alone also loads 'books'", async () => {
        await small();
        const [authors, n] = await counted(() => Author.all().prefetchRelated('books', 'books__tags').orderBy('name'));
        expect(n).toBe(3);
        const [shape, m] = await counted(async () => {
          const out: Record<string, Record<string, string[]>> = {};
          for (const a of authors) {
            out[a.name] = {};
            for (const b of await a.books.all()) out[a.name][b.title] = (await b.tags.all()).map((t) => t.name).sort();
          }
          return out;
        });
        expect(m).toBe(0);
        expect(shape).toEqual({ Ann: { Alpha: ['classic', 'sf'], Beta: ['classic'] }, Bob: { Gamma: [] }, Cy: {} });
        const [, n2] = await counted(() => Author.all().prefetchRelated('books__tags'));
        expect(n2).toBe(3);
      });

      it('many-to-many both ways and a forward ForeignKey: 1 extra query each; a prefetched FK is the plain property', async () => {
        await small();
        const [books, n] = await counted(() => Book.all().prefetchRelated('tags', 'author').orderBy('title'));
        expect(n).toBe(3);
        expect(books.map((b) => [b.title, b.author.name])).toEqual([
          ['Alpha', 'Ann'],
          ['Beta', 'Ann'],
          ['Gamma', 'Bob'],
        ]);
        expect(books[0].author).toBe(books[1].author); // one instance per related row
        const [tags, t] = await counted(() => Tag.all().prefetchRelated('books').orderBy('name'));
        expect(t).toBe(2);
        const [shape, m] = await counted(async () => Promise.all(tags.map(async (tag) => [tag.name, sortedTitles(await tag.books.all())])));
        expect([m, shape]).toEqual([
          0,
          [
            ['classic', ['Alpha', 'Beta']],
            ['sf', ['Alpha']],
          ],
        ]);
        const [authors, p] = await counted(() => Author.all().prefetchRelated('publisher').orderBy('name'));
        expect([p, authors.map((a) => a.publisher?.name ?? null)]).toEqual([2, ['Orbit', 'Orbit', null]]);
      });

      it('the filtered form { path, queryset } loads only the matching rows, in the queryset’s order', async () => {
        await small();
        const [authors, n] = await counted(() =>
          Author.all()
            .prefetchRelated({ path: 'books', queryset: Book.filter({ pages__gte: 200 }).orderBy('-pages') })
            .orderBy('name'),
        );
        expect(n).toBe(2);
        const [shape, m] = await counted(async () => Promise.all(authors.map(async (a) => [a.name, (await a.books.all()).map((b) => b.title)])));
        expect([m, shape]).toEqual([
          0,
          [
            ['Ann', ['Beta']],
            ['Bob', ['Gamma']],
            ['Cy', []],
          ],
        ]);
        // A filtered nested level: 'books' in full, 'books__tags' only 'sf'.
        const [deep, d] = await counted(() =>
          Author.filter({ name: 'Ann' }).prefetchRelated('books', { path: 'books__tags', queryset: Tag.filter({ name: 'sf' }) }),
        );
        expect(d).toBe(3);
        const books = await deep[0].books.all();
        expect(Object.fromEntries(await Promise.all(books.map(async (b) => [b.title, (await b.tags.all()).map((t) => t.name)])))).toEqual({ Alpha: ['sf'], Beta: [] });
      });

      it('the filtered queryset may itself selectRelated, annotate and prefetchRelated', async () => {
        await small();
        const qs = Book.all().selectRelated('author').annotate({ nTags: Count('tags') }).orderBy('title');
        const [authors, n] = await counted(() => Author.filter({ name: 'Ann' }).prefetchRelated({ path: 'books', queryset: qs }));
        expect(n).toBe(2);
        const [shape, m] = await counted(async () => (await authors[0].books.all()).map((b) => [b.title, b.author.name, (b as Book & { nTags: number }).nTags]));
        expect([m, shape]).toEqual([
          0,
          [
            ['Alpha', 'Ann', 2],
            ['Beta', 'Ann', 1],
          ],
        ]);
        // A many-to-many level whose queryset prefetches further: one more query, then none.
        const [books, k] = await counted(() => Book.filter({ title: 'Beta' }).prefetchRelated({ path: 'tags', queryset: Tag.all().prefetchRelated('books') }));
        expect(k).toBe(3);
        const [tagged, z] = await counted(async () => Promise.all((await books[0].tags.all()).map(async (t) => [t.name, sortedTitles(await t.books.all())])));
        expect([z, tagged]).toEqual([0, [['classic', ['Alpha', 'Beta']]]]);
      });

      it('selectRelated plus prefetchRelated through the selected relation: the joined level is not fetched again', async () => {
        await small();
        const [books, n] = await counted(() => Book.all().selectRelated('author').prefetchRelated('author__books').orderBy('title'));
        expect(n).toBe(2);
        const [titles, m] = await counted(async () => sortedTitles(await books[2].author.books.all()));
        expect([m, titles]).toEqual([0, ['Gamma']]);
      });

      it('an empty result sends no prefetch query', async () => {
        await small();
        const [rows, n] = await counted(() => Author.filter({ name: 'nobody' }).prefetchRelated('books', 'books__tags'));
        expect([rows, n]).toEqual([[], 1]);
      });

      it('a write through the manager forgets the prefetched list: the next all() reads the database', async () => {
        const { ann } = await small();
        const [loaded] = await Author.filter({ id: ann.id }).prefetchRelated('books');
        expect(await loaded.books.count()).toBe(2);
        await loaded.books.create({ title: 'New' });
        const [titles, n] = await counted(async () => sortedTitles(await loaded.books.all()));
        expect([n, titles]).toEqual([1, ['Alpha', 'Beta', 'New']]);
        const [book] = await Book.filter({ title: 'Alpha' }).prefetchRelated('tags');
        expect(await book.tags.count()).toBe(2);
        await book.tags.clear();
        expect(await book.tags.count()).toBe(0);
      });
    });

    describe('load()', () => {
      it('book.load(path, ...) costs one query per level; then the accessors need none', async () => {
        await small();
        const book = await Book.get({ title: 'Alpha' });
        expect(() => book.author).toThrow(RelationNotLoadedError);
        const [, n] = await counted(() => book.load('author'));
        expect(n).toBe(1);
        const [, n2] = await counted(() => book.load('author__publisher', 'tags'));
        expect(n2).toBe(2); // 'author' is already loaded: publisher + tags
        const [shape, m] = await counted(async () => [book.author.name, book.author.publisher?.name, (await book.tags.all()).map((t) => t.name).sort()]);
        expect([m, shape]).toEqual([0, ['Ann', 'Orbit', ['classic', 'sf']]]);
        const ann = await Author.get({ name: 'Ann' });
        const [, n3] = await counted(() => ann.load('books', 'books__tags'));
        expect(n3).toBe(2);
        expect(sortedTitles(await ann.books.all())).toEqual(['Alpha', 'Beta']);
        await expect(ann.load('nope')).rejects.toBeInstanceOf(FieldError);
      });
    });

    describe('at scale', () => {
      it('500 authors × 10 books: 2 queries with prefetchRelated, 1 with Book.selectRelated over 5000 books', async () => {
        const authors = await Author.bulkCreate(Array.from({ length: 500 }, (_, i) => ({ name: `author-${String(i).padStart(3, '0')}` })));
        expect(authors[499].id).toBeGreaterThan(0);
        const rows = authors.flatMap((a, i) => Array.from({ length: 10 }, (_, j) => ({ title: `book-${i}-${j}`, pages: j, authorId: a.id })));
        await Book.bulkCreate(rows, { batchSize: 1000 });

        const [loaded, n] = await counted(() => Author.all().prefetchRelated('books').orderBy('name'));
        expect(n).toBe(2);
        expect(loaded).toHaveLength(500);
        const [counts, m] = await counted(async () => {
          let total = 0;
          const sizes = new Set<number>();
          for (const a of loaded) {
            const books = await a.books.all();
            sizes.add(books.length);
            total += books.length;
            for (const b of books) if (b.authorId !== a.id) throw new Error(`${b.title} filed under ${a.name}`);
          }
          return { total, sizes: [...sizes] };
        });
        expect(m).toBe(0);
        expect(counts).toEqual({ total: 5000, sizes: [10] });
        expect((await loaded[123].books.all()).map((b) => b.title).sort()).toEqual(Array.from({ length: 10 }, (_, j) => `book-123-${j}`).sort());

        const [books, s] = await counted(() => Book.all().selectRelated('author'));
        expect(s).toBe(1);
        expect(books).toHaveLength(5000);
        const [mismatch, s2] = await counted(async () => books.filter((b) => b.author.id !== b.authorId || b.author.name !== `author-${b.title.split('-')[1].padStart(3, '0')}`).length);
        expect([s2, mismatch]).toEqual([0, 0]);
      });

      it.runIf(ctx.dialect === 'sqlite')('40,000 parents (more than SQLite’s 32,766 variables): ceil(n / batch) + 1 queries, nothing lost across batches', async () => {
        const n = 40_000;
        const max = ctx.connection().features.maxParameters;
        expect(n).toBeGreaterThan(max);
        const authors = await Author.bulkCreate(Array.from({ length: n }, (_, i) => ({ name: `a${i}` })));
        const picks = [0, 1, 31_000, 32_765, 32_766, 32_767, 39_999].map((i) => authors[i]);
        await Book.bulkCreate(picks.map((a) => ({ title: `by ${a.name}`, authorId: a.id })));
        const tag = await Tag.create({ name: 'last' });
        const lastBook = await Book.get({ title: `by a${n - 1}` });
        await lastBook.tags.add(tag);

        const [loaded, q] = await counted(() => Author.all().prefetchRelated('books'));
        expect(loaded).toHaveLength(n);
        expect(q).toBe(3); // 1 + 2 batches
        const [withBooks, zero] = await counted(async () => {
          const names: string[] = [];
          for (const a of loaded) if ((await a.books.all()).length > 0) names.push(a.name);
          return names;
        });
        expect(zero).toBe(0);
        expect(withBooks.sort()).toEqual(picks.map((a) => a.name).sort());
        const byName = new Map(loaded.map((a) => [a.name, a]));
        for (const a of picks) expect((await byName.get(a.name)!.books.all()).map((b) => b.title)).toEqual([`by ${a.name}`]);

        // A many-to-many level over as many parents is batched the same way.
        const [authorsAgain, q2] = await counted(() => Author.all().prefetchRelated('books', 'books__tags'));
        expect(q2).toBe(4); // 1 + 2 book batches + 1 tag batch (7 books)
        const last = authorsAgain.find((a) => a.name === `a${n - 1}`)!;
        const [lastBookLoaded] = await last.books.all();
        expect((await lastBookLoaded.tags.all()).map((t) => t.name)).toEqual(['last']);

        // A many-to-many level with 40,000 parents: the join-table query is batched too.
        const tags = await Tag.bulkCreate(Array.from({ length: n - 1 }, (_, i) => ({ name: `t${i}` })));
        await lastBook.tags.add(tags[0], tags[32_800], tags[n - 2]);
        const [allTags, q3] = await counted(() => Tag.all().prefetchRelated('books'));
        expect(allTags).toHaveLength(n);
        expect(q3).toBe(3);
        const linked: string[] = [];
        for (const t of allTags) if ((await t.books.all()).some((b) => b.id === lastBook.id)) linked.push(t.name);
        expect(linked.sort()).toEqual(['last', 't0', `t${n - 2}`, 't32800'].sort());
      });
    });
  },
  { models: MODELS },
);
