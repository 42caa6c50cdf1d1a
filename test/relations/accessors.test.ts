/**
 * Relation accessors on every dialect: `book.author` after selectRelated / prefetchRelated / load and
 * RelationNotLoadedError before (with the fix in the message); assignment (right model, wrong model →
 * ValidationError, stale cache after the key changes); the OneToOne reverse accessor; the input forms of
 * API §12 (`author: a`, `authorId: 1`, `author__id: 1`); reverse and many-to-many RelatedManagers with
 * all, filter, exclude, orderBy, count, exists, create, add, remove, set, clear.
 */
import { describe, expect, it } from 'vitest';
import {
  CharField,
  FieldError,
  ForeignKey,
  IntField,
  ManyToMany,
  Model,
  OneToOne,
  OxenError,
  RelatedManager,
  RelationNotLoadedError,
  ValidationError,
  getConnection,
  model,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_a_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare authors: RelatedManager<Author>;
}

@model({ table: 'rel_a_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL', relatedName: 'authors' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
  declare profile: Profile | null;
}

@model({ table: 'rel_a_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @IntField({ default: 100 }) pages!: number;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
}

@model({ table: 'rel_a_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

@model({ table: 'rel_a_profile' })
class Profile extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) bio!: string;
  @OneToOne(() => Author, { relatedName: 'profile' }) author!: Author;
  declare authorId: number;
}

/** Not related to anything: assigning one where an Author is expected is an error. */
@model({ table: 'rel_a_editor' })
class Editor extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
}

const MODELS = [Publisher, Author, Book, Tag, Profile, Editor];

const queries = (): number => getConnection().metrics().queries;
/** Runs `fn` and returns its result with the number of statements it sent. */
async function counted<T>(fn: () => PromiseLike<T>): Promise<[T, number]> {
  const before = queries();
  const result = await fn();
  return [result, queries() - before];
}
const titles = (books: readonly Book[]): string[] => books.map((b) => b.title).sort();

describe('accessors without a database', () => {
  it('reading an unloaded relation throws RelationNotLoadedError with the fix in the message; the key is set', () => {
    const book = Book.build({ title: 'x', authorId: 7 });
    expect(book.authorId).toBe(7);
    let error: unknown;
    try {
      void book.author;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RelationNotLoadedError);
    expect((error as Error).message).toContain("selectRelated('author')");
    expect((error as Error).message).toContain("load('author')");
    expect((error as Error).message).toContain('Book.authorId (7) is always set');
  });

  it('assigning an instance of the wrong model is a ValidationError naming the field; nothing changes', () => {
    const book = Book.build({ title: 'x', authorId: 7 });
    const editor = Editor.build({ name: 'Ed' });
    let error: unknown;
    try {
      (book as unknown as { author: unknown }).author = editor;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual({ author: ['must be a Author instance, got Editor (to set the key alone, assign authorId)'] });
    expect(book.authorId).toBe(7);
    expect(() => Book.build({ title: 'x', author: editor as never })).toThrow(ValidationError);
    expect(() => Book.build({ title: 'x', author: 7 as never })).toThrow(ValidationError);
  });

  it('assigning null to a relation clears the key', () => {
    const author = Author.build({ name: 'a', publisherId: 3 });
    author.publisher = null;
    expect(author.publisherId).toBeNull();
    expect(author.publisher).toBeNull();
  });
});

forEachDialect(
  'relation accessors',
  () => {
    it('book.author: RelationNotLoadedError after a plain query; an instance after selectRelated, prefetchRelated and load()', async () => {
      const p = await Publisher.create({ name: 'Orbit' });
      const ann = await Author.create({ name: 'Ann', publisher: p });
      const b = await Book.create({ title: 'Alpha', author: ann });

      const plain = await Book.get({ id: b.id });
      expect(() => plain.author).toThrow(RelationNotLoadedError);
      expect(plain.authorId).toBe(ann.id);

      const [selected, q1] = await counted(() => Book.all().selectRelated('author').get({ id: b.id }));
      expect(q1).toBe(1);
      const [name1, q1b] = await counted(async () => selected.author.name);
      expect([name1, q1b]).toEqual(['Ann', 0]);
      expect(selected.author).toBeInstanceOf(Author);
      expect(selected.author.id).toBe(ann.id);
      expect(() => selected.author.publisher).toThrow(RelationNotLoadedError); // one level only

      const [[prefetched], q2] = await counted(() => Book.filter({ id: b.id }).prefetchRelated('author'));
      expect(q2).toBe(2);
      expect(prefetched.author.name).toBe('Ann');

      const [loaded, q3] = await counted(() => plain.load('author', 'author__publisher'));
      expect(q3).toBe(2);
      expect(loaded).toBe(plain);
      expect([plain.author.name, plain.author.publisher?.name]).toEqual(['Ann', 'Orbit']);
    });

    it('a created instance given `author: a` returns that same instance; changing the key makes it unloaded again', async () => {
      const ann = await Author.create({ name: 'Ann' });
      const bob = await Author.create({ name: 'Bob' });
      const b = await Book.create({ title: 'Alpha', author: ann });
      expect(b.author).toBe(ann);
      b.author = bob;
      expect([b.authorId, b.author]).toEqual([bob.id, bob]);
      await b.save();
      expect((await Book.get({ id: b.id })).authorId).toBe(bob.id);
      b.author = ann;
      b.title = 'not saved';
      await b.save({ updateFields: ['author'] });
      expect(await Book.filter({ id: b.id }).valuesList('title', 'authorId')).toEqual([['Alpha', ann.id]]);
      b.author = bob;
      await b.save({ updateFields: ['authorId'] });
      expect((await Book.get({ id: b.id })).authorId).toBe(bob.id);
      b.authorId = ann.id; // the cached Bob no longer matches the key
      expect(() => b.author).toThrow(RelationNotLoadedError);
      await b.load('author');
      expect(b.author.name).toBe('Ann');
    });

    it('create with `author: a` or `authorId: id`, and filter with `author: a`, `authorId`, `author__id`, `author__pk`, `author__in` are equivalent', async () => {
      const ann = await Author.create({ name: 'Ann' });
      const bob = await Author.create({ name: 'Bob' });
      const b1 = await Book.create({ title: 'one', author: ann });
      const b2 = await Book.create({ title: 'two', authorId: ann.id });
      await Book.create({ title: 'three', author: bob });
      expect([b1.authorId, b2.authorId]).toEqual([ann.id, ann.id]);
      const forms = [
        Book.filter({ author: ann }),
        Book.filter({ authorId: ann.id }),
        Book.filter({ author__id: ann.id }),
        Book.filter({ author__pk: ann.id }),
        Book.filter({ author: ann.id }),
        Book.filter({ author__in: [ann] }),
        Book.filter({ authorId__in: [ann.id] }),
        Book.filter({ author__name: 'Ann' }),
      ];
      for (const qs of forms) expect(await qs.orderBy('title').valuesList('title', { flat: true })).toEqual(['one', 'two']);
      // The key forms read the column; only the path through another field joins.
      for (const qs of forms.slice(0, 7)) expect(qs.compile().sql.toLowerCase()).not.toContain('join');
      expect(forms[7].compile().sql.toLowerCase()).toContain('left join');
      expect(await Book.exclude({ author: ann }).valuesList('title', { flat: true })).toEqual(['three']);
      // getOrCreate/updateOrCreate look up and create with the same forms.
      const [found, created] = await Book.getOrCreate({ author: ann, title: 'one' });
      expect([found.id, created]).toEqual([b1.id, false]);
      const [made, createdNow] = await Book.getOrCreate({ author: bob, title: 'new' }, { pages: 7 });
      expect([made.authorId, made.pages, createdNow]).toEqual([bob.id, 7, true]);
      const [updated, again] = await Book.updateOrCreate({ title: 'new' }, { author: ann });
      expect([updated.id, updated.authorId, again]).toEqual([made.id, ann.id, false]);
      expect((await Book.get({ id: made.id })).authorId).toBe(ann.id);
      await made.delete();
      // bulkCreate takes the same forms.
      await Book.bulkCreate([{ title: 'four', author: bob }, { title: 'five', authorId: bob.id }]);
      expect(await Book.filter({ author: bob }).orderBy('title').valuesList('title', { flat: true })).toEqual(['five', 'four', 'three']);
    });

    it('filtering with an instance of the wrong model is a FieldError, thrown by filter()', async () => {
      const ed = await Editor.create({ name: 'Ed' });
      expect(() => Book.filter({ author: ed as never })).toThrow(FieldError);
      expect(() => Book.filter({ author: ed as never })).toThrow(/expects a Author \(or its key\), got a Editor/);
    });

    it('the OneToOne reverse accessor: one instance (or null) after selectRelated / load, RelationNotLoadedError before', async () => {
      const ann = await Author.create({ name: 'Ann' });
      const bob = await Author.create({ name: 'Bob' });
      await Profile.create({ bio: 'writes', author: ann });
      const plain = await Author.get({ id: ann.id });
      expect(() => plain.profile).toThrow(RelationNotLoadedError);
      expect(() => plain.profile).toThrow(/selectRelated\('profile'\).*load\('profile'\)/);
      const [rows, n] = await counted(() => Author.all().selectRelated('profile').orderBy('name'));
      expect(n).toBe(1);
      expect(rows.map((a) => [a.name, a.profile?.bio ?? null])).toEqual([
        ['Ann', 'writes'],
        ['Bob', null],
      ]);
      await bob.load('profile');
      expect(bob.profile).toBeNull();
      await plain.load('profile');
      expect(plain.profile?.bio).toBe('writes');
      expect(await Author.filter({ profile__bio: 'writes' }).valuesList('name', { flat: true })).toEqual(['Ann']);
      expect(await Author.filter({ profile__isnull: true }).valuesList('name', { flat: true })).toEqual(['Bob']);
      const [profile] = await Profile.all().selectRelated('author');
      expect(profile.author.name).toBe('Ann');
    });

    describe('reverse ForeignKey manager (author.books)', () => {
      it('all, filter, exclude, orderBy, count, exists, await', async () => {
        const ann = await Author.create({ name: 'Ann' });
        const bob = await Author.create({ name: 'Bob' });
        for (const [title, pages] of [
          ['Alpha', 100],
          ['Beta', 250],
          ['Gamma', 300],
        ] as const)
          await Book.create({ title, pages, author: ann });
        await Book.create({ title: 'Other', author: bob });
        expect(ann.books).toBeInstanceOf(RelatedManager);
        expect(titles(await ann.books.all())).toEqual(['Alpha', 'Beta', 'Gamma']);
        expect(titles(await ann.books)).toEqual(['Alpha', 'Beta', 'Gamma']);
        expect(titles(await ann.books.filter({ pages__gte: 250 }))).toEqual(['Beta', 'Gamma']);
        expect(titles(await ann.books.exclude({ title: 'Beta' }))).toEqual(['Alpha', 'Gamma']);
        expect((await ann.books.orderBy('-pages')).map((b) => b.title)).toEqual(['Gamma', 'Beta', 'Alpha']);
        expect(await ann.books.count()).toBe(3);
        expect(await ann.books.filter({ pages__gt: 1000 }).count()).toBe(0);
        expect(await ann.books.exists()).toBe(true);
        expect(await (await Author.create({ name: 'Cy' })).books.exists()).toBe(false);
        expect(await ann.books.all().filter({ title__startswith: 'G' }).valuesList('title', { flat: true })).toEqual(['Gamma']);
        expect(await bob.books.all().valuesList('title', { flat: true })).toEqual(['Other']);
      });

      it('create sets the key; add moves rows to this parent', async () => {
        const ann = await Author.create({ name: 'Ann' });
        const bob = await Author.create({ name: 'Bob' });
        const made = await ann.books.create({ title: 'New', pages: 7 });
        expect([made.authorId, made.isSaved]).toEqual([ann.id, true]);
        expect((await Book.get({ id: made.id })).authorId).toBe(ann.id);
        const other = await Book.create({ title: 'Moved', author: bob });
        await ann.books.add(other);
        expect(other.authorId).toBe(ann.id);
        expect(titles(await ann.books.all())).toEqual(['Moved', 'New']);
        expect(await bob.books.count()).toBe(0);
      });

      it('remove, clear and set on a nullable ForeignKey set it to NULL; on a required one they are FieldErrors', async () => {
        const p = await Publisher.create({ name: 'Orbit' });
        const q = await Publisher.create({ name: 'Tor' });
        const [a, b, c] = [await Author.create({ name: 'a', publisher: p }), await Author.create({ name: 'b', publisher: p }), await Author.create({ name: 'c', publisher: q })];
        await p.authors.remove(a);
        expect(await p.authors.all().valuesList('name', { flat: true })).toEqual(['b']);
        expect((await Author.get({ id: a.id })).publisherId).toBeNull();
        await p.authors.set([a, c]);
        expect((await p.authors.orderBy('name')).map((x) => x.name)).toEqual(['a', 'c']);
        expect((await Author.get({ id: b.id })).publisherId).toBeNull();
        expect(await q.authors.count()).toBe(0);
        await p.authors.clear();
        expect(await p.authors.count()).toBe(0);
        expect(await Author.filter({ publisher__isnull: true }).count()).toBe(3);
        await p.authors.set([b]);
        await p.authors.set([]);
        expect(await Author.filter({ publisher__isnull: true }).count()).toBe(3);

        const ann = await Author.create({ name: 'Ann' });
        const book = await Book.create({ title: 'x', author: ann });
        await expect(ann.books.remove(book)).rejects.toThrow(/Book.author is not nullable/);
        await expect(ann.books.clear()).rejects.toBeInstanceOf(FieldError);
        expect(await ann.books.count()).toBe(1);
      });
    });

    describe('many-to-many managers (book.tags, tag.books)', () => {
      it('add (instances or keys, idempotent), remove, set, set([]), clear, seen from both sides', async () => {
        const ann = await Author.create({ name: 'Ann' });
        const [alpha, beta] = [await Book.create({ title: 'Alpha', author: ann }), await Book.create({ title: 'Beta', author: ann })];
        const [sf, classic, fresh] = [await Tag.create({ name: 'sf' }), await Tag.create({ name: 'classic' }), await Tag.create({ name: 'new' })];
        const tagNames = async (b: Book): Promise<string[]> => (await b.tags.all()).map((t) => t.name).sort();

        await alpha.tags.add(sf, classic.id);
        await alpha.tags.add(sf); // already there: no error, no duplicate
        await alpha.tags.add(sf, sf);
        expect(await tagNames(alpha)).toEqual(['classic', 'sf']);
        expect(await alpha.tags.count()).toBe(2);
        await beta.tags.add(classic);
        expect(titles(await classic.books.all())).toEqual(['Alpha', 'Beta']);
        expect(titles(await sf.books.all())).toEqual(['Alpha']);

        await alpha.tags.remove(classic);
        expect(await tagNames(alpha)).toEqual(['sf']);
        expect(titles(await classic.books.all())).toEqual(['Beta']);

        await alpha.tags.set([classic, fresh]);
        expect(await tagNames(alpha)).toEqual(['classic', 'new']);
        await alpha.tags.set([fresh.id]);
        expect(await tagNames(alpha)).toEqual(['new']);
        await alpha.tags.set([]);
        expect(await alpha.tags.exists()).toBe(false);

        await fresh.books.add(alpha, beta); // from the other side
        expect(await tagNames(alpha)).toEqual(['new']);
        expect(await tagNames(beta)).toEqual(['classic', 'new']);
        await beta.tags.clear();
        expect(await beta.tags.count()).toBe(0);
        expect(titles(await fresh.books.all())).toEqual(['Alpha']);
        // The tags themselves are untouched.
        expect(await Tag.count()).toBe(3);
      });

      it('filter, exclude, orderBy, count, exists and create (creates the target, then links it)', async () => {
        const ann = await Author.create({ name: 'Ann' });
        const alpha = await Book.create({ title: 'Alpha', author: ann });
        const made = await alpha.tags.create({ name: 'made' });
        expect(made.isSaved).toBe(true);
        await alpha.tags.add(await Tag.create({ name: 'zeta' }), await Tag.create({ name: 'alpha' }));
        await Tag.create({ name: 'unlinked' });
        expect((await alpha.tags.orderBy('-name')).map((t) => t.name)).toEqual(['zeta', 'made', 'alpha']);
        expect((await alpha.tags.filter({ name__startswith: 'm' })).map((t) => t.name)).toEqual(['made']);
        expect((await alpha.tags.exclude({ name: 'made' }).orderBy('name')).map((t) => t.name)).toEqual(['alpha', 'zeta']);
        expect(await alpha.tags.filter({ name: 'unlinked' }).exists()).toBe(false);
        expect(await made.books.count()).toBe(1);
        const fromTag = await made.books.create({ title: 'Beta', author: ann });
        expect(titles(await made.books.all())).toEqual(['Alpha', 'Beta']);
        expect((await fromTag.tags.all()).map((t) => t.name)).toEqual(['made']);
      });

      it('wrong objects: another model is a FieldError, unsaved targets and unsaved owners are OxenErrors', async () => {
        const ann = await Author.create({ name: 'Ann' });
        const alpha = await Book.create({ title: 'Alpha', author: ann });
        const ed = await Editor.create({ name: 'Ed' });
        await expect(alpha.tags.add(ed)).rejects.toThrow(/Book.tags takes Tag instances or keys/);
        await expect(alpha.tags.add(Tag.build({ name: 'unsaved' }))).rejects.toThrow(/Tag must be saved before it can be related/);
        const unsaved = Book.build({ title: 'nope', author: ann });
        expect(() => unsaved.tags.all()).toThrow(OxenError);
        expect(() => unsaved.tags.all()).toThrow(/save the Book before using its related objects/);
        expect(() => Book.build({ title: 'x', tags: [] } as never)).toThrow(/to-many relation: save the instance first, then use tags.add/);
      });
    });
  },
  { models: MODELS },
);
