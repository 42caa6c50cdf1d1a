/**
 * Relation fields on every dialect: ForeignKey (`author` + column property `authorId`, `column`),
 * OneToOne, ManyToMany with lazy targets, forward references, cycles (A → B → A) and self-references;
 * `relatedName` and its defaults (`<model>Set`, OneToOne `<model>`); `null`; automatic join tables
 * (`<table>_<snake(name)>`, `<model>Id`/`<target>Id`, self: `from<Model>Id`/`to<Model>Id`, a unique
 * pair) and custom `through` models; FK constraints created in any order (cycles) and dropped again;
 * the column property set after every kind of load; definition-time errors.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  CharField,
  ConfigurationError,
  ForeignKey,
  IntegrityError,
  ManyToMany,
  Model,
  OneToOne,
  dropSchema,
  model,
  registry,
  syncSchema,
  type RelatedManager,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_f_publisher' })
class Publisher extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare authorSet: RelatedManager<Author>; // default reverse name
}

@model({ table: 'rel_f_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Publisher, { null: true, onDelete: 'SET_NULL' }) publisher!: Publisher | null;
  declare publisherId: number | null;
  declare books: RelatedManager<Book>;
  declare profile: Profile | null; // OneToOne default reverse name
}

// Book refers to Tag and Category before they are defined: the lazy targets resolve later.
@model({ table: 'rel_f_book' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) title!: string;
  @ForeignKey(() => Author, { relatedName: 'books' }) author!: Author;
  declare authorId: number;
  @ForeignKey(() => Author, { null: true, column: 'editor_ref', relatedName: 'edited', onDelete: 'SET_NULL' }) editor!: Author | null;
  declare editorId: number | null;
  @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
  @ManyToMany(() => Category) categories!: RelatedManager<Category>;
}

@model({ table: 'rel_f_tag' })
class Tag extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare books: RelatedManager<Book>;
}

@model({ table: 'rel_f_category' })
class Category extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  declare bookSet: RelatedManager<Book>; // default reverse name of a ManyToMany
}

@model({ table: 'rel_f_profile' })
class Profile extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) bio!: string;
  @OneToOne(() => Author) author!: Author;
  declare authorId: number;
}

// Self-references: a tree (ForeignKey) and a follow graph (ManyToMany).
@model({ table: 'rel_f_person' })
class Person extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Person, { null: true, relatedName: 'children', onDelete: 'SET_NULL' }) parent!: Person | null;
  declare parentId: number | null;
  @ManyToMany(() => Person, { relatedName: 'followers' }) following!: RelatedManager<Person>;
  declare children: RelatedManager<Person>;
  declare followers: RelatedManager<Person>;
  declare groups: RelatedManager<Group>;
}

// A cycle: Team → Player (captain) and Player → Team.
@model({ table: 'rel_f_team' })
class Team extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Player, { null: true, relatedName: 'captainOf', onDelete: 'SET_NULL' }) captain!: Player | null;
  declare captainId: number | null;
  declare players: RelatedManager<Player>;
}

@model({ table: 'rel_f_player' })
class Player extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Team, { relatedName: 'players' }) team!: Team;
  declare teamId: number;
  declare captainOf: RelatedManager<Team>;
}

// A custom join table with an extra column.
@model({ table: 'rel_f_group' })
class Group extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) name!: string;
  @ManyToMany(() => Person, { through: () => Membership, relatedName: 'groups' }) members!: RelatedManager<Person>;
}

@model({ table: 'rel_f_membership' })
class Membership extends Model {
  declare id: number;
  @ForeignKey(() => Group) group!: Group;
  declare groupId: number;
  @ForeignKey(() => Person) person!: Person;
  declare personId: number;
  @CharField({ maxLength: 20, default: 'member' }) role!: string;
}

const MODELS = [Publisher, Author, Book, Tag, Category, Profile, Person, Team, Player, Group, Membership];

describe('relation metadata', () => {
  it('a ForeignKey has the accessor name, the column property <name>Id and the column (default = the property)', () => {
    const author = Book.meta.field('author');
    expect([author.name, author.attname, author.column]).toEqual(['author', 'authorId', 'authorId']);
    const editor = Book.meta.field('editor');
    expect([editor.name, editor.attname, editor.column]).toEqual(['editor', 'editorId', 'editor_ref']);
    expect(Book.meta.findField('authorId')).toBe(author);
  });

  it('forward, reverse and many-to-many relations carry their kind and target, with default reverse names', () => {
    const kinds = (meta: typeof Book.meta): Record<string, string> =>
      Object.fromEntries([...meta.relations.values()].map((r) => [r.name, `${r.kind}->${r.target.name}${r.many ? '[]' : ''}`]));
    expect(kinds(Book.meta)).toEqual({ author: 'fk->Author', editor: 'fk->Author', tags: 'm2m->Tag[]', categories: 'm2m->Category[]' });
    expect(kinds(Author.meta)).toEqual({ publisher: 'fk->Publisher', books: 'reverse_fk->Book[]', edited: 'reverse_fk->Book[]', profile: 'reverse_o2o->Profile' });
    expect(kinds(Publisher.meta)).toEqual({ authorSet: 'reverse_fk->Author[]' });
    expect(kinds(Category.meta)).toEqual({ bookSet: 'reverse_m2m->Book[]' });
    expect(kinds(Tag.meta)).toEqual({ books: 'reverse_m2m->Book[]' });
    expect(kinds(Profile.meta)).toEqual({ author: 'o2o->Author' });
    expect(kinds(Person.meta)).toEqual({
      parent: 'fk->Person',
      children: 'reverse_fk->Person[]',
      following: 'm2m->Person[]',
      followers: 'reverse_m2m->Person[]',
      groups: 'reverse_m2m->Group[]',
      membershipSet: 'reverse_fk->Membership[]', // the through model's own ForeignKey has a reverse side too
    });
    expect(kinds(Team.meta)).toEqual({ captain: 'fk->Player', players: 'reverse_fk->Player[]' });
    expect(kinds(Player.meta)).toEqual({ team: 'fk->Team', captainOf: 'reverse_fk->Team[]' });
  });

  it('a OneToOne column is unique; a ForeignKey column is not', () => {
    expect(Profile.meta.field('author').unique).toBe(true);
    expect(Book.meta.field('author').unique).toBe(false);
  });

  it('automatic join tables: <table>_<snake(name)>, columns <model>Id/<target>Id (self: from<Model>Id/to<Model>Id), unique pair', () => {
    const tags = Book.meta.findRelation('tags')!.through!;
    expect(tags.meta.table).toBe('rel_f_book_tags');
    expect(tags.meta.autoCreated).toBe(true);
    expect([tags.source.column, tags.target.column]).toEqual(['bookId', 'tagId']);
    expect(tags.meta.uniqueTogether).toEqual([['book', 'tag']]);
    expect(Book.meta.findRelation('categories')!.through!.meta.table).toBe('rel_f_book_categories');
    const follow = Person.meta.findRelation('following')!.through!;
    expect(follow.meta.table).toBe('rel_f_person_following');
    expect([follow.source.column, follow.target.column]).toEqual(['fromPersonId', 'toPersonId']);
    // The reverse side reads the same table the other way round.
    const followers = Person.meta.findRelation('followers')!.through!;
    expect([followers.source.column, followers.target.column]).toEqual(['toPersonId', 'fromPersonId']);
    expect(registry.byTable('rel_f_book_tags')).toBe(tags.meta);
  });

  it('a custom through model is used as the join table', () => {
    const members = Group.meta.findRelation('members')!.through!;
    expect(members.meta).toBe(Membership.meta);
    expect([members.source.name, members.target.name]).toEqual(['group', 'person']);
    expect(registry.byTable('rel_f_group_members')).toBeUndefined();
  });

  it('definition errors are ConfigurationErrors naming the fix', () => {
    expect(() => ForeignKey(() => Author, { onDelete: 'SET_NULL' })).toThrow(/SET_NULL' needs \{ null: true \}/);
    expect(() => ForeignKey(() => Author, { onDelete: 'SET_DEFAULT' })).toThrow(/SET_DEFAULT' needs a default/);
    expect(() => ForeignKey(() => Author, { onDelete: 'CASCADES' as never })).toThrow(ConfigurationError);
    expect(() => ForeignKey('Author' as never)).toThrow(/lazy target/);
    expect(() => ManyToMany(() => Tag, { throughh: 1 } as never)).toThrow(/Unknown ManyToMany option 'throughh'/);
    expect(() => ForeignKey(() => Author, { relatedName: 'not valid' })).toThrow(ConfigurationError);
  });

  it('passing the class itself instead of a lazy target is refused where the model is defined', () => {
    // `ForeignKey(Author)` would never resolve (calling a class without `new` throws).
    expect(() => ForeignKey(Author as never)).toThrow(/lazy target: ForeignKey\(\(\) => Author, \{ \.\.\. \}\)/);
    expect(() => OneToOne(Author as never)).toThrow(ConfigurationError);
    expect(() => ManyToMany(Tag as never)).toThrow(/lazy target: ManyToMany\(\(\) => Tag, \{ \.\.\. \}\)/);
  });

  it('two relations whose reverse names coincide (both defaulting to <model>Set) are refused, not silently merged', () => {
    @model({ table: 'rel_f_twin_target' })
    class TwinTarget extends Model {
      @CharField({ maxLength: 10 }) name!: string;
    }
    @model({ table: 'rel_f_twin_source' })
    class TwinSource extends Model {
      @ForeignKey(() => TwinTarget) first!: TwinTarget;
      @ForeignKey(() => TwinTarget) second!: TwinTarget;
    }
    try {
      expect(() => registry.get(TwinSource)).toThrow(/TwinTarget already has a relation 'twinSourceSet'; give the relation from TwinSource another relatedName/);
    } finally {
      registry.unregister(TwinSource);
      registry.unregister(TwinTarget);
    }
  });

  it('a relatedName that clashes with a field of the target is refused when the relation resolves', () => {
    @model({ table: 'rel_f_clash_target' })
    class ClashTarget extends Model {
      @CharField({ maxLength: 10 }) name!: string;
    }
    @model({ table: 'rel_f_clash_source' })
    class ClashSource extends Model {
      @ForeignKey(() => ClashTarget, { relatedName: 'name' }) target!: ClashTarget;
    }
    try {
      expect(() => registry.get(ClashSource)).toThrow(/ClashTarget already has a field 'name'; give the relation from ClashSource another relatedName/);
    } finally {
      registry.unregister(ClashSource);
      registry.unregister(ClashTarget);
    }
  });
});

forEachDialect(
  'relation fields',
  (ctx) => {
    it('a ForeignKey stores the key in its column; the column property is set after every kind of load', async () => {
      const p = await Publisher.create({ name: 'Orbit' });
      const a = await Author.create({ name: 'Ann', publisher: p });
      expect(a.publisherId).toBe(p.id);
      const b = await Book.create({ title: 'Alpha', author: a });
      const raw = await sql<{ authorId: number; editor_ref: number | null }>`select ${sql.ref('authorId')}, ${sql.ref('editor_ref')} from ${sql.table('rel_f_book')}`.execute(ctx.connection().kysely);
      expect(raw.rows.map((r) => [Number(r.authorId), r.editor_ref])).toEqual([[a.id, null]]);

      expect((await Book.get({ id: b.id })).authorId).toBe(a.id);
      expect((await Book.all())[0].authorId).toBe(a.id);
      expect((await Book.all().selectRelated('author'))[0].authorId).toBe(a.id);
      expect((await Book.all().prefetchRelated('author'))[0].authorId).toBe(a.id);
      expect((await a.books.all())[0].authorId).toBe(a.id);
      const [fromPrefetch] = await Author.all().prefetchRelated('books');
      expect((await fromPrefetch.books.all())[0].authorId).toBe(a.id);
      expect((await Book.raw('SELECT * FROM rel_f_book'))[0].authorId).toBe(a.id);
      expect((await Book.get({ id: b.id })).toJSON()).toEqual({ id: b.id, title: 'Alpha', authorId: a.id, editorId: null });
    });

    it('a nullable ForeignKey: null key, null accessor, no error; a required one is enforced', async () => {
      const a = await Author.create({ name: 'Solo' });
      expect(a.publisherId).toBeNull();
      expect(a.publisher).toBeNull();
      const loaded = await Author.get({ id: a.id });
      expect(loaded.publisherId).toBeNull();
      expect(loaded.publisher).toBeNull();
      await expect(Book.create({ title: 'Orphan' })).rejects.toMatchObject({ name: 'ValidationError', errors: { author: expect.any(Array) } });
      expect(await Book.count()).toBe(0);
    });

    it('the database enforces the FK: a key that matches no row is IntegrityError kind foreign_key', async () => {
      const error = await Book.create({ title: 'Dangling', authorId: 999 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('foreign_key');
      expect(await Book.count()).toBe(0);
    });

    it('a OneToOne allows one row per target: a second is IntegrityError kind unique', async () => {
      const a = await Author.create({ name: 'Ann' });
      await Profile.create({ bio: 'first', author: a });
      const error = await Profile.create({ bio: 'second', author: a }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('unique');
      expect(await Profile.filter({ author: a }).valuesList('bio', { flat: true })).toEqual(['first']);
    });

    it('the automatic join table exists with its two columns and refuses a duplicate pair', async () => {
      const a = await Author.create({ name: 'Ann' });
      const b = await Book.create({ title: 'Alpha', author: a });
      const [t1, t2] = [await Tag.create({ name: 'sf' }), await Tag.create({ name: 'classic' })];
      await b.tags.add(t1, t2);
      const db = ctx.connection().kysely;
      const rows = await sql<{ bookId: number; tagId: number }>`select ${sql.ref('bookId')}, ${sql.ref('tagId')} from ${sql.table('rel_f_book_tags')} order by ${sql.ref('tagId')}`.execute(db);
      expect(rows.rows.map((r) => [Number(r.bookId), Number(r.tagId)])).toEqual([
        [b.id, t1.id],
        [b.id, t2.id],
      ]);
      const error = await db.insertInto('rel_f_book_tags').values({ bookId: b.id, tagId: t1.id }).execute().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('unique');
      // Deleting either side removes its links (ON DELETE CASCADE), never the other side.
      const b2 = await Book.create({ title: 'Beta', author: a });
      await b2.tags.add(t1);
      await t2.delete();
      expect(await b.tags.all().valuesList('name', { flat: true })).toEqual(['sf']);
      await b.delete();
      const left = await sql<{ bookId: number; tagId: number }>`select ${sql.ref('bookId')}, ${sql.ref('tagId')} from ${sql.table('rel_f_book_tags')}`.execute(db);
      expect(left.rows.map((r) => [Number(r.bookId), Number(r.tagId)])).toEqual([[b2.id, t1.id]]);
      expect(await Tag.all().valuesList('name', { flat: true })).toEqual(['sf']);
    });

    it('self-references: a tree through a ForeignKey and a follow graph through a ManyToMany', async () => {
      const root = await Person.create({ name: 'root' });
      const kid1 = await Person.create({ name: 'kid1', parent: root });
      const kid2 = await Person.create({ name: 'kid2', parent: root });
      const grandkid = await Person.create({ name: 'grandkid', parent: kid1 });
      expect(await root.children.orderBy('name').valuesList('name', { flat: true })).toEqual(['kid1', 'kid2']);
      expect(await Person.filter({ parent__parent: root }).valuesList('name', { flat: true })).toEqual(['grandkid']);
      expect(await Person.filter({ parent__name: 'root' }).orderBy('name').valuesList('name', { flat: true })).toEqual(['kid1', 'kid2']);
      const loaded = await Person.all().selectRelated('parent__parent').get({ id: grandkid.id });
      expect([loaded.parent?.name, loaded.parent?.parent?.name, loaded.parent?.parent?.parent]).toEqual(['kid1', 'root', null]);

      await kid1.following.add(root, kid2);
      await kid2.following.add(root);
      expect(await kid1.following.orderBy('name').valuesList('name', { flat: true })).toEqual(['kid2', 'root']);
      expect(await root.followers.orderBy('name').valuesList('name', { flat: true })).toEqual(['kid1', 'kid2']);
      expect(await kid2.followers.all().valuesList('name', { flat: true })).toEqual(['kid1']);
      expect(await grandkid.followers.count()).toBe(0);
      expect(await Person.filter({ followers__name: 'kid1' }).orderBy('name').valuesList('name', { flat: true })).toEqual(['kid2', 'root']);
      const raw = await sql<{ fromPersonId: number; toPersonId: number }>`select ${sql.ref('fromPersonId')}, ${sql.ref('toPersonId')} from ${sql.table('rel_f_person_following')} order by 1, 2`.execute(ctx.connection().kysely);
      expect(raw.rows.map((r) => [Number(r.fromPersonId), Number(r.toPersonId)])).toEqual([
        [kid1.id, root.id],
        [kid1.id, kid2.id],
        [kid2.id, root.id],
      ]);
    });

    it('a cycle (Team → Player → Team) is created, filled, queried both ways and unwound by SET_NULL', async () => {
      const team = await Team.create({ name: 'Owls' });
      const p1 = await Player.create({ name: 'Pat', team });
      await Player.create({ name: 'Quinn', team });
      team.captain = p1;
      await team.save();
      expect((await Team.get({ id: team.id })).captainId).toBe(p1.id);
      expect(await Team.filter({ captain__name: 'Pat' }).valuesList('name', { flat: true })).toEqual(['Owls']);
      expect(await Team.filter({ captain__team__name: 'Owls' }).count()).toBe(1);
      expect(await Player.filter({ captainOf__name: 'Owls' }).valuesList('name', { flat: true })).toEqual(['Pat']);
      const [loaded] = await Team.all().selectRelated('captain__team').prefetchRelated('players');
      expect(loaded.captain?.team.name).toBe('Owls');
      expect((await loaded.players.all()).map((p) => p.name).sort()).toEqual(['Pat', 'Quinn']);
      // Deleting the captain sets Team.captain to NULL (database-enforced SET_NULL inside the cycle).
      await p1.delete();
      expect((await Team.get({ id: team.id })).captainId).toBeNull();
    });

    it('a custom through model: rows written directly are seen by both managers and by lookups', async () => {
      const g = await Group.create({ name: 'chess' });
      const [ann, bob] = [await Person.create({ name: 'ann' }), await Person.create({ name: 'bob' })];
      await Membership.create({ group: g, person: ann, role: 'chair' });
      await g.members.add(bob); // the through model's other fields take their defaults
      expect(await g.members.orderBy('name').valuesList('name', { flat: true })).toEqual(['ann', 'bob']);
      expect(await ann.groups.all().valuesList('name', { flat: true })).toEqual(['chess']);
      expect(await Membership.filter({ group: g }).orderBy('person__name').valuesList('role', { flat: true })).toEqual(['chair', 'member']);
      expect(await Group.filter({ members__name: 'bob' }).count()).toBe(1);
      await g.members.remove(ann);
      expect(await Membership.filter({ group: g }).valuesList('role', { flat: true })).toEqual(['member']);
      const [prefetched] = await Group.all().prefetchRelated('members');
      expect((await prefetched.members.all()).map((p) => p.name)).toEqual(['bob']);
    });

    it('dropSchema and syncSchema handle the cycle and the join tables (in any order) and are idempotent', async () => {
      const tables = ['rel_f_team', 'rel_f_player', 'rel_f_book_tags', 'rel_f_book'];
      const exists = async (table: string): Promise<boolean> => ctx.connection().driver.tableExists(ctx.connection().kysely, table);
      try {
        const dropped = await dropSchema({ models: [Team, Player, Book, Tag, Category] });
        expect(dropped.sort()).toEqual(['rel_f_book', 'rel_f_book_categories', 'rel_f_book_tags', 'rel_f_category', 'rel_f_player', 'rel_f_tag', 'rel_f_team']);
        for (const t of tables) expect(await exists(t)).toBe(false);
        expect(await dropSchema({ models: [Team, Player] })).toEqual([]);
        // Player first: its table refers to Team before Team exists.
        const created = await syncSchema({ models: [Player, Team, Book, Tag, Category] });
        expect(created.tables.sort()).toEqual(['rel_f_book', 'rel_f_book_categories', 'rel_f_book_tags', 'rel_f_category', 'rel_f_player', 'rel_f_tag', 'rel_f_team']);
        for (const t of tables) expect(await exists(t)).toBe(true);
        expect((await syncSchema({ models: [Player, Team] })).tables).toEqual([]);
        // The constraints are back: a dangling key is refused.
        await expect(Player.create({ name: 'x', teamId: 12345 })).rejects.toMatchObject({ kind: 'foreign_key' });
      } finally {
        await syncSchema({ models: MODELS });
      }
    });
  },
  { models: MODELS },
);
