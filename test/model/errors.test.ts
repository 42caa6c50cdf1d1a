/**
 * The errors a model's user meets, on every dialect: unknown keys (FieldError with did-you-mean),
 * missing required fields (ValidationError), duplicate unique values and NOT NULL violations
 * (IntegrityError with the driver error as `cause`, the SQL and redacted parameters), and get()'s
 * DoesNotExist / MultipleObjectsReturned subclasses.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  CharField,
  DoesNotExist,
  FieldError,
  IntField,
  IntegrityError,
  Model,
  MultipleObjectsReturned,
  OxenError,
  ValidationError,
  getConnection,
  model,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'err_authors' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255, unique: true }) email!: string;
  @IntField({ default: 0 }) age!: number;
}

@model({ table: 'err_books' })
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) title!: string;
}

forEachDialect(
  'model: errors',
  (ctx) => {
    describe('unknown keys and missing fields', () => {
      it('an unknown key in create() is a FieldError with a did-you-mean, and nothing is written', async () => {
        const error = await rejection(Author.create({ name: 'Ann', emial: 'a@x.io' } as never));
        expect(error).toBeInstanceOf(FieldError);
        expect(error.message).toBe("Unknown field 'emial' for Author; did you mean 'email'? Valid names: age, email, id, name");
        expect((error as FieldError).field).toBe('emial');
        expect((error as FieldError).model).toBe('Author');
        expect(await Author.count()).toBe(0);
      });

      it('an unknown key in build() is a FieldError too', () => {
        expect(() => Author.build({ nmae: 'x' } as never)).toThrow(FieldError);
      });

      it('a missing required field is a ValidationError naming it, and nothing is written', async () => {
        const error = await rejection(Author.create({ name: 'Ann' }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual({ email: ['is required'] });
        expect(error.message).toBe('Author is not valid: email: is required');
        expect(await Author.count()).toBe(0);
      });

      it('null for a NOT NULL field is a ValidationError', async () => {
        const error = await rejection(Author.create({ name: null as never, email: 'a@x.io' }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual({ name: ['may not be null'] });
      });
    });

    describe('IntegrityError', () => {
      it("a duplicate unique value is IntegrityError { kind: 'unique' } with the driver error as cause, the SQL and redacted parameters", async () => {
        await Author.create({ name: 'Ann', email: 'ann@x.io' });
        const error = await rejection(Author.create({ name: 'Other Ann', email: 'ann@x.io' }));
        expect(error).toBeInstanceOf(IntegrityError);
        expect(error).toBeInstanceOf(OxenError);
        const e = error as IntegrityError;
        expect(e.kind).toBe('unique');
        expect(e.message).toMatch(/^unique constraint failed: /);
        expect(e.cause).toBeInstanceOf(Error);
        expect(e.cause).not.toBeInstanceOf(OxenError);
        expect(e.sql).toMatch(/^insert into [`"]err_authors[`"]/);
        expect(e.parameters).toEqual(['string(9)', 'string(8)', 'number']);
        expect(JSON.stringify(e.parameters)).not.toContain('ann@x.io');
        switch (ctx.dialect) {
          case 'sqlite':
            expect((e.cause as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
            expect(e.columns).toEqual(['email']);
            break;
          case 'postgres':
            expect((e.cause as { code?: string }).code).toBe('23505');
            expect(e.columns).toEqual(['email']);
            expect(e.constraint).toBe('err_authors_email_key');
            break;
          case 'mysql':
            expect((e.cause as { errno?: number }).errno).toBe(1062);
            expect(e.constraint).toBe('email');
            break;
        }
        expect(await Author.count()).toBe(1);
      });

      it('a duplicate unique value through save() of a built instance is the same error', async () => {
        await Author.create({ name: 'Ann', email: 'ann@x.io' });
        const dup = Author.build({ name: 'B', email: 'ann@x.io' });
        const error = await rejection(dup.save());
        expect(error).toBeInstanceOf(IntegrityError);
        expect((error as IntegrityError).kind).toBe('unique');
        expect(dup.isSaved).toBe(false);
      });

      it("NULL into a NOT NULL column through raw Kysely is IntegrityError { kind: 'not_null' }", async () => {
        const db = getConnection().kysely;
        const error = await rejection(db.insertInto('err_authors').values({ name: null, email: 'x@x.io', age: 1 }).execute());
        expect(error).toBeInstanceOf(IntegrityError);
        const e = error as IntegrityError;
        expect(e.kind).toBe('not_null');
        expect(e.sql).toMatch(/^insert into [`"]err_authors[`"]/);
        expect(e.parameters).toEqual(['null', 'string(6)', 'number']);
        expect(e.columns).toEqual(['name']);
        expect(await Author.count()).toBe(0);
      });

      it("a missing NOT NULL column without default through raw SQL is IntegrityError { kind: 'not_null' }", async () => {
        const error = await rejection(sql`insert into ${sql.table('err_authors')} (email, age) values (${'y@x.io'}, ${1})`.execute(getConnection().kysely));
        expect(error).toBeInstanceOf(IntegrityError);
        expect((error as IntegrityError).kind).toBe('not_null');
      });
    });

    describe('get()', () => {
      it('no match: Author.DoesNotExist (also a DoesNotExist and an OxenError) naming the model', async () => {
        await Book.create({ title: 'Dune' });
        const error = await rejection(Author.get({ email: 'nobody@x.io' }));
        expect(error).toBeInstanceOf(Author.DoesNotExist);
        expect(error).toBeInstanceOf(DoesNotExist);
        expect(error).toBeInstanceOf(OxenError);
        expect(error).not.toBeInstanceOf(Book.DoesNotExist);
        expect(error.message).toBe('Author matching the query does not exist');
        expect((error as DoesNotExist).model).toBe('Author');
        expect(error.name).toBe('DoesNotExist');
      });

      it('several matches: Author.MultipleObjectsReturned with the count', async () => {
        await Author.create({ name: 'Ann', email: 'a1@x.io', age: 30 });
        await Author.create({ name: 'Ann', email: 'a2@x.io', age: 30 });
        const error = await rejection(Author.get({ age: 30 }));
        expect(error).toBeInstanceOf(Author.MultipleObjectsReturned);
        expect(error).toBeInstanceOf(MultipleObjectsReturned);
        expect(error.message).toBe('get() returned more than one Author: it returned 2');
      });

      it('getOrNull() resolves to null instead of DoesNotExist', async () => {
        expect(await Author.getOrNull({ email: 'nobody@x.io' })).toBeNull();
      });

      it('an unknown field in get() is a FieldError listing the valid names', async () => {
        const error = await rejection(Author.get({ emial: 'x' } as never));
        expect(error).toBeInstanceOf(FieldError);
        expect(error.message).toBe("Unknown field 'emial' in 'emial' on Author; did you mean 'email'? Valid names: age, email, id, name, pk");
      });
    });
  },
  { models: [Author, Book] },
);
