/**
 * Validation before every create/save, on every dialect: field rules and class-validator decorators,
 * `ValidationError.errors` listing every failing field, `save({ validate: false })`, and the proof
 * that a write stopped by validation reaches no hook, no signal and no SQL.
 */
import 'reflect-metadata';
import { IsEmail, IsOptional, Length, Matches, Validate, ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CharField,
  IntField,
  Model,
  OxenError,
  PreSave,
  TextField,
  ValidationError,
  getConnection,
  model,
  postDelete,
  postSave,
  preDelete,
  preSave,
  transaction,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

/** Hook calls of the current test. */
const hookCalls: string[] = [];

/** An async class-validator constraint: proves async rules are awaited. */
@ValidatorConstraint({ name: 'notReserved', async: true })
class NotReserved implements ValidatorConstraintInterface {
  async validate(value: unknown): Promise<boolean> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return value !== 'admin';
  }

  defaultMessage(): string {
    return 'handle is reserved';
  }
}

@model({ table: 'val_member' })
class Member extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) @Length(2, 20) name!: string;
  @CharField({ maxLength: 100 }) @IsEmail() email!: string;
  @IntField({ min: 0, max: 150, default: 0 }) age!: number;
  @CharField({ maxLength: 10, choices: ['red', 'green'], null: true }) color!: string | null;
  @TextField({ null: true }) @IsOptional() @Matches(/^[a-z]+$/) nickname!: string | null;

  @PreSave() record(): void {
    hookCalls.push('preSave hook');
  }
}

@model({ abstract: true })
class Handled extends Model {
  @CharField({ maxLength: 30 }) @Validate(NotReserved) handle!: string;
}

@model({ table: 'val_account' })
class Account extends Handled {
  declare id: number;
  @IntField({ default: 1, min: 1 }) level!: number;
}

const VALID = { name: 'Ann', email: 'ann@example.com', age: 30 };

