/**
 * Model-level signals and hooks on every dialect: preSave/postSave/preDelete/postDelete with
 * `connect(Model, fn)` and `connect(fn)`, unsubscribing, `@PreSave()`-style hooks, the exact order of a
 * write (validate → pre hooks → pre listeners → SQL → post hooks → post listeners), the payload, pre
 * errors aborting the write, post errors reported to `signals.onError` and the logger, and what bulk
 * operations send (nothing per instance).
 */
import 'reflect-metadata';
import { ValidateBy } from 'class-validator';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CharField,
  IntField,
  Model,
  PostDelete,
  PostSave,
  PreDelete,
  PreSave,
  Signal,
  ValidationError,
  connect,
  getConnection,
  model,
  postDelete,
  postSave,
  preDelete,
  preSave,
  signals,
  syncSchema,
  type DeleteSignalPayload,
  type SaveSignalPayload,
  type SignalErrorEvent,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

// ---- a recorder shared by hooks, validators and listeners ----

/** Every step of the current test, in the order it happened. */
let steps: string[] = [];
/** The statement counter of the default connection when the test's write began. */
let queriesAtStart = 0;
/** Hooks throw this when set (by method name). */
const hookFailures = new Map<string, Error>();

function queriesSoFar(): number {
  return getConnection().metrics().queries - queriesAtStart;
}

/** Records a step with the number of statements sent so far (0 = before any SQL). */
function step(name: string): void {
  steps.push(`${name}@${queriesSoFar()}`);
}

function hook(name: string): void {
  step(`hook:${name}`);
  const failure = hookFailures.get(name);
  if (failure !== undefined) throw failure;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A class-validator rule that only records that validation ran. */
function RecordedValidation(): PropertyDecorator {
  return ValidateBy({
    name: 'recordedValidation',
    validator: {
      validate: (value: unknown) => {
        step('validate');
        return value !== 'invalid';
      },
      defaultMessage: () => 'title must not be "invalid"',
    },
  });
}

@model({ table: 'sig_article' })
class Article extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) @RecordedValidation() title!: string;
  @IntField({ default: 0 }) views!: number;

  @PreSave() beforeSave(): void {
    hook('preSave');
  }

  @PostSave() afterSave(): void {
    hook('postSave');
  }

  @PreDelete() beforeDelete(): void {
    hook('preDelete');
  }

  @PostDelete() afterDelete(): void {
    hook('postDelete');
  }
}

@model({ table: 'sig_note' })
class Note extends Model {
  @CharField({ maxLength: 100 }) text!: string;
}

@model({ abstract: true })
class Animal extends Model {
  @CharField({ maxLength: 50 }) name!: string;
}

@model({ table: 'sig_dog' })
class Dog extends Animal {}

@model({ table: 'sig_cat' })
class Cat extends Animal {}

@model({ table: 'sig_vehicle' })
class Vehicle extends Model {
  @CharField({ maxLength: 50 }) plate!: string;
}

@model({ table: 'sig_car' })
class Car extends Vehicle {}

const MODELS = [Article, Note, Dog, Cat, Vehicle, Car];

/** Log entries of the default connection: `level: message`. */
const logged: { level: string; message: string; context: Record<string, unknown> | undefined }[] = [];

async function count(cls: typeof Article | typeof Note): Promise<number> {
  return cls === Article ? Article.count() : Note.count();
}

