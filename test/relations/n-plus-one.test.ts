/**
 * The N+1 detector on every dialect: the classic loop (`book.load('author')`), the reverse-FK loop
 * (`author.books.all()`) and the many-to-many loop are found once per callsite with the test's own
 * file:line and the fix; single instances, created instances, prefetched and selected relations and
 * allow-listed relations and callsites stay silent; 'raise' throws NPlusOneError at the second load
 * (at the threshold when one is set); an unused prefetchRelated/selectRelated is flagged in 'warn' mode
 * only. Bad options are ConfigurationErrors.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CharField,
  ConfigurationError,
  ForeignKey,
  ManyToMany,
  Model,
  NPlusOneError,
  closeAll,
  connect,
  detector,
  getConnection,
  model,
  type RelatedManager,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';
import { loadEach } from './n-plus-one-helper.js';

@model({ table: 'n1_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare authors: RelatedManager<Author>;
}

@model({ table: 'n1_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
}

@model({ table: 'n1_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
}

@model({ table: 'n1_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

const MODELS = [Publisher, Author, Book, Tag];
const THIS_FILE = /^test\/relations\/n-plus-one\.test\.ts:\d+$/;

const warnings: string[] = [];
const logger = (level: string, message: string): void => {
  if (level === 'warn') warnings.push(message);
};

/** Three publishers, three authors (one per publisher) with two books each, each book with two tags. */
async function seed(): Promise<void> {
  const publishers = await Publisher.bulkCreate([{ name: 'P1' }, { name: 'P2' }, { name: 'P3' }]);
  const tags = await Tag.bulkCreate([{ name: 't1' }, { name: 't2' }]);
  for (const [i, p] of publishers.entries()) {
    const author = await Author.create({ name: `A${i + 1}`, publisherId: p.id });
    for (const title of [`B${i + 1}a`, `B${i + 1}b`]) {
      const book = await Book.create({ title, authorId: author.id });
      await book.tags.add(...tags);
    }
  }
}

const findings = (kind: 'n+1' | 'unused-eager-load') => detector.report().filter((f) => f.kind === kind);

forEachDialect(
  'N+1 detector, warn',
  () => {
    beforeEach(async () => {
      await seed();
      detector.reset();
      warnings.length = 0;
    });

    it('finds the classic loop once per callsite, with the file:line, the count and the fix', async () => {
      for (let run = 0; run < 2; run++) {
        for (const b of await Book.all()) await b.load('author');
      }
      const [finding, ...rest] = findings('n+1');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ kind: 'n+1', model: 'Book', relation: 'author', fix: "Book.filter(...).selectRelated('author')" });
      expect(finding.callsite).toMatch(THIS_FILE);
      // Six books per run, two runs: every lazy load of a result in which the finding was made.
      expect(finding.count).toBe(12);
      expect(finding.message).toContain(`N+1 detected on Book.author at ${finding.callsite}`);
      expect(warnings).toEqual([finding.message]);
    });

    it('finds the reverse-FK loop (author.books.all()) and names prefetchRelated', async () => {
      for (const a of await Author.all()) await a.books.all();
      const [finding, ...rest] = findings('n+1');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ model: 'Author', relation: 'books', count: 3, fix: "Author.filter(...).prefetchRelated('books')" });
      expect(finding.callsite).toMatch(THIS_FILE);
    });

    it('finds the many-to-many loop', async () => {
      const books = await Book.all();
      for (const b of books) await b.tags.filter({ name__startswith: 't' }).count();
      const [finding, ...rest] = findings('n+1');
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ model: 'Book', relation: 'tags', count: 6, fix: "Book.filter(...).prefetchRelated('tags')" });
    });

    it('stays silent for single instances, created instances, a relation read once, and prefetched or selected relations', async () => {
      const one = await Book.get({ title: 'B1a' });
      await one.load('author');
      await one.tags.all();
      const created = [await Book.create({ title: 'C1', authorId: 1 }), await Book.create({ title: 'C2', authorId: 2 })];
      for (const b of created) await b.load('author');
      for (const b of await Book.bulkCreate([{ title: 'C3', authorId: 3 }, { title: 'C4', authorId: 3 }])) await b.load('author');
      const all = await Book.all();
      await all[0].load('author');
      // C1 and C2 joined A1 and A2, C3 and C4 joined A3.
      for (const a of await Author.all().prefetchRelated('books')) expect((await a.books.all()).length).toBe(a.name === 'A3' ? 4 : 3);
      for (const b of await Book.all().selectRelated('author')) expect(b.author.name).toMatch(/^A\d$/);
      expect(detector.report()).toEqual([]);
      expect(warnings).toEqual([]);
    });

    it('marked instances still compare equal (toEqual) to created and singly loaded ones', async () => {
      const made = [await Tag.create({ name: 'x1' }), await Tag.create({ name: 'x2' })];
      const loaded = await Tag.filter({ name__startswith: 'x' }).orderBy('id');
      expect(loaded).toEqual(made);
      expect(await Tag.get({ name: 'x1' })).toEqual(loaded[0]);
    });

    it('stays silent for an allow-listed relation and an allow-listed callsite', async () => {
      for (const p of await Publisher.all()) await p.authors.all();
      await loadEach(await Author.all(), 'publisher');
      expect(detector.report()).toEqual([]);
    });

    it('flags a prefetchRelated or selectRelated that was never read, once per callsite', async () => {
      const authors = await Author.all().prefetchRelated('books');
      expect(authors.map((a) => a.name).sort()).toEqual(['A1', 'A2', 'A3']);
      const books = await Book.all().selectRelated('author').prefetchRelated('tags');
      for (const b of books) expect(b.author.id).toBe(b.authorId);
      const unused = findings('unused-eager-load');
      expect(unused.map((f) => `${f.model}.${f.relation}`).sort()).toEqual(['Author.books', 'Book.tags']);
      for (const f of unused) expect(f.callsite).toMatch(THIS_FILE);
      expect(unused.find((f) => f.relation === 'tags')!.fix).toBe("Remove 'tags' from that query's selectRelated()/prefetchRelated() on Book");
      expect(warnings.length).toBe(2);
      // Reported once: a second report() adds nothing.
      expect(findings('unused-eager-load').length).toBe(2);
      expect(warnings.length).toBe(2);
    });
  },
  { models: MODELS, connectOptions: { logger, nPlusOne: { mode: 'warn', allow: ['Publisher.authors', 'test/relations/n-plus-one-helper.ts'] } } },
);

