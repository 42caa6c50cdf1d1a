/**
 * `onDelete` on every dialect, with the surviving rows: CASCADE, SET_NULL, RESTRICT and NO_ACTION are
 * FK constraints enforced by the database; SET_DEFAULT is done by the ORM (the JS default) inside the
 * delete's transaction. RESTRICT/NO_ACTION violations are IntegrityError kind 'foreign_key' and delete
 * nothing. Both instance `delete()` and `QuerySet.delete()` (also with a filter across relations).
 */
import { describe, expect, it } from 'vitest';
import { CharField, ForeignKey, IntegrityError, Model, model, transaction, type RelatedManager } from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'rel_d_owner' })
class Owner extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  declare cascades: RelatedManager<CascadeChild>;
  declare defaults: RelatedManager<SetDefaultChild>;
}

@model({ table: 'rel_d_cascade' })
class CascadeChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => Owner, { onDelete: 'CASCADE', relatedName: 'cascades' }) owner!: Owner;
  declare ownerId: number;
}

/** A second level: deleting an Owner cascades to CascadeChild and from there to GrandChild. */
@model({ table: 'rel_d_grand' })
class GrandChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => CascadeChild, { onDelete: 'CASCADE', relatedName: 'grands' }) parent!: CascadeChild;
  declare parentId: number;
}

@model({ table: 'rel_d_setnull' })
class SetNullChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => Owner, { onDelete: 'SET_NULL', null: true, relatedName: 'nulls' }) owner!: Owner | null;
  declare ownerId: number | null;
}

@model({ table: 'rel_d_restrict' })
class RestrictChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => Owner, { onDelete: 'RESTRICT', null: true, relatedName: 'restricts' }) owner!: Owner | null;
  declare ownerId: number | null;
}

@model({ table: 'rel_d_noaction' })
class NoActionChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => Owner, { onDelete: 'NO_ACTION', null: true, relatedName: 'noActions' }) owner!: Owner | null;
  declare ownerId: number | null;
}

/** Owner #1 ("fallback") is the default: orphans are handed to it. */
let defaultCalls = 0;
@model({ table: 'rel_d_setdefault' })
class SetDefaultChild extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) name!: string;
  @ForeignKey(() => Owner, {
    onDelete: 'SET_DEFAULT',
    default: () => {
      defaultCalls++;
      return 1;
    },
    relatedName: 'defaults',
  })
  owner!: Owner;
  declare ownerId: number;
}

const MODELS = [Owner, CascadeChild, GrandChild, SetNullChild, RestrictChild, NoActionChild, SetDefaultChild];

const names = async (qs: PromiseLike<{ name: string }[]>): Promise<string[]> => (await qs).map((r) => r.name).sort();
const pairs = async (cls: typeof SetNullChild | typeof SetDefaultChild | typeof RestrictChild | typeof CascadeChild): Promise<[string, number | null][]> =>
  ((await cls.orderBy('name').valuesList('name', 'ownerId')) as [string, number | null][]).map(([n, o]) => [n, o === null ? null : Number(o)]);

describe('onDelete metadata', () => {
  it('each foreign key records its onDelete (default CASCADE)', () => {
    expect(MODELS.slice(1).map((m) => (m.meta.fields.find((f) => 'onDelete' in f) as unknown as { onDelete: string }).onDelete)).toEqual([
      'CASCADE',
      'CASCADE',
      'SET_NULL',
      'RESTRICT',
      'NO_ACTION',
      'SET_DEFAULT',
    ]);
  });
});

