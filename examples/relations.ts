/**
 * Relations: ForeignKey, OneToOne, ManyToMany, lookups across them, onDelete, and loading related
 * objects without N+1 queries.
 *
 *   npx tsx examples/relations.ts                                  # SQLite in memory
 *   npx tsx examples/relations.ts postgres://root@127.0.0.1:5432/test
 *
 * Every step prints the number of SQL statements it sent (from the connection's metrics), so the
 * difference between lazy loading, selectRelated and prefetchRelated is visible.
 *
 * In your own project import from 'oxen-orm' instead of '../src/index.js'.
 */
import 'reflect-metadata';
import {
  CharField,
  Count,
  ForeignKey,
  IntField,
  ManyToMany,
  Model,
  OneToOne,
  RelationNotLoadedError,
  Sum,
  ValidationError,
  closeAll,
  connect,
  dropSchema,
  getConnection,
  model,
  syncSchema,
  type RelatedManager,
} from '../src/index.js';

@model({ table: 'ex_rel_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  declare authors: RelatedManager<Author>; // reverse side of Author.publisher
}

@model({ table: 'ex_rel_author', ordering: ['name'] })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>; // reverse side of Book.author
  declare profile: Profile | null; // reverse side of the OneToOne
}

@model({ table: 'ex_rel_book', ordering: ['title'] })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) title!: string;
  @IntField({ default: 0 }) pages!: number;
  // Lazy targets (`() => Author`) allow forward references and cycles: Tag is defined below.
  @ForeignKey(() => Author, { relatedName: 'books', onDelete: 'CASCADE' }) author!: Author;
  declare authorId: number; // the FK column, always set after a load
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
}

@model({ table: 'ex_rel_tag', ordering: ['name'] })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

@model({ table: 'ex_rel_profile' })
class Profile extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) bio!: string;
  @OneToOne(() => Author, { relatedName: 'profile' }) author!: Author;
  declare authorId: number;
}

const MODELS = [Publisher, Author, Book, Tag, Profile];

/** Runs `fn` and prints how many statements it sent. */
async function counted<T>(label: string, fn: () => PromiseLike<T>): Promise<T> {
  const before = getConnection().metrics().queries;
  const result = await fn();
  const n = getConnection().metrics().queries - before;
  console.log(`  ${label.padEnd(80)} ${String(n).padStart(4)} quer${n === 1 ? 'y' : 'ies'}`);
  return result;
}

