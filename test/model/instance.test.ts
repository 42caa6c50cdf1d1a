/**
 * Instances on every dialect: create, build + save (INSERT then UPDATE), save({ updateFields }),
 * delete, refreshFromDb, pk, toJSON, defaults, autoNow/autoNowAdd, custom and UUID primary keys, hooks,
 * and hydration that never runs user constructors.
 */
import { IsEmail } from 'class-validator';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  BigIntField,
  BinaryField,
  BooleanField,
  CharField,
  DateTimeField,
  FieldError,
  IntField,
  JSONField,
  Model,
  OxenError,
  PreSave,
  UUIDField,
  ValidationError,
  getConnection,
  model,
  type JsonValue,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

let rankSeq = 0;
let constructed = 0;

@model({ table: 'inst_authors' })
class Writer extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255, unique: true }) @IsEmail() email!: string;
  @IntField({ default: 0, min: 0 }) age!: number;
  @BooleanField({ default: true }) isActive!: boolean;
  @IntField({ default: () => ++rankSeq }) rank!: number;
  @JSONField({ default: () => ({ tags: [] }) }) prefs!: JsonValue;
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;
  @DateTimeField({ autoNow: true }) updatedAt!: Date;
  @BigIntField({ null: true }) followers!: bigint | null;
  @BinaryField({ null: true }) avatar!: Buffer | null;
  @CharField({ maxLength: 50, null: true, column: 'nick_name' }) nickname!: string | null;

  constructor() {
    super();
    constructed++;
  }

  @PreSave() normalise(): void {
    this.email = this.email.toLowerCase();
  }
}

@model({ table: 'inst_codes' })
class Code extends Model {
  @CharField({ maxLength: 10, primaryKey: true }) code!: string;
  @CharField({ maxLength: 50 }) label!: string;
}

@model({ table: 'inst_tokens' })
class Token extends Model {
  @UUIDField({ primaryKey: true }) key!: string;
  @CharField({ maxLength: 50 }) label!: string;
}