forEachDialect(
  'onDelete',
  () => {
    /** fallback (#1), ann (#2), bob (#3). */
    async function owners(): Promise<{ fallback: Owner; ann: Owner; bob: Owner }> {
      return { fallback: await Owner.create({ name: 'fallback' }), ann: await Owner.create({ name: 'ann' }), bob: await Owner.create({ name: 'bob' }) };
    }

    it('CASCADE deletes the children (and their children) of the deleted row only', async () => {
      const { ann, bob } = await owners();
      const a1 = await CascadeChild.create({ name: 'a1', owner: ann });
      await CascadeChild.create({ name: 'a2', owner: ann });
      const b1 = await CascadeChild.create({ name: 'b1', owner: bob });
      await GrandChild.create({ name: 'a1.x', parent: a1 });
      await GrandChild.create({ name: 'b1.x', parent: b1 });
      expect(await ann.delete()).toBe(1);
      expect(await pairs(CascadeChild)).toEqual([['b1', bob.id]]);
      expect(await names(GrandChild.all())).toEqual(['b1.x']);
      expect(await names(Owner.all())).toEqual(['bob', 'fallback']);
    });

    it('SET_NULL keeps the children with a NULL key', async () => {
      const { ann, bob } = await owners();
      await SetNullChild.create({ name: 'a1', owner: ann });
      await SetNullChild.create({ name: 'b1', owner: bob });
      await ann.delete();
      expect(await pairs(SetNullChild)).toEqual([
        ['a1', null],
        ['b1', bob.id],
      ]);
      expect(await SetNullChild.filter({ owner__isnull: true }).valuesList('name', { flat: true })).toEqual(['a1']);
    });

    it('RESTRICT refuses the delete with IntegrityError kind foreign_key; nothing is deleted, not even cascades', async () => {
      const { ann } = await owners();
      await RestrictChild.create({ name: 'r1', owner: ann });
      await CascadeChild.create({ name: 'c1', owner: ann });
      await SetNullChild.create({ name: 'n1', owner: ann });
      const error = await ann.delete().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('foreign_key');
      expect(await names(Owner.all())).toEqual(['ann', 'bob', 'fallback']);
      expect(await pairs(RestrictChild)).toEqual([['r1', ann.id]]);
      expect(await pairs(CascadeChild)).toEqual([['c1', ann.id]]);
      expect(await pairs(SetNullChild)).toEqual([['n1', ann.id]]);
      // Once the restricting row points elsewhere, the delete goes through.
      await RestrictChild.filter({ owner: ann }).update({ owner: null });
      expect(await ann.delete()).toBe(1);
      expect(await CascadeChild.count()).toBe(0);
    });

    it('NO_ACTION refuses the delete like RESTRICT (IntegrityError kind foreign_key, nothing deleted)', async () => {
      const { ann, bob } = await owners();
      await NoActionChild.create({ name: 'x1', owner: ann });
      const error = await Owner.filter({ name__in: ['ann', 'bob'] }).delete().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).kind).toBe('foreign_key');
      expect(await names(Owner.all())).toEqual(['ann', 'bob', 'fallback']);
      // bob has no NoActionChild, so it can go alone.
      expect(await bob.delete()).toBe(1);
      expect(await names(Owner.all())).toEqual(['ann', 'fallback']);
    });

    it('SET_DEFAULT sets the JS default (a function, called per delete) on the children, by the ORM', async () => {
      const { fallback, ann, bob } = await owners();
      await SetDefaultChild.create({ name: 'a1', owner: ann });
      await SetDefaultChild.create({ name: 'a2', owner: ann });
      await SetDefaultChild.create({ name: 'b1', owner: bob });
      defaultCalls = 0;
      expect(await ann.delete()).toBe(1);
      expect(defaultCalls).toBe(1);
      expect(await pairs(SetDefaultChild)).toEqual([
        ['a1', fallback.id],
        ['a2', fallback.id],
        ['b1', bob.id],
      ]);
      expect(await fallback.defaults.count()).toBe(2);
    });

    it('SET_DEFAULT on QuerySet.delete() of several rows, filtered across a relation', async () => {
      const { fallback, ann, bob } = await owners();
      await SetDefaultChild.create({ name: 'a1', owner: ann });
      await SetDefaultChild.create({ name: 'b1', owner: bob });
      await CascadeChild.create({ name: 'marker', owner: ann });
      await CascadeChild.create({ name: 'marker', owner: bob });
      // Owners that have a CascadeChild named 'marker': ann and bob (a reverse, to-many filter).
      expect(await Owner.filter({ cascades__name: 'marker' }).delete()).toBe(2);
      expect(await pairs(SetDefaultChild)).toEqual([
        ['a1', fallback.id],
        ['b1', fallback.id],
      ]);
      expect(await names(Owner.all())).toEqual(['fallback']);
      expect(await CascadeChild.count()).toBe(0);
    });

    it('SET_DEFAULT is undone when the delete fails (same transaction): a RESTRICT child blocks it', async () => {
      const { ann } = await owners();
      await SetDefaultChild.create({ name: 'a1', owner: ann });
      await RestrictChild.create({ name: 'r1', owner: ann });
      await expect(ann.delete()).rejects.toMatchObject({ name: 'IntegrityError', kind: 'foreign_key' });
      expect(await pairs(SetDefaultChild)).toEqual([['a1', ann.id]]);
      expect(await names(Owner.all())).toEqual(['ann', 'bob', 'fallback']);
    });

    it('inside an outer transaction SET_DEFAULT joins it and rolls back with it', async () => {
      const { ann } = await owners();
      await SetDefaultChild.create({ name: 'a1', owner: ann });
      const annId = ann.id; // delete() clears an automatic primary key on the instance
      const boom = new Error('boom');
      await expect(
        transaction(async () => {
          await ann.delete();
          expect(await pairs(SetDefaultChild)).toEqual([['a1', 1]]);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await pairs(SetDefaultChild)).toEqual([['a1', annId]]);
      expect(await Owner.filter({ id: annId }).count()).toBe(1);
    });

    it('QuerySet.delete() with a filter across a to-one relation deletes the matching rows only', async () => {
      const { ann, bob } = await owners();
      await CascadeChild.create({ name: 'a1', owner: ann });
      await CascadeChild.create({ name: 'a2', owner: ann });
      await CascadeChild.create({ name: 'b1', owner: bob });
      expect(await CascadeChild.filter({ owner__name: 'ann' }).delete()).toBe(2);
      expect(await pairs(CascadeChild)).toEqual([['b1', bob.id]]);
      expect(await GrandChild.filter({ parent__owner__name: 'bob' }).delete()).toBe(0);
    });
  },
  { models: MODELS },
);