async function main(): Promise<void> {
  await connect(process.argv[2] ?? 'sqlite://:memory:');
  await dropSchema({ models: MODELS });
  const created = await syncSchema({ models: MODELS });
  console.log(`1. syncSchema created ${created.tables.join(', ')}`);
  console.log('   (ex_rel_book_tags is the automatic join table of Book.tags: columns bookId, tagId)');

  console.log('\n2. Writing related rows');
  const orbit = await Publisher.create({ name: 'Orbit' });
  const ann = await Author.create({ name: 'Ann Leckie', publisher: orbit }); // an instance ...
  const bob = await Author.create({ name: 'Bob Shaw', publisherId: orbit.id }); // ... or the key
  const cy = await Author.create({ name: 'Cy Twombly' }); // no publisher: publisherId is null
  await Profile.create({ bio: 'Hugo winner', author: ann });
  const [sf, space, classic] = await Tag.bulkCreate([{ name: 'sf' }, { name: 'space opera' }, { name: 'classic' }]);
  const justice = await ann.books.create({ title: 'Ancillary Justice', pages: 386 }); // sets authorId
  const sword = await ann.books.create({ title: 'Ancillary Sword', pages: 356 });
  const orbitsville = await Book.create({ title: 'Orbitsville', pages: 224, author: bob });
  await justice.tags.add(sf, space);
  await sword.tags.add(sf, space.id); // instances or primary keys
  await orbitsville.tags.set([sf, classic]);
  console.log(`  ${await Author.count()} authors, ${await Book.count()} books, tags of '${justice.title}': ${(await justice.tags.all()).map((t) => t.name).join(', ')}`);
  try {
    (justice as unknown as { author: unknown }).author = sf; // a Tag is not an Author
  } catch (error) {
    if (error instanceof ValidationError) console.log(`  assigning a Tag to book.author: ValidationError ${JSON.stringify(error.errors)}`);
  }

  console.log('\n3. Lookups across relations (each is one query; to-many conditions are EXISTS, no duplicates)');
  const show = async (label: string, fn: () => PromiseLike<unknown>): Promise<void> => {
    const value = await counted(label, fn);
    console.log(`      → ${JSON.stringify(value)}`);
  };
  await show("Book.filter({ author__name__icontains: 'leckie' })", async () => (await Book.filter({ author__name__icontains: 'leckie' })).map((b) => b.title));
  await show("Author.filter({ books__title__startswith: 'Anc' })", async () => (await Author.filter({ books__title__startswith: 'Anc' })).map((a) => a.name));
  await show("Book.filter({ tags__name__in: ['classic', 'space opera'] })", async () => (await Book.filter({ tags__name__in: ['classic', 'space opera'] })).map((b) => b.title));
  await show("Tag.filter({ books__author__publisher__name: 'Orbit' })", async () => (await Tag.filter({ books__author__publisher__name: 'Orbit' })).map((t) => t.name));
  await show("Author.exclude({ books__tags__name: 'classic' })", async () => (await Author.exclude({ books__tags__name: 'classic' })).map((a) => a.name));
  await show("Book.orderBy('-author__name').values('title', 'author__name')", () => Book.orderBy('-author__name', 'title').values('title', 'author__name'));
  await show("Author.annotate({ n: Count('books'), pages: Sum('books__pages') })", async () =>
    (await Author.annotate({ n: Count('books'), pages: Sum('books__pages') })).map((a) => {
      const row = a as Author & { n: number; pages: number | null };
      return `${row.name}: ${row.n} books, ${row.pages ?? 0} pages`;
    }),
  );

  console.log('\n4. Reading a relation that was not loaded');
  const plain = await Book.get({ id: justice.id });
  try {
    void plain.author.name;
  } catch (error) {
    if (error instanceof RelationNotLoadedError) console.log(`  RelationNotLoadedError: ${error.message}`);
  }
  console.log(`  book.authorId is always there: ${plain.authorId}`);
  await counted("await book.load('author')", () => plain.load('author'));
  console.log(`  book.author.name = ${plain.author.name}`);

  console.log('\n5. Loading strategies, with 200 more authors of 10 books each');
  const extra = await Author.bulkCreate(Array.from({ length: 200 }, (_, i) => ({ name: `Author ${String(i).padStart(3, '0')}`, publisherId: orbit.id })));
  await Book.bulkCreate(extra.flatMap((a) => Array.from({ length: 10 }, (_, j) => ({ title: `${a.name} #${j}`, pages: 100 + j, authorId: a.id }))));
  const total = await Book.count();

  // Lazy: one query for the books, then one per book for its author (N+1).
  const lazy = await counted(`lazy: ${total} books, then book.load('author') each`, async () => {
    const books = await Book.all();
    for (const b of books) await b.load('author');
    return books;
  });
  // selectRelated: one JOINed query, to-one relations only.
  const joined = await counted(`Book.all().selectRelated('author', 'author__publisher')`, () => Book.all().selectRelated('author', 'author__publisher'));
  // prefetchRelated: one extra query per relation level, any relation kind.
  const authors = await counted("Author.all().prefetchRelated('books')", () => Author.all().prefetchRelated('books'));
  const nested = await counted("Author.all().prefetchRelated('books', 'books__tags')", () => Author.all().prefetchRelated('books', 'books__tags'));
  const filtered = await counted("prefetchRelated({ path: 'books', queryset: Book.filter({ pages__gte: 300 }) })", () =>
    Author.all().prefetchRelated({ path: 'books', queryset: Book.filter({ pages__gte: 300 }) }),
  );
  const readAll = await counted('reading author.books.all() for every prefetched author', async () => {
    let n = 0;
    for (const a of authors) n += (await a.books.all()).length;
    return n;
  });
  console.log(`  lazy read ${lazy.length} books; selectRelated read ${joined.length} books with authors and publishers (${joined[0].author.publisher?.name})`);
  console.log(`  prefetched ${readAll} books through ${authors.length} authors; the Ann Leckie books have tags ${JSON.stringify(await Promise.all((await nested.find((a) => a.id === ann.id)!.books.all()).map(async (b) => (await b.tags.all()).map((t) => t.name))))}`);
  console.log(`  filtered prefetch: Ann Leckie's books of 300+ pages: ${(await filtered.find((a) => a.id === ann.id)!.books.all()).map((b) => b.title).join(', ')}`);

  console.log('\n6. onDelete');
  await counted('orbit.delete() (Author.publisher is SET_NULL: done by the database)', () => orbit.delete());
  console.log(`  authors without a publisher now: ${await Author.filter({ publisher__isnull: true }).count()}`);
  await counted('cy.delete() (CASCADE to books, then to the join table)', () => cy.delete());
  const before = await Book.count();
  await counted("Author.filter({ name__startswith: 'Author 0' }).delete()", () => Author.filter({ name__startswith: 'Author 0' }).delete());
  console.log(`  books: ${before} → ${await Book.count()} (the deleted authors' books cascaded)`);

  await dropSchema({ models: MODELS });
  await closeAll();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await closeAll();
  process.exitCode = 1;
});