forEachDialect(
  'N+1 detector, raise',
  (ctx) => {
    beforeEach(async () => {
      await seed();
      detector.reset();
    });

    it('throws NPlusOneError at the second load, before its query runs', async () => {
      const books = await Book.all();
      await books[0].load('author');
      const before = ctx.connection().metrics().queries;
      const error = await rejection(books[1].load('author'));
      expect(error).toBeInstanceOf(NPlusOneError);
      expect((error as Error).message).toMatch(/^N\+1 detected on Book\.author at test\/relations\/n-plus-one\.test\.ts:\d+: .*selectRelated\('author'\)/);
      expect(ctx.connection().metrics().queries).toBe(before);
      expect(() => books[2].tags.all()).not.toThrow();
      expect(() => books[3].tags.all()).toThrow(NPlusOneError);
    });

    it('flags no unused eager loading (warn mode only)', async () => {
      await Author.all().prefetchRelated('books');
      expect(detector.report()).toEqual([]);
    });
  },
  { models: MODELS, connectOptions: { nPlusOne: 'raise' } },
);

forEachDialect(
  'N+1 detector, threshold',
  () => {
    beforeEach(async () => {
      await seed();
      detector.reset();
    });

    it('reports when the threshold of lazy loads in one result is reached', async () => {
      const authors = await Author.all();
      await authors[0].books.all();
      await authors[1].books.all();
      expect(detector.report()).toEqual([]);
      expect(() => authors[2].books.all()).toThrow(NPlusOneError);
    });
  },
  { models: MODELS, connectOptions: { nPlusOne: { mode: 'raise', threshold: 3 } } },
);

describe('nPlusOne option', () => {
  it.each([
    ['loud', "Unknown nPlusOne mode 'loud'"],
    [{ mode: 'rais' }, "Unknown nPlusOne mode 'rais'; did you mean 'raise'?"],
    [{ threshold: 1 }, 'Option nPlusOne.threshold must be an integer of at least 2, got 1'],
    [{ allow: ['Nobody.books'] }, "nPlusOne.allow: no model 'Nobody'"],
    [{ allow: ['Author.bookz'] }, "nPlusOne.allow: Author has no relation 'bookz'. Relations: books, publisher"],
    [{ allowed: [] }, "Unknown nPlusOne option 'allowed'; did you mean 'allow'?"],
  ])('rejects %j', async (nPlusOne, message) => {
    const error = await rejection(connect('sqlite://:memory:', { alias: 'n1-bad', nPlusOne: nPlusOne as never }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(message);
    expect(() => getConnection('n1-bad')).toThrow(ConfigurationError);
    await closeAll();
  });
});