async function validationErrorOf(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

forEachDialect(
  'validation',
  () => {
    const signalCalls: string[] = [];
    const offs: (() => void)[] = [];
    let queriesBefore = 0;
    const statementsSince = (): number => getConnection().metrics().queries - queriesBefore;

    beforeEach(() => {
      hookCalls.length = 0;
      signalCalls.length = 0;
      for (const signal of [preSave, postSave, preDelete, postDelete]) {
        offs.push(
          signal.connect(({ sender }) => {
            signalCalls.push(`${signal.name}:${sender.name}`);
          }),
        );
      }
      queriesBefore = getConnection().metrics().queries;
    });

    afterEach(() => {
      for (const off of offs.splice(0)) off();
    });

    describe('what is checked', () => {
      it('lists every failing field, field rules and class-validator decorators together, in declaration order', async () => {
        const error = await validationErrorOf(Member.create({ name: 'x', email: 'nope', age: -1, color: 'blue', nickname: 'ABC' }));
        expect(error.errors).toEqual({
          name: ['name must be longer than or equal to 2 characters'],
          email: ['email must be an email'],
          age: ['must be at least 0'],
          color: ['must be one of "red", "green"'],
          nickname: ['nickname must match /^[a-z]+$/ regular expression'],
        });
        expect(Object.keys(error.errors)).toEqual(['name', 'email', 'age', 'color', 'nickname']);
        expect(error).toBeInstanceOf(OxenError);
        expect(error.model).toBe('Member');
        expect(error.message).toBe(
          'Member is not valid: name: name must be longer than or equal to 2 characters | email: email must be an email | age: must be at least 0 | ' +
            'color: must be one of "red", "green" | nickname: nickname must match /^[a-z]+$/ regular expression',
        );
      });

      it('a field failing a field rule and a decorator gets both messages', async () => {
        const error = await validationErrorOf(Member.create({ ...VALID, name: 'a'.repeat(25), age: 151 }));
        expect(error.errors).toEqual({
          name: ['must have at most 20 characters (has 25)', 'name must be shorter than or equal to 20 characters'],
          age: ['must be at most 150'],
        });
      });

      it('a missing required field, a null in a non-null field and a value of the wrong type', async () => {
        expect((await validationErrorOf(Member.create({ email: 'a@b.io' } as never))).errors).toEqual({
          name: ['is required', 'name must be longer than or equal to 2 characters'],
        });
        expect((await validationErrorOf(Member.create({ ...VALID, age: null } as never))).errors).toEqual({ age: ['may not be null'] });
        expect((await validationErrorOf(Member.create({ ...VALID, age: 'abc' } as never))).errors).toEqual({ age: ['must be an integer, got a string'] });
        expect((await validationErrorOf(Member.create({ ...VALID, age: 1.5 }))).errors).toEqual({ age: ['must be an integer, got 1.5'] });
      });

      it('nullable fields accept null; @IsOptional() skips the decorator for null', async () => {
        const m = await Member.create({ ...VALID, color: null, nickname: null });
        expect(m.isSaved).toBe(true);
        const stored = await Member.get({ id: m.id });
        expect([stored.color, stored.nickname]).toEqual([null, null]);
      });

      it('async class-validator constraints are awaited, and decorators of an abstract base apply to subclasses', async () => {
        const error = await validationErrorOf(Account.create({ handle: 'admin', level: 0 }));
        expect(error.errors).toEqual({ handle: ['handle is reserved'], level: ['must be at least 1'] });
        await expect(Account.create({ handle: 'ann' })).resolves.toMatchObject({ handle: 'ann', level: 1 });
      });

      it('instance.validate() runs the same checks without writing', async () => {
        const m = Member.build({ ...VALID, email: 'broken' });
        expect((await validationErrorOf(m.validate())).errors).toEqual({ email: ['email must be an email'] });
        m.email = 'fixed@example.com';
        await expect(m.validate()).resolves.toBeUndefined();
        expect(statementsSince()).toBe(0);
        expect(await Member.count()).toBe(0);
      });
    });

    describe('a write stopped by validation reaches nothing', () => {
      it('create(): no hook, no signal, not one statement, no row', async () => {
        await validationErrorOf(Member.create({ ...VALID, email: 'nope' }));
        expect(statementsSince()).toBe(0);
        expect(hookCalls).toEqual([]);
        expect(signalCalls).toEqual([]);
        expect(await Member.count()).toBe(0);
      });

      it('save() of a changed instance: the row keeps its values', async () => {
        const m = await Member.create(VALID);
        expect(signalCalls).toEqual(['preSave:Member', 'postSave:Member']);
        signalCalls.length = 0;
        hookCalls.length = 0;
        queriesBefore = getConnection().metrics().queries;
        m.age = 200;
        m.email = 'still nope';
        const error = await validationErrorOf(m.save());
        expect(error.errors).toEqual({ email: ['email must be an email'], age: ['must be at most 150'] });
        expect(statementsSince()).toBe(0);
        expect(hookCalls).toEqual([]);
        expect(signalCalls).toEqual([]);
        const stored = await Member.get({ id: m.id });
        expect([stored.age, stored.email]).toEqual([30, 'ann@example.com']);
      });

      it('inside a transaction: only BEGIN and ROLLBACK are sent, and the transaction rejects with the ValidationError', async () => {
        const error = await rejection(
          transaction(async () => {
            await Member.create({ ...VALID, name: '' });
          }),
        );
        expect(error).toBeInstanceOf(ValidationError);
        expect(statementsSince()).toBe(2);
        expect(signalCalls).toEqual([]);
      });
    });

    describe('save({ validate: false })', () => {
      it('skips field rules and decorators: the values reach the database', async () => {
        const m = Member.build({ ...VALID, email: 'not-an-email', age: -5, color: 'blue' });
        await m.save({ validate: false });
        expect(signalCalls).toEqual(['preSave:Member', 'postSave:Member']);
        expect(hookCalls).toEqual(['preSave hook']);
        const stored = await Member.get({ id: m.id });
        expect([stored.email, stored.age, stored.color]).toEqual(['not-an-email', -5, 'blue']);
      });

      it('create(data, { validate: false }) too', async () => {
        const m = await Member.create({ ...VALID, nickname: 'UPPER' }, { validate: false });
        expect((await Member.get({ id: m.id })).nickname).toBe('UPPER');
      });
    });

    describe('save({ updateFields })', () => {
      it('validates only the named fields', async () => {
        const m = await Member.create({ ...VALID, email: 'legacy value' }, { validate: false });
        m.age = 31;
        await m.save({ updateFields: ['age'] }); // the invalid email is not written, so not checked
        expect((await Member.get({ id: m.id })).age).toBe(31);
        m.age = -1;
        const error = await validationErrorOf(m.save({ updateFields: ['age'] }));
        expect(error.errors).toEqual({ age: ['must be at least 0'] });
        expect((await Member.get({ id: m.id })).age).toBe(31);
      });
    });
  },
  { models: [Member, Account] },
);