@model({ table: 'inst_tokens_v7' })
class TokenV7 extends Model {
  @UUIDField({ primaryKey: true, version: 7 }) key!: string;
  @CharField({ maxLength: 50 }) label!: string;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The row as stored, read with plain Kysely (no Oxen converters). */
async function stored(id: number): Promise<Record<string, unknown>> {
  const r = await sql<Record<string, unknown>>`select * from ${sql.table('inst_authors')} where id = ${id}`.execute(getConnection().kysely);
  return r.rows[0];
}

forEachDialect(
  'model: instances',
  () => {
    beforeEach(() => {
      rankSeq = 0;
    });

    describe('create()', () => {
      it('INSERTs a row, sets the generated id and applies the defaults', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        const bob = await Writer.create({ name: 'Bob', email: 'bob@x.io', age: 41, isActive: false });
        expect([ann.id, bob.id]).toEqual([1, 2]);
        expect(typeof ann.id).toBe('number');
        expect(ann.isSaved).toBe(true);
        expect(ann.age).toBe(0);
        expect(ann.isActive).toBe(true);
        expect(ann.prefs).toEqual({ tags: [] });
        expect(ann.followers).toBeNull(); // validation writes the cleaned values back
        const back = await Writer.get({ id: bob.id });
        expect(back.name).toBe('Bob');
        expect(back.age).toBe(41);
        expect(back.isActive).toBe(false);
        expect(back.followers).toBeNull();
        expect(await Writer.count()).toBe(2);
      });

      it('runs @PreSave hooks before the INSERT', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ANN@X.IO' });
        expect(ann.email).toBe('ann@x.io');
        expect((await Writer.get({ id: ann.id })).email).toBe('ann@x.io');
      });

      it('stores a field with { column } in that column', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io', nickname: 'annie' });
        const row = await stored(ann.id);
        expect(row.nick_name).toBe('annie');
        expect(row).not.toHaveProperty('nickname');
        expect((await Writer.get({ nickname: 'annie' })).id).toBe(ann.id);
      });
    });

    describe('build() and save()', () => {
      it('build() makes an unsaved instance; the first save() INSERTs, later saves UPDATE the same row', async () => {
        const bob = Writer.build({ name: 'Bob', email: 'bob@x.io' });
        expect(bob.isSaved).toBe(false);
        expect(bob.id).toBeUndefined();
        expect(bob.pk).toBeUndefined();
        expect(await Writer.count()).toBe(0);

        bob.age = 41;
        await bob.save();
        expect(bob.isSaved).toBe(true);
        expect(bob.id).toBe(1);
        expect((await Writer.get({ id: 1 })).age).toBe(41);

        bob.age = 42;
        bob.name = 'Robert';
        const result = await bob.save();
        expect(result).toBe(bob);
        expect(bob.id).toBe(1);
        expect(await Writer.count()).toBe(1);
        const back = await Writer.get({ id: 1 });
        expect(back.age).toBe(42);
        expect(back.name).toBe('Robert');
      });

      it('save() of a loaded instance UPDATEs it', async () => {
        await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        const loaded = await Writer.get({ email: 'ann@x.io' });
        expect(loaded.isSaved).toBe(true);
        loaded.age = 30;
        await loaded.save();
        expect(await Writer.count()).toBe(1);
        expect((await Writer.get({ id: loaded.id })).age).toBe(30);
      });

      it('save({ updateFields }) writes only those columns (and autoNow fields)', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io', age: 20 });
        // Someone else changes the name behind this instance's back.
        await sql`update ${sql.table('inst_authors')} set name = ${'Changed'} where id = ${ann.id}`.execute(getConnection().kysely);
        ann.name = 'Local';
        ann.age = 50;
        ann.updatedAt = new Date(0);
        await ann.save({ updateFields: ['age'] });
        const back = await Writer.get({ id: ann.id });
        expect(back.age).toBe(50);
        expect(back.name).toBe('Changed');
        expect(back.updatedAt.getTime()).toBe(ann.updatedAt.getTime());
        expect(ann.updatedAt.getTime()).not.toBe(0);
      });

      it('save({ updateFields }) validates only those fields', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        ann.name = 'x'.repeat(500); // invalid, but not written
        ann.age = 7;
        await ann.save({ updateFields: ['age'] });
        expect((await Writer.get({ id: ann.id })).name).toBe('Ann');
        ann.age = -1;
        const error = await rejection(ann.save({ updateFields: ['age'] }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual({ age: ['must be at least 0'] });
      });

      it('save({ updateFields }) refuses an unknown field, the primary key, and an unsaved instance', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        const unknown = await rejection(ann.save({ updateFields: ['agee'] }));
        expect(unknown).toBeInstanceOf(FieldError);
        expect(unknown.message).toMatch(/^Unknown field 'agee' in save\(\{ updateFields \}\) for Writer; did you mean 'age'\?/);
        const pk = await rejection(ann.save({ updateFields: ['id'] }));
        expect(pk).toBeInstanceOf(FieldError);
        expect(pk.message).toBe('save({ updateFields }) cannot change the primary key of Writer');
        const unsaved = await rejection(Writer.build({ name: 'B', email: 'b@x.io' }).save({ updateFields: ['age'] }));
        expect(unsaved).toBeInstanceOf(OxenError);
        expect(unsaved.message).toBe('save({ updateFields }) needs a saved Writer; this one was never saved');
        expect(await Writer.count()).toBe(1);
      });

      it('save() of a row deleted meanwhile throws Writer.DoesNotExist', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        await Writer.filter({ id: ann.id }).delete();
        ann.age = 3;
        const error = await rejection(ann.save());
        expect(error).toBeInstanceOf(Writer.DoesNotExist);
        expect(error.message).toBe('Writer with id=1 no longer exists; nothing was updated');
        expect(await Writer.count()).toBe(0);
      });

      it('validate() runs the field rules and class-validator decorators', async () => {
        const w = Writer.build({ name: 'W', email: 'not an email', age: -2 });
        const error = await rejection(w.validate());
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors.age).toEqual(['must be at least 0']);
        expect((error as ValidationError).errors.email).toEqual(['email must be an email']);
      });
    });

    describe('delete()', () => {
      it('DELETEs the row, resolves to 1 and leaves the instance unsaved, still reporting its key', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        await Writer.create({ name: 'Bob', email: 'bob@x.io' });
        expect(await ann.delete()).toBe(1);
        expect(ann.isSaved).toBe(false);
        expect(ann.id).toBe(1);
        expect(ann.pk).toBe(1);
        expect(await Writer.count()).toBe(1);
        expect(await Writer.getOrNull({ email: 'ann@x.io' })).toBeNull();
        const error = await rejection(Writer.get({ id: ann.pk as number }));
        expect(error).toBeInstanceOf(Writer.DoesNotExist);
      });


      it('refuses an instance that was never saved', async () => {
        const error = await rejection(Writer.build({ name: 'A', email: 'a@x.io' }).delete());
        expect(error).toBeInstanceOf(OxenError);
        expect(error.message).toBe('Cannot delete this Writer: it was never saved');
      });

      it('saving a deleted instance INSERTs it again with a new id (the old one stays reported until then)', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        await ann.delete();
        expect(ann.id).toBe(1);
        await ann.save();
        expect(ann.id).toBe(2);
        expect(await Writer.count()).toBe(1);
      });
    });

    describe('refreshFromDb()', () => {
      it('reloads every field from the database', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io', age: 20 });
        await Writer.filter({ id: ann.id }).update({ name: 'Anna', age: 21, followers: 9007199254740993n });
        ann.nickname = 'unsaved';
        expect(await ann.refreshFromDb()).toBe(ann);
        expect(ann.name).toBe('Anna');
        expect(ann.age).toBe(21);
        expect(ann.followers).toBe(9007199254740993n);
        expect(ann.nickname).toBeNull();
      });

      it('reloads only the named fields', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io', age: 20 });
        await Writer.filter({ id: ann.id }).update({ name: 'Anna', age: 21 });
        await ann.refreshFromDb(['age']);
        expect(ann.age).toBe(21);
        expect(ann.name).toBe('Ann');
      });

      it('throws Writer.DoesNotExist when the row is gone, and refuses an instance without a key', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        await Writer.filter({ id: ann.id }).delete();
        const gone = await rejection(ann.refreshFromDb());
        expect(gone).toBeInstanceOf(Writer.DoesNotExist);
        expect(gone.message).toBe('Writer with id=1 does not exist');
        const fresh = await rejection(Writer.build({ name: 'B', email: 'b@x.io' }).refreshFromDb());
        expect(fresh).toBeInstanceOf(OxenError);
        expect(fresh.message).toBe('Cannot refresh this Writer: it has no primary key yet');
      });
    });

    describe('pk and primary keys', () => {
      it('pk is the primary key value, whatever the field is called', async () => {
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        expect(ann.pk).toBe(ann.id);
        const code = await Code.create({ code: 'abc', label: 'A' });
        expect(code.pk).toBe('abc');
        code.pk = 'xyz';
        expect(code.code).toBe('xyz');
      });

      it('a custom primary key is given, saved, found and updated', async () => {
        await Code.create({ code: 'abc', label: 'A' });
        const found = await Code.get({ code: 'abc' });
        found.label = 'B';
        await found.save();
        expect(await Code.count()).toBe(1);
        expect((await Code.get({ code: 'abc' })).label).toBe('B');
        const missing = await rejection(Code.create({ label: 'no key' }));
        expect(missing).toBeInstanceOf(ValidationError);
        expect((missing as ValidationError).errors).toEqual({ code: ['is required'] });
      });

      it('a UUIDv4 primary key is generated client-side and round-trips', async () => {
        const a = await Token.create({ label: 'a' });
        const b = await Token.create({ label: 'b' });
        expect(a.key).toMatch(UUID_V4);
        expect(b.key).toMatch(UUID_V4);
        expect(a.key).not.toBe(b.key);
        const back = await Token.get({ key: a.key });
        expect(back.key).toBe(a.key);
        expect(back.label).toBe('a');
        back.label = 'A';
        await back.save();
        expect(await Token.count()).toBe(2);
        expect((await Token.get({ key: a.key })).label).toBe('A');
      });

      it('a UUIDv7 primary key is generated client-side and round-trips', async () => {
        const t = await TokenV7.create({ label: 'v7' });
        expect(t.key).toMatch(UUID_V7);
        expect((await TokenV7.get({ key: t.key })).label).toBe('v7');
      });
    });

    describe('toJSON()', () => {
      it('gives a JSON-safe object: bigint → string, Buffer → base64, Date stays a Date', async () => {
        const createdAt = new Date('2024-01-02T03:04:05.678Z');
        const ann = await Writer.create({
          name: 'Ann',
          email: 'ann@x.io',
          followers: 9007199254740993n,
          avatar: Buffer.from([0, 1, 2, 255]),
          createdAt,
        });
        const json = ann.toJSON();
        expect(json).toEqual({
          id: 1,
          name: 'Ann',
          email: 'ann@x.io',
          age: 0,
          isActive: true,
          rank: 1,
          prefs: { tags: [] },
          createdAt,
          updatedAt: ann.updatedAt,
          followers: '9007199254740993',
          avatar: 'AAEC/w==',
          nickname: null,
        });
        const parsed = JSON.parse(JSON.stringify(await Writer.get({ id: ann.id }))) as Record<string, unknown>;
        expect(parsed.createdAt).toBe('2024-01-02T03:04:05.678Z');
        expect(parsed.followers).toBe('9007199254740993');
        expect(parsed.avatar).toBe('AAEC/w==');
        expect(parsed.nickname).toBeNull();
      });
    });

    describe('defaults', () => {
      it('a default function is called once per new instance; a given value skips it', () => {
        const a = Writer.build({ name: 'A', email: 'a@x.io' });
        const b = Writer.build({ name: 'B', email: 'b@x.io' });
        const c = Writer.build({ name: 'C', email: 'c@x.io', rank: 99 });
        expect([a.rank, b.rank, c.rank]).toEqual([1, 2, 99]);
        expect(rankSeq).toBe(2);
        expect(a.prefs).toEqual({ tags: [] });
        expect(a.prefs).not.toBe(b.prefs);
      });

      it('defaults are stored', async () => {
        const a = await Writer.create({ name: 'A', email: 'a@x.io' });
        const row = await Writer.get({ id: a.id });
        expect(row.age).toBe(0);
        expect(row.isActive).toBe(true);
        expect(row.rank).toBe(1);
        expect(row.prefs).toEqual({ tags: [] });
      });
    });

    describe('autoNow and autoNowAdd', () => {
      it('autoNowAdd stamps the first INSERT and is kept by later saves; autoNow stamps every save', async () => {
        const before = Date.now();
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        const after = Date.now();
        expect(ann.createdAt).toBeInstanceOf(Date);
        expect(ann.createdAt.getTime()).toBeGreaterThanOrEqual(before);
        expect(ann.createdAt.getTime()).toBeLessThanOrEqual(after);
        expect(ann.updatedAt.getTime()).toBe(ann.createdAt.getTime());

        const createdAt = ann.createdAt.getTime();
        ann.updatedAt = new Date(0);
        ann.age = 5;
        await ann.save();
        expect(ann.createdAt.getTime()).toBe(createdAt);
        expect(ann.updatedAt.getTime()).toBeGreaterThanOrEqual(createdAt);
        const back = await Writer.get({ id: ann.id });
        expect(back.createdAt.getTime()).toBe(createdAt);
        expect(back.updatedAt.getTime()).toBe(ann.updatedAt.getTime());
      });

      it('an explicit autoNowAdd value on create is kept', async () => {
        const createdAt = new Date('2001-02-03T04:05:06.789Z');
        const ann = await Writer.create({ name: 'Ann', email: 'ann@x.io', createdAt });
        expect((await Writer.get({ id: ann.id })).createdAt.getTime()).toBe(createdAt.getTime());
      });
    });

    describe('hydration', () => {
      it('loaded instances are instances of the model, built without running its constructor', async () => {
        constructed = 0;
        await Writer.create({ name: 'Ann', email: 'ann@x.io' });
        await Writer.create({ name: 'Bob', email: 'bob@x.io' });
        expect(constructed).toBe(2); // build() inside create() constructs
        const all = await Writer.all();
        const one = await Writer.get({ email: 'bob@x.io' });
        const raw = await Writer.raw('SELECT * FROM inst_authors WHERE age >= ?', [0]);
        expect(all).toHaveLength(2);
        expect(raw).toHaveLength(2);
        expect(one).toBeInstanceOf(Writer);
        expect(one).toBeInstanceOf(Model);
        expect(one.isSaved).toBe(true);
        expect(constructed).toBe(2);
      });
    });
  },
  { models: [Writer, Code, Token, TokenV7] },
);
