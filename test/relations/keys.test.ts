/**
 * Relations to models whose primary key is not an automatic integer, on every dialect: a UUID key
 * (PostgreSQL `uuid`, MySQL/SQLite text) and a CharField key; a foreign key with a `column` of its
 * own. The FK column takes the target key's type; filters, selectRelated, prefetchRelated (forward,
 * reverse and many-to-many, where keys are matched after conversion) and the managers work the same.
 */
import { expect, it } from 'vitest';
import { CharField, ForeignKey, IntegrityError, ManyToMany, Model, UUIDField, getConnection, model, type RelatedManager } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_k_country' })
class Country extends Model {
  @CharField({ maxLength: 2, primaryKey: true }) code!: string;
  @CharField({ maxLength: 50 }) name!: string;
  declare users: RelatedManager<User>;
}

@model({ table: 'rel_k_user' })
class User extends Model {
  @UUIDField({ primaryKey: true }) id!: string;
  @CharField({ maxLength: 50 }) name!: string;
  @ForeignKey(() => Country, { relatedName: 'users', column: 'country_code' }) country!: Country;
  declare countryId: string;
  declare docs: RelatedManager<Doc>;
  declare shared: RelatedManager<Doc>;
}

@model({ table: 'rel_k_doc' })
class Doc extends Model {
  @UUIDField({ primaryKey: true, version: 7 }) id!: string;
  @CharField({ maxLength: 50 }) title!: string;
  @ForeignKey(() => User, { relatedName: 'docs' }) owner!: User;
  declare ownerId: string;
  @ManyToMany(() => User, { relatedName: 'shared' }) readers!: RelatedManager<User>;
}

const MODELS = [Country, User, Doc];
const queries = (): number => getConnection().metrics().queries;

forEachDialect(
  'relations with UUID and text keys',
  () => {
    async function seed(): Promise<{ fr: Country; de: Country; ann: User; bob: User; d1: Doc; d2: Doc }> {
      const fr = await Country.create({ code: 'FR', name: 'France' });
      const de = await Country.create({ code: 'DE', name: 'Germany' });
      const ann = await User.create({ name: 'ann', country: fr });
      const bob = await User.create({ name: 'bob', countryId: 'DE' });
      const d1 = await Doc.create({ title: 'one', owner: ann });
      const d2 = await Doc.create({ title: 'two', owner: bob });
      await d1.readers.add(bob, ann);
      await d2.readers.add(ann.id);
      return { fr, de, ann, bob, d1, d2 };
    }

    it('the key columns hold the target keys; filters by instance, key and path agree', async () => {
      const { fr, ann, d1 } = await seed();
      expect(ann.countryId).toBe('FR');
      expect(d1.ownerId).toBe(ann.id);
      expect(ann.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const loaded = await User.get({ name: 'ann' });
      expect([loaded.id, loaded.countryId]).toEqual([ann.id, 'FR']);
      for (const f of [{ country: fr }, { countryId: 'FR' }, { country__code: 'FR' }, { country__name: 'France' }] as const) {
        expect(await User.filter(f as never).valuesList('name', { flat: true })).toEqual(['ann']);
      }
      expect(await Doc.filter({ owner__country__name: 'Germany' }).valuesList('title', { flat: true })).toEqual(['two']);
      expect(await Doc.filter({ readers__name: 'bob' }).valuesList('title', { flat: true })).toEqual(['one']);
      expect(await Country.filter({ users__docs__title: 'one' }).valuesList('code', { flat: true })).toEqual(['FR']);
      await expect(User.create({ name: 'x', countryId: 'ZZ' })).rejects.toBeInstanceOf(IntegrityError);
    });

    it('selectRelated and prefetchRelated match keys after conversion (uuid and text)', async () => {
      const { ann, bob } = await seed();
      const before = queries();
      const docs = await Doc.all().selectRelated('owner__country').prefetchRelated('readers').orderBy('title');
      expect(queries() - before).toBe(2);
      expect(docs.map((d) => [d.title, d.owner.name, d.owner.country.name])).toEqual([
        ['one', 'ann', 'France'],
        ['two', 'bob', 'Germany'],
      ]);
      const readers = await Promise.all(docs.map(async (d) => (await d.readers.all()).map((u) => u.name).sort()));
      expect(readers).toEqual([['ann', 'bob'], ['ann']]);
      const countries = await Country.all().prefetchRelated('users', 'users__docs', 'users__shared').orderBy('code');
      const shape = await Promise.all(
        countries.map(async (c) => [c.code, await Promise.all((await c.users.all()).map(async (u) => [u.name, (await u.docs.all()).map((d) => d.title), (await u.shared.all()).map((d) => d.title).sort()]))]),
      );
      expect(shape).toEqual([
        ['DE', [['bob', ['two'], ['one']]]],
        ['FR', [['ann', ['one'], ['one', 'two']]]],
      ]);
      expect(queries() - before).toBe(2 + 4);
      await bob.load('country');
      expect(bob.country.name).toBe('Germany');
      expect((await ann.shared.orderBy('title')).map((d) => d.title)).toEqual(['one', 'two']);
    });

    it('managers: remove, set and clear with UUID keys', async () => {
      const { ann, bob, d1, d2 } = await seed();
      await d1.readers.remove(ann.id);
      expect((await d1.readers.all()).map((u) => u.name)).toEqual(['bob']);
      await d2.readers.set([bob]);
      expect((await d2.readers.all()).map((u) => u.name)).toEqual(['bob']);
      expect(await ann.shared.count()).toBe(0);
      await bob.shared.clear();
      expect(await Doc.filter({ readers__isnull: false }).count()).toBe(0);
      expect(await bob.docs.all().valuesList('title', { flat: true })).toEqual(['two']);
    });

    it('bulkUpdate and update of a foreign key to a text key', async () => {
      const { ann, bob, de } = await seed();
      ann.country = de;
      expect(await User.bulkUpdate([ann], ['country'])).toBe(1);
      expect(await User.filter({ country: de }).orderBy('name').valuesList('name', { flat: true })).toEqual(['ann', 'bob']);
      expect(await User.filter({ id: bob.id }).update({ countryId: 'FR' })).toBe(1);
      expect(await Country.filter({ code: 'FR' }).get().then((c) => c.users.all().valuesList('name', { flat: true }))).toEqual(['bob']);
    });
  },
  { models: MODELS },
);