forEachDialect(
  'signals and hooks',
  (ctx) => {
    /** Disconnects everything a test connected. */
    const offs: (() => void)[] = [];
    const on = (off: () => void): void => {
      offs.push(off);
    };
    let baseline: number[] = [];

    beforeEach(() => {
      steps = [];
      hookFailures.clear();
      logged.length = 0;
      queriesAtStart = getConnection().metrics().queries;
      baseline = [preSave, postSave, preDelete, postDelete].map((s) => s.handlerCount);
    });

    afterEach(() => {
      for (const off of offs.splice(0)) off();
      expect([preSave, postSave, preDelete, postDelete].map((s) => s.handlerCount)).toEqual(baseline);
    });

    describe('order of a write', () => {
      it('create: validate → preSave hook → preSave listeners (serial, awaited, registration order) → INSERT → postSave hook → postSave listeners', async () => {
        // Delays differ so that handlers run concurrently would interleave their start/end steps.
        on(preSave.connect(Article, async () => {
          step('pre:A:start');
          await sleep(30);
          step('pre:A:end');
        }));
        on(preSave.connect(async () => {
          step('pre:B:start');
          await sleep(1);
          step('pre:B:end');
        }));
        on(preSave.connect(Article, async () => {
          step('pre:C:start');
          await sleep(15);
          step('pre:C:end');
        }));
        on(postSave.connect(async () => {
          step('post:A:start');
          await sleep(20);
          step('post:A:end');
        }));
        on(postSave.connect(Article, () => {
          step('post:B');
        }));
        queriesAtStart = getConnection().metrics().queries;
        const article = await Article.create({ title: 'Ordered' });
        steps.push('create resolved');
        expect(steps).toEqual([
          'validate@0',
          'hook:preSave@0',
          'pre:A:start@0',
          'pre:A:end@0',
          'pre:B:start@0',
          'pre:B:end@0',
          'pre:C:start@0',
          'pre:C:end@0',
          'hook:postSave@1',
          'post:A:start@1',
          'post:A:end@1',
          'post:B@1',
          'create resolved',
        ]);
        expect(article.isSaved).toBe(true);
        expect(await Article.filter({ title: 'Ordered' }).count()).toBe(1);
      });

      it('update: the same order around the UPDATE', async () => {
        const article = await Article.create({ title: 'Before' });
        on(preSave.connect(Article, () => step('pre')));
        on(postSave.connect(Article, () => step('post')));
        steps = [];
        queriesAtStart = getConnection().metrics().queries;
        article.title = 'After';
        await article.save();
        expect(steps).toEqual(['validate@0', 'hook:preSave@0', 'pre@0', 'hook:postSave@1', 'post@1']);
        expect((await Article.get({ id: article.id })).title).toBe('After');
      });

      it('delete: preDelete hook → preDelete listeners → DELETE → postDelete hook → postDelete listeners (no validation)', async () => {
        const article = await Article.create({ title: 'Doomed' });
        on(preDelete.connect(Article, async () => {
          step('pre:A:start');
          await sleep(20);
          step('pre:A:end');
        }));
        on(preDelete.connect(() => step('pre:B')));
        on(postDelete.connect(async () => {
          await sleep(5);
          step('post:A');
        }));
        on(postDelete.connect(Article, () => step('post:B')));
        steps = [];
        queriesAtStart = getConnection().metrics().queries;
        await expect(article.delete()).resolves.toBe(1);
        expect(steps).toEqual(['hook:preDelete@0', 'pre:A:start@0', 'pre:A:end@0', 'pre:B@0', 'hook:postDelete@1', 'post:A@1', 'post:B@1']);
        expect(await Article.count()).toBe(0);
      });

      it('a preSave listener sees the instance before the INSERT and its changes are written', async () => {
        on(preSave.connect(Article, ({ instance }) => {
          instance.title = instance.title.toUpperCase();
          instance.views = 7;
        }));
        const article = await Article.create({ title: 'shout' });
        const stored = await Article.get({ id: article.id });
        expect([stored.title, stored.views]).toEqual(['SHOUT', 7]);
      });

      it('hooks are inherited: an abstract base model\'s hook methods and listeners connected to the base run for subclasses', async () => {
        const seen: string[] = [];
        on(preSave.connect(Animal, ({ sender, instance }) => {
          seen.push(`${sender.name}:${instance.name}`);
        }));
        await Dog.create({ name: 'Rex' });
        await Cat.create({ name: 'Tom' });
        await Note.create({ text: 'not an animal' });
        expect(seen).toEqual(['Dog:Rex', 'Cat:Tom']);
      });
    });

    describe('connect, payload, unsubscribe', () => {
      it('the save payload is one frozen object { sender, instance, created, updateFields, using }', async () => {
        const payloads: SaveSignalPayload<Article>[] = [];
        on(preSave.connect(Article, (p) => {
          payloads.push(p);
        }));
        on(postSave.connect(Article, (p) => {
          payloads.push(p);
        }));
        const article = await Article.create({ title: 'Payload' });
        article.views = 3;
        await article.save();
        await article.save({ updateFields: ['views'] });
        expect(payloads).toHaveLength(6);
        for (const p of payloads) {
          expect(Object.keys(p).sort()).toEqual(['created', 'instance', 'sender', 'updateFields', 'using']);
          expect(p.sender).toBe(Article);
          expect(p.instance).toBe(article);
          expect(p.using).toBe('default');
          expect(Object.isFrozen(p)).toBe(true);
        }
        expect(payloads.map((p) => p.created)).toEqual([true, true, false, false, false, false]);
        expect(payloads.map((p) => p.updateFields)).toEqual([null, null, null, null, ['views'], ['views']]);
        // The pre and post signal of one write carry the same payload object.
        expect(payloads[0]).toBe(payloads[1]);
        expect(payloads[4]).toBe(payloads[5]);
      });

      it('the delete payload is { sender, instance, using }', async () => {
        const payloads: DeleteSignalPayload[] = [];
        on(preDelete.connect((p) => {
          payloads.push(p);
        }));
        on(postDelete.connect((p) => {
          payloads.push(p);
        }));
        const note = await Note.create({ text: 'bye' });
        await note.delete();
        expect(payloads).toHaveLength(2);
        for (const p of payloads) {
          expect(Object.keys(p).sort()).toEqual(['instance', 'sender', 'using']);
          expect(p.sender).toBe(Note);
          expect(p.instance).toBe(note);
          expect(p.using).toBe('default');
        }
      });

      it('using names the alias the write went to', async () => {
        await connect(ctx.url, { alias: 'sig_other' });
        await syncSchema({ models: [Note], using: 'sig_other' });
        const aliases: string[] = [];
        on(postSave.connect(Note, ({ using }) => {
          aliases.push(using);
        }));
        on(postDelete.connect(Note, ({ using }) => {
          aliases.push(`delete:${using}`);
        }));
        const note = await Note.create({ text: 'elsewhere' }, { using: 'sig_other' });
        note.text = 'still elsewhere';
        await note.save(); // an instance written through an alias stays on it
        await note.delete();
        expect(aliases).toEqual(['sig_other', 'sig_other', 'delete:sig_other']);
      });

      it('connect(fn) receives every model; connect(Model, fn) only that model', async () => {
        const all: string[] = [];
        const articles: string[] = [];
        on(postSave.connect(({ sender }) => {
          all.push(sender.name);
        }));
        on(postSave.connect(Article, ({ instance }) => {
          articles.push(instance.title);
        }));
        await Article.create({ title: 'One' });
        await Note.create({ text: 'Two' });
        await Dog.create({ name: 'Three' });
        expect(all).toEqual(['Article', 'Note', 'Dog']);
        expect(articles).toEqual(['One']);
      });

      it('connect(Base, fn) fires for a concrete base and its subclasses, connect(Sub, fn) not for the base', async () => {
        const base: string[] = [];
        const sub: string[] = [];
        on(postSave.connect(Vehicle, ({ sender }) => {
          base.push(sender.name);
        }));
        on(postSave.connect(Car, ({ sender }) => {
          sub.push(sender.name);
        }));
        await Vehicle.create({ plate: 'V-1' });
        await Car.create({ plate: 'C-1' });
        expect(base).toEqual(['Vehicle', 'Car']);
        expect(sub).toEqual(['Car']);
      });

      it('the returned function unsubscribes only its own subscription; calling it twice is harmless', async () => {
        const calls: string[] = [];
        const handler = (): void => {
          calls.push('shared');
        };
        const before = preSave.handlerCount;
        const off1 = preSave.connect(handler);
        const off2 = preSave.connect(handler); // the same function twice: two subscriptions
        on(off2);
        expect(preSave.handlerCount).toBe(before + 2);
        await Note.create({ text: 'a' });
        expect(calls).toEqual(['shared', 'shared']);
        off1();
        off1();
        expect(preSave.handlerCount).toBe(before + 1);
        await Note.create({ text: 'b' });
        expect(calls).toEqual(['shared', 'shared', 'shared']);
        off2();
        await Note.create({ text: 'c' });
        expect(calls).toHaveLength(3);
      });

      it('connect() rejects a missing handler with a TypeError naming the signal', () => {
        expect(() => preSave.connect(Article as never)).toThrow(/preSave\.connect\(\) needs a handler function/);
        expect(() => postSave.connect(Article, 'nope' as never)).toThrow(/postSave\.connect\(Article, handler\) needs a handler function/);
        expect(() => signals.onError(undefined as never)).toThrow(TypeError);
      });

      it('signals is the registry of the four signals, which are Signal instances', () => {
        expect(signals.preSave).toBe(preSave);
        expect(signals.postSave).toBe(postSave);
        expect(signals.preDelete).toBe(preDelete);
        expect(signals.postDelete).toBe(postDelete);
        expect([preSave, postSave, preDelete, postDelete].every((s) => s instanceof Signal)).toBe(true);
        expect([preSave, postSave, preDelete, postDelete].map((s) => [s.name, s.robust])).toEqual([
          ['preSave', false],
          ['postSave', true],
          ['preDelete', false],
          ['postDelete', true],
        ]);
      });
    });

    describe('a pre handler that throws aborts the write', () => {
      it('preSave listener: nothing is written, the same error propagates, later handlers and post signals do not run', async () => {
        const boom = new Error('refused by preSave');
        const later: string[] = [];
        on(preSave.connect(Article, () => {
          throw boom;
        }));
        on(preSave.connect(Article, () => {
          later.push('pre after the throw');
        }));
        on(postSave.connect(Article, () => {
          later.push('post');
        }));
        const before = getConnection().metrics().queries;
        const article = Article.build({ title: 'Never stored' });
        expect(await rejection(article.save())).toBe(boom);
        expect(getConnection().metrics().queries - before).toBe(0);
        expect(await count(Article)).toBe(0);
        expect(later).toEqual([]);
        expect(steps).toEqual(['validate@0', 'hook:preSave@0']);
        expect(article.isSaved).toBe(false);
        expect(article.id).toBeUndefined();
      });

      it('preSave listener on an update: the row keeps its old values', async () => {
        const article = await Article.create({ title: 'Original', views: 1 });
        const boom = new Error('no updates today');
        on(preSave.connect(Article, ({ created }) => {
          if (!created) throw boom;
        }));
        article.title = 'Changed';
        article.views = 99;
        expect(await rejection(article.save())).toBe(boom);
        const stored = await Article.get({ id: article.id });
        expect([stored.title, stored.views]).toEqual(['Original', 1]);
      });

      it('@PreSave() hook: nothing is written and the listeners do not run', async () => {
        const boom = new Error('hook says no');
        hookFailures.set('preSave', boom);
        const calls: string[] = [];
        on(preSave.connect(() => {
          calls.push('pre listener');
        }));
        expect(await rejection(Article.create({ title: 'Hooked' }))).toBe(boom);
        expect(await count(Article)).toBe(0);
        expect(calls).toEqual([]);
      });

      it('a non-Error thrown value propagates as is', async () => {
        on(preSave.connect(Note, () => {
          throw 'plain string';
        }));
        expect(await rejection(Note.create({ text: 'x' }))).toBe('plain string');
        expect(await count(Note)).toBe(0);
      });

      it('preDelete listener: the row stays, the instance stays saved, the same error propagates', async () => {
        const article = await Article.create({ title: 'Keep me' });
        const boom = new Error('protected');
        on(preDelete.connect(Article, () => {
          throw boom;
        }));
        const post: string[] = [];
        on(postDelete.connect(() => {
          post.push('post');
        }));
        expect(await rejection(article.delete())).toBe(boom);
        expect(await Article.filter({ id: article.id }).count()).toBe(1);
        expect(article.isSaved).toBe(true);
        expect(post).toEqual([]);
      });

      it('@PreDelete() hook: the row stays', async () => {
        const article = await Article.create({ title: 'Hook-protected' });
        const boom = new Error('hook protects');
        hookFailures.set('preDelete', boom);
        expect(await rejection(article.delete())).toBe(boom);
        expect(await Article.count()).toBe(1);
      });
    });

    describe('a post handler that throws leaves the write in place', () => {
      it('postSave listener: the row is written, save() resolves, onError gets { error, signal, sender, instance }, the logger an error entry, later handlers still run', async () => {
        const boom = new Error('post handler failed');
        const events: SignalErrorEvent[] = [];
        on(signals.onError((event) => {
          events.push(event);
        }));
        const later: string[] = [];
        on(postSave.connect(Article, () => {
          throw boom;
        }));
        on(postSave.connect(Article, () => {
          later.push('post after the throw');
        }));
        const article = await Article.create({ title: 'Stays' });
        expect(article.isSaved).toBe(true);
        expect(await Article.filter({ title: 'Stays' }).count()).toBe(1);
        expect(later).toEqual(['post after the throw']);
        expect(events).toHaveLength(1);
        expect(events[0]).toEqual({ error: boom, signal: 'postSave', sender: Article, instance: article });
        expect(events[0].error).toBe(boom);
        const errors = logged.filter((l) => l.level === 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0].message).toBe('a postSave handler for Article threw; the write stands');
        expect(errors[0].context?.error).toBe(boom);
      });

      it('@PostSave() hook: the row is written, the error is reported and logged, the listeners still run', async () => {
        const boom = new Error('post hook failed');
        hookFailures.set('postSave', boom);
        const events: SignalErrorEvent[] = [];
        on(signals.onError((event) => {
          events.push(event);
        }));
        const calls: string[] = [];
        on(postSave.connect(Article, () => {
          calls.push('listener');
        }));
        const article = await Article.create({ title: 'Hook failed after' });
        expect(await Article.count()).toBe(1);
        expect(calls).toEqual(['listener']);
        expect(events.map((e) => [e.error, e.signal, e.sender, e.instance])).toEqual([[boom, 'postSave', Article, article]]);
        expect(logged.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['postSave hook Article.afterSave() threw; the write stands']);
      });

      it('postDelete listener: the row is deleted, delete() resolves to 1, the error is reported and logged', async () => {
        const article = await Article.create({ title: 'Gone anyway' });
        const boom = new Error('post delete failed');
        const events: SignalErrorEvent[] = [];
        on(signals.onError((event) => {
          events.push(event);
        }));
        on(postDelete.connect(() => {
          throw boom;
        }));
        await expect(article.delete()).resolves.toBe(1);
        expect(await Article.count()).toBe(0);
        expect(events.map((e) => [e.error, e.signal, e.sender, e.instance])).toEqual([[boom, 'postDelete', Article, article]]);
        expect(logged.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['a postDelete handler for Article threw; the write stands']);
      });

      it('every onError listener runs; one that throws does not fail the write; unsubscribing stops delivery', async () => {
        const boom = new Error('post failed');
        on(postSave.connect(Note, () => {
          throw boom;
        }));
        const seen: string[] = [];
        const offFirst = signals.onError(() => {
          seen.push('first');
        });
        on(signals.onError(() => {
          throw new Error('the onError listener itself failed');
        }));
        on(signals.onError(() => {
          seen.push('third');
        }));
        const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
        try {
          await Note.create({ text: 'one' });
          expect(seen).toEqual(['first', 'third']);
          expect(consoleError).toHaveBeenCalledTimes(1);
          expect(consoleError.mock.calls[0][0]).toBe('[oxen] a signals.onError listener threw');
          offFirst();
          await Note.create({ text: 'two' });
          expect(seen).toEqual(['first', 'third', 'third']);
        } finally {
          consoleError.mockRestore();
        }
        expect(await Note.count()).toBe(2);
      });
    });

    describe('bulk operations send no per-instance signals', () => {
      const calls: string[] = [];
      beforeEach(() => {
        calls.length = 0;
        for (const signal of [preSave, postSave, preDelete, postDelete]) {
          on(signal.connect(({ sender }) => {
            calls.push(`${signal.name}:${sender.name}`);
          }));
        }
      });

      it('QuerySet.update() and QuerySet.delete() send none', async () => {
        await Note.create({ text: 'a' });
        await Note.create({ text: 'b' });
        calls.length = 0;
        await expect(Note.filter({ text: 'a' }).update({ text: 'A' })).resolves.toBe(1);
        await expect(Note.all().update({ text: 'z' })).resolves.toBe(2);
        await expect(Note.filter({ text: 'z' }).delete()).resolves.toBe(2);
        expect(calls).toEqual([]);
        expect(await Note.count()).toBe(0);
      });

      it('Model.bulkCreate() and Model.bulkUpdate() send none', async () => {
        const notes = await Note.bulkCreate<Note>([{ text: 'x' }, { text: 'y' }, Note.build({ text: 'w' })]);
        expect(await Note.count()).toBe(3);
        for (const n of notes) n.text = `${n.text}!`;
        await Note.bulkUpdate(notes, ['text']);
        expect((await Note.all().orderBy('text').valuesList('text', { flat: true })).sort()).toEqual(['w!', 'x!', 'y!']);
        expect(calls).toEqual([]);
        expect(steps).toEqual([]);
      });

      it('getOrCreate() and updateOrCreate() send preSave/postSave when they write, and nothing when they only read', async () => {
        const [note, created] = await Note.getOrCreate({ text: 'g' });
        expect(created).toBe(true);
        const [again, createdAgain] = await Note.getOrCreate({ text: 'g' });
        expect([createdAgain, again.pk]).toEqual([false, note.pk]);
        expect(calls).toEqual(['preSave:Note', 'postSave:Note']);
        calls.length = 0;
        const createdFlags: boolean[] = [];
        on(postSave.connect(Article, ({ created: c }) => {
          createdFlags.push(c);
        }));
        await Article.updateOrCreate({ title: 'u' }, { views: 5 });
        await Article.updateOrCreate({ title: 'u' }, { views: 6 });
        expect(createdFlags).toEqual([true, false]);
        expect(calls).toEqual(['preSave:Article', 'postSave:Article', 'preSave:Article', 'postSave:Article']);
        expect((await Article.get({ title: 'u' })).views).toBe(6);
      });

      it('an instance save() and delete() send the four (the control case)', async () => {
        const note = await Note.create({ text: 'single' });
        await note.delete();
        expect(calls).toEqual(['preSave:Note', 'postSave:Note', 'preDelete:Note', 'postDelete:Note']);
      });
    });

    describe('validation comes first', () => {
      it('an invalid instance reaches no hook, no listener and no statement', async () => {
        on(preSave.connect(() => step('pre listener')));
        on(postSave.connect(() => step('post listener')));
        const before = getConnection().metrics().queries;
        const error = await rejection(Article.create({ title: 'invalid' }));
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors).toEqual({ title: ['title must not be "invalid"'] });
        expect(steps).toEqual(['validate@0']);
        expect(getConnection().metrics().queries).toBe(before);
      });
    });
  },
  {
    models: MODELS,
    connectOptions: {
      logger: (level, message, context) => {
        logged.push({ level, message, context });
      },
    },
  },
);
