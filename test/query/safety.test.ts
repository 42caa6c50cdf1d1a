/**
 * Injection safety (docs: RELIABILITY.md, "What we promise" → Injection) on every dialect. A corpus of
 * hostile strings goes through every channel:
 * - value channels (filter values of every lookup, JSON values, JSON key paths, raw() parameters) are
 *   bound: the SQL text equals the text compiled with a benign value, and rows match literally;
 * - identifier channels (filter keys, lookups, orderBy, values()/valuesList() names, annotate/aggregate
 *   aliases and paths, F() paths, update()/create() keys, upsert field names) reject with FieldError
 *   before any SQL is compiled or sent;
 * - a canary table is unchanged afterwards, and values containing NUL are refused with a clear error.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CharField,
  Count,
  F,
  FieldError,
  IntField,
  JSONField,
  Model,
  OxenError,
  Q,
  Sum,
  TextField,
  ValidationError,
  lookupNames,
  model,
  type JsonValue,
} from '../../src/index.js';
import { MESSAGE_INPUT_LIMIT } from '../../src/utils/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'sf_targets' })
class Target extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) name!: string;
  @TextField({ null: true }) note!: string | null;
  @JSONField({ null: true }) data!: JsonValue | null;
  @IntField({ default: 0 }) n!: number;
}

@model({ table: 'sf_canary' })
class Canary extends Model {
  declare id: number;
  @CharField({ maxLength: 50 }) label!: string;
}

/** Hostile strings: SQL metacharacters, comments, stacked statements, control characters, path and cast syntax, prototype names, look-alikes, and variants of published ORM CVE payloads. */
const CORPUS: readonly string[] = [
  // quotes and backslashes
  "'",
  '"',
  '`',
  "''",
  '\\',
  "\\'",
  '\\"',
  "a'b",
  'O\'Brien"s `x`',
  // stacked statements and tautologies
  "'; DROP TABLE sf_canary; --",
  '"; DROP TABLE sf_canary; --',
  '`; DROP TABLE sf_canary; --',
  ';drop table sf_canary',
  'a;drop table sf_canary',
  "1' OR '1'='1",
  '1 OR 1=1',
  "' OR 1=1 --",
  "admin'--",
  "' UNION SELECT * FROM sf_canary --",
  '1; DELETE FROM sf_canary',
  "x'||(SELECT label FROM sf_canary LIMIT 1)||'",
  '1) UNION ALL SELECT NULL--',
  // comments
  '-- comment',
  '/* comment */',
  '*/',
  '/*',
  '#',
  '# comment\nDELETE FROM sf_canary',
  // control characters (NUL ones are refused, see below)
  '\r\n',
  '\t',
  '\u0001\u0002\u001f',
  '\u0008\u007f',
  '\u2028\u2029',
  // identifiers, paths, casts
  '.',
  '..',
  'a.b',
  'sf_canary.id',
  'sf_targets.name',
  '[',
  ']',
  '[0]',
  '*',
  '$',
  '$.a',
  '$[0]',
  '::',
  'name::text',
  '::jsonb',
  '"name"',
  'name`',
  // prototype names
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  // Unicode look-alikes and oddities
  '％',
  '＇',
  'ʼ',
  '‘',
  '’',
  '＂',
  '＼',
  '﹣﹣',
  'ＤＲＯＰ ＴＡＢＬＥ sf_canary',
  '\uFEFF',
  '\u202Eevil',
  '𝕒',
  '😀',
  // LIKE and placeholder syntax
  '%',
  '_',
  '%_%',
  '!',
  '!%',
  '\\%',
  '?',
  '$1',
  ':name',
  '@var',
  '@@version',
  // variants of Django CVE payloads (aliases, JSON keys, order_by, _connector)
  'name" FROM sf_canary --',
  'x) OR 1=1 --',
  '(SELECT 1)',
  "a' , 'b",
  '_connector',
  'OR',
  'name__contains',
  "JSON_EXTRACT(data, '$')",
  "'$.a'))) OR 1=1 --",
  'a")) OR 1=1 --',
  'pg_sleep(5)',
  'sleep(5)',
  'benchmark(1000000,md5(1))',
  "load_file('/etc/passwd')",
  '0x27',
  'char(39)',
  'id desc',
  '-id',
  'n; --',
];

/** Strings with NUL, which PostgreSQL cannot store: refused everywhere. */
const NUL_CORPUS: readonly string[] = ['\u0000', 'a\u0000b', "'\u0000; DROP TABLE sf_canary; --"];
/** Lone UTF-16 surrogates, which no database stores as written: refused like NUL. */
const SURROGATE_CORPUS: readonly string[] = ['\uD800', 'a\uDFFFb', 'x\uDBFF', '\uDC00\uD800'];
/** Both, with the word each message must contain. */
const UNSTORABLE: readonly (readonly [string, string])[] = [...NUL_CORPUS.map((s) => [s, 'NUL'] as const), ...SURROGATE_CORPUS.map((s) => [s, 'surrogate'] as const)];

const BENIGN = 'benign';
const CANARIES = ['one', 'two', 'three'];

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

/** The compiled SQL with every bound value of the given kinds of position replaced: the SQL text only. */
const sqlOf = (qs: { compile(): { sql: string } }): string => qs.compile().sql;

const names = async (spec: Record<string, unknown>): Promise<string[]> => (await Target.filter(spec as never).valuesList('name', { flat: true })).sort();
const expectedNames = (pred: (s: string) => boolean): string[] => [...CORPUS, BENIGN].filter(pred).sort();

/** Corpus entries that are plain identifiers: legitimate (quoted) aliases. */
const USABLE_ALIASES = new Set(['OR', '_connector', 'prototype', '_']);
/** Corpus entries that are properties of every object: never usable as instance annotations. */
const PROTOTYPE_NAMES = new Set(['constructor', 'toString', 'hasOwnProperty']);

/** Keys that a model-aware caller could legitimately pass; everything else in the corpus must be refused as a key. */
const VALID_KEYS = new Set(['pk__in', 'name__contains']);

forEachDialect(
  'injection safety',
  (ctx) => {
    let queriesBefore = 0;
    beforeEach(async () => {
      await Canary.bulkCreate(CANARIES.map((label) => ({ label })));
      await Target.bulkCreate([...CORPUS, BENIGN].map((name, i) => ({ name, note: name, n: i, data: { v: name, [name]: name } })));
      queriesBefore = ctx.connection().metrics().queries;
    });

    /** Every test ends here: the canary rows and the target rows are exactly as seeded. */
    async function expectUnchanged(): Promise<void> {
      expect((await Canary.all().orderBy('id').valuesList('label', { flat: true }))).toEqual(CANARIES);
      expect(await Target.count()).toBe(CORPUS.length + 1);
      expect(await Target.filter({ n__gt: 0 }).count()).toBe(CORPUS.length);
    }

    it(`the corpus has ${CORPUS.length} distinct hostile strings`, () => {
      expect(CORPUS.length).toBeGreaterThanOrEqual(50);
      expect(new Set(CORPUS).size).toBe(CORPUS.length);
    });

    describe('value channels are bound', () => {
      it('filter values of every lookup: same SQL text as a benign value, literal matches', async () => {
        const lookups: [string, (s: string) => unknown, ((row: string, s: string) => boolean) | null][] = [
          ['name', (s) => s, (r, s) => r === s],
          ['name__exact', (s) => s, (r, s) => r === s],
          ['name__ne', (s) => s, (r, s) => r !== s],
          ['name__in', (s) => [s, BENIGN], (r, s) => r === s || r === BENIGN],
          ['name__not_in', (s) => [s], (r, s) => r !== s],
          ['name__contains', (s) => s, (r, s) => r.includes(s)],
          ['name__startswith', (s) => s, (r, s) => r.startsWith(s)],
          ['name__endswith', (s) => s, (r, s) => r.endsWith(s)],
          ['note__contains', (s) => s, (r, s) => r.includes(s)],
          ['name__gte', (s) => s, null],
          ['name__iexact', (s) => s, null],
          ['name__icontains', (s) => s, null],
          ['name__istartswith', (s) => s, null],
          ['name__iendswith', (s) => s, null],
          ['name__range', (s) => [s, s], (r, s) => r === s],
        ];
        for (const [key, value, reference] of lookups) {
          const benignSql = sqlOf(Target.filter({ [key]: value(BENIGN) } as never));
          for (const s of CORPUS) {
            const compiled = Target.filter({ [key]: value(s) } as never).compile();
            expect(compiled.sql, `${key} with ${JSON.stringify(s)}`).toBe(benignSql);
            expect(compiled.parameters.some((p) => p === s)).toBe(true);
            const got = await names({ [key]: value(s) });
            if (reference !== null) expect(got, `${key} with ${JSON.stringify(s)}`).toEqual(expectedNames((r) => reference(r, s)));
            else expect(got, `${key} with ${JSON.stringify(s)}`).toContain(s);
          }
        }
        await expectUnchanged();
      });

      it('exclude() and Q with hostile values: same SQL as benign, literal results', async () => {
        for (const s of CORPUS) {
          expect(sqlOf(Target.exclude({ name: s }))).toBe(sqlOf(Target.exclude({ name: BENIGN })));
          expect(sqlOf(Target.filter(Q({ name: s }).or(Q.not({ note__contains: s }))))).toBe(sqlOf(Target.filter(Q({ name: BENIGN }).or(Q.not({ note__contains: BENIGN })))));
          expect(await Target.exclude({ name: s }).count()).toBe(CORPUS.length);
        }
        await expectUnchanged();
      });

      it('regex patterns are bound (an invalid pattern is an error of the database, never SQL)', async () => {
        for (const s of CORPUS) {
          expect(sqlOf(Target.filter({ name__regex: s }))).toBe(sqlOf(Target.filter({ name__regex: BENIGN })));
          const escaped = `^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
          // JS, POSIX and PCRE agree on an escaped literal.
          expect(await names({ name__regex: escaped }), JSON.stringify(s)).toEqual([s]);
        }
        await expectUnchanged();
      });

      it('JSON values (key paths, contains) are bound and match literally', async () => {
        for (const s of CORPUS) {
          expect(sqlOf(Target.filter({ data__v: s }))).toBe(sqlOf(Target.filter({ data__v: BENIGN })));
          expect(await names({ data__v: s })).toEqual([s]);
          expect(await names({ data__contains: { v: s } })).toEqual([s]);
          expect(await names({ data__v__contains: s })).toEqual(expectedNames((r) => r.includes(s)));
        }
        await expectUnchanged();
      });

      it('JSON key paths are bound: same SQL as a benign key, the key matched literally (or refused)', async () => {
        const benignSql = sqlOf(Target.filter({ data__k: 'x' } as never));
        const lookups = new Set(lookupNames());
        let bound = 0;
        for (const s of CORPUS) {
          const key = `data__${s}`;
          const usable = s !== '' && !s.includes('__') && !lookups.has(s) && !/^\d+$/.test(s);
          if (!usable) {
            // Splits into other path parts, names a lookup, or leaves an empty key: never raw SQL.
            const r = (() => {
              try {
                return Target.filter({ [key]: s } as never).compile();
              } catch (error) {
                return error as Error;
              }
            })();
            if (r instanceof Error) expect(r).toBeInstanceOf(FieldError);
            continue;
          }
          bound++;
          expect(sqlOf(Target.filter({ [key]: s } as never)), key).toBe(benignSql);
          // MariaDB cannot address an object key that starts with '-' in a JSON path (its parser reads a
          // negative array index); the value is still bound and nothing else matches. docs/lookups.md says so.
          const unreachable = ctx.dialect === 'mysql' && s.startsWith('-');
          expect(await names({ [key]: s }), key).toEqual(unreachable ? [] : [s]);
          expect(await names({ data__has_key: s }), key).toEqual(unreachable ? [] : [s]);
          if (!s.endsWith('_')) expect(await names({ [`${key}__isnull`]: false }), key).toEqual(unreachable ? [] : [s]);
        }
        expect(bound).toBeGreaterThan(CORPUS.length - 10);
        await expectUnchanged();
      });

      it('raw() parameters are bound on every dialect', async () => {
        for (const s of CORPUS) {
          const rows = await Target.raw('SELECT * FROM sf_targets WHERE name = ? OR note = ?', [s, `${s}-no-such-note`]);
          expect(rows.map((r) => r.name)).toEqual([s]);
          expect(rows[0]).toBeInstanceOf(Target);
        }
        await expectUnchanged();
      });

      it('update() values are bound', async () => {
        for (const s of CORPUS.slice(0, 20)) {
          expect(await Target.filter({ name: s }).update({ note: `${s}'; DROP TABLE sf_canary; --` })).toBe(1);
          expect((await Target.get({ name: s })).note).toBe(`${s}'; DROP TABLE sf_canary; --`);
        }
        await expectUnchanged();
      });
    });

    describe('values containing NUL or a lone UTF-16 surrogate are refused with a clear error, on every dialect', () => {
      it('in filters, Q, update() and create(), before any SQL', async () => {
        for (const [s, word] of UNSTORABLE) {
          for (const key of ['name', 'name__contains', 'name__iexact', 'note__startswith', 'data__v', 'name__ne']) {
            const e = thrown(() => Target.filter({ [key]: s } as never));
            expect(e, `${key} ${JSON.stringify(s)}`).toBeInstanceOf(FieldError);
            expect(e.message).toContain(word);
          }
          expect(thrown(() => Target.filter({ name__in: ['x', s] }))).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.filter({ data__contains: { v: s } }))).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.filter(Q.not({ name: s })))).toBeInstanceOf(FieldError);
          const update = await rejection(Target.all().update({ name: s }));
          expect(update).toBeInstanceOf(ValidationError);
          expect(update.message).toContain(word);
          expect(await rejection(Target.create({ name: s }))).toBeInstanceOf(ValidationError);
          expect(await rejection(Target.create({ name: 'ok', data: { [s]: 1 } }))).toBeInstanceOf(ValidationError);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('in regex patterns and has_key keys (refused as FieldError)', async () => {
        for (const [s, word] of UNSTORABLE) {
          for (const spec of [{ name__regex: s }, { name__iregex: s }, { data__has_key: s }, { data__a__has_key: s }]) {
            const e = thrown(() => Target.filter(spec as never));
            expect(e, JSON.stringify(spec)).toBeInstanceOf(FieldError);
            expect(e.message).toContain(word);
          }
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('raw() refuses every non-primitive parameter with a FieldError (mysql2 would splice toSqlString() or expand arrays)', async () => {
        const hostile: unknown[] = [
          { toSqlString: () => "'' OR 1=1" },
          ['benign', 'one'],
          { name: 'benign' },
          new Map(),
          Symbol('s'),
          () => 'x',
          Object.create(null),
        ];
        for (const value of hostile) {
          const e = await rejection(Target.raw('SELECT * FROM sf_targets WHERE name = ?', [value]));
          expect(e, String(typeof value)).toBeInstanceOf(FieldError);
          expect(e.message).toMatch(/^Parameter 1 is an? (object|array|symbol|function): statement parameters must be/);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        // Dates, Buffers, bigints and booleans are still bound.
        expect(await Target.raw('SELECT * FROM sf_targets WHERE name = ? AND n >= ?', ['benign', 0n])).toHaveLength(1);
        await expectUnchanged();
      });

      it('raw() binds NUL as it is: PostgreSQL answers with a mapped OperationalError, the others match nothing', async () => {
        for (const s of NUL_CORPUS) {
          const got = await Target.raw('SELECT * FROM sf_targets WHERE name = ?', [s]).catch((e: unknown) => e);
          if (ctx.dialect === 'postgres') {
            expect(got).toBeInstanceOf(OxenError);
            expect((got as Error).name).toBe('OperationalError');
          } else expect(got).toEqual([]);
        }
        await expectUnchanged();
      });

      it('in JSON key paths (refused as FieldError)', async () => {
        for (const [s, word] of UNSTORABLE) {
          for (const spec of [{ [`data__${s}`]: 1 }, { [`data__a__${s}__isnull`]: true }, { [`data__${s}__has_key`]: 'k' }]) {
            const e = thrown(() => Target.filter(spec as never));
            expect(e, JSON.stringify(spec)).toBeInstanceOf(FieldError);
            expect(e.message).toContain(word);
          }
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });
    });

    describe('a 1 MB key is repeated in messages only up to the documented bound', () => {
      const k = 'k'.repeat(1_000_000);
      /** The clipped form every message must carry instead of the key. */
      const clipped = `${'k'.repeat(MESSAGE_INPUT_LIMIT)}… (1000000 characters)`;
      it('in filter, exclude, orderBy, values, annotate, F, update, create, selectRelated and prefetchRelated', async () => {
        const channels: [string, () => unknown][] = [
          ['filter', () => Target.filter({ [k]: 1 } as never)],
          ['filter lookup', () => Target.filter({ [`name__${k}`]: 1 } as never)],
          ['exclude', () => Target.exclude({ [k]: 1 } as never)],
          ['orderBy', () => Target.all().orderBy(k as never)],
          ['values', () => Target.all().values(k as never)],
          ['valuesList', () => Target.all().valuesList(k as never)],
          ['annotate alias', () => Target.all().annotate({ [k]: Count('id') } as never)],
          ['annotate path', () => Target.all().annotate({ c: Count(k as never) } as never)],
          ['F', () => Target.filter({ n: F(k) } as never)],
          ['update', () => Target.all().update({ [k]: 1 } as never)],
          ['create', () => Target.create({ [k]: 1 } as never)],
          ['selectRelated', () => Target.all().selectRelated(k as never)],
          ['prefetchRelated', () => Target.all().prefetchRelated(k as never)],
          ['get', () => Target.get({ [k]: 1 } as never)],
        ];
        for (const [channel, run] of channels) {
          let error: unknown;
          try {
            await run();
          } catch (e) {
            error = e;
          }
          expect(error, channel).toBeInstanceOf(FieldError);
          const message = (error as Error).message;
          expect(message, channel).toContain(clipped);
          expect(message.length, channel).toBeLessThan(4 * MESSAGE_INPUT_LIMIT + 400);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('in the error of the database for an invalid 1 MB regular expression', async () => {
        const e = await rejection(Target.filter({ name__regex: `(${k}` }).count());
        expect(e).toBeInstanceOf(OxenError);
        expect(e.message.length).toBeLessThan(4 * MESSAGE_INPUT_LIMIT + 400);
        if (ctx.dialect === 'sqlite') expect(e.message).toContain(`invalid regular expression '(${'k'.repeat(MESSAGE_INPUT_LIMIT - 1)}… (1000001 characters)'`);
        await expectUnchanged();
      });
    });

    describe('identifier channels reject with FieldError before compiling', () => {
      const HOSTILE_KEYS = CORPUS.filter((s) => !VALID_KEYS.has(s));

      it('filter() / exclude() / get() keys, in the field, lookup and transform positions', async () => {
        for (const s of HOSTILE_KEYS) {
          for (const key of [s, `${s}__exact`, `name__${s}`, `n__${s}`, `${s}__name`, `name__${s}__exact`, `pk__${s}`]) {
            expect(thrown(() => Target.filter({ [key]: 1 } as never)), key).toBeInstanceOf(FieldError);
            expect(thrown(() => Target.exclude({ [key]: 1 } as never)), key).toBeInstanceOf(FieldError);
            expect(thrown(() => Target.filter(Q({ name: 'x' }).or({ [key]: 1 }) as never)), key).toBeInstanceOf(FieldError);
          }
          expect(await rejection(Target.get({ [s]: 1 } as never))).toBeInstanceOf(FieldError);
          expect(await rejection(Target.getOrCreate({ [s]: 1 } as never))).toBeInstanceOf(FieldError);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('filter objects are read with own-property checks only', async () => {
        const polluted = JSON.parse('{"__proto__": {"name": "Ann"}, "constructor": {"prototype": {"x": 1}}}') as Record<string, unknown>;
        expect(thrown(() => Target.filter(polluted as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Target.filter(JSON.parse('{"__proto__": 1}') as never))).toBeInstanceOf(FieldError);
        // An object whose fields come from its prototype is not a plain object: refused, not walked.
        expect(thrown(() => Target.filter(Object.create({ name: BENIGN }) as never))).toBeInstanceOf(FieldError);
        expect(thrown(() => Target.filter(new (class { name = BENIGN })() as never))).toBeInstanceOf(FieldError);
        // A null-prototype object is fine.
        const bare = Object.assign(Object.create(null) as Record<string, unknown>, { name: BENIGN });
        expect(await names(bare)).toEqual([BENIGN]);
        expect(({} as Record<string, unknown>).name).toBeUndefined();
        expect(await rejection(Target.all().update(JSON.parse('{"__proto__": {"n": 1}}') as never))).toBeInstanceOf(FieldError);
        await expectUnchanged();
      });

      it('orderBy() strings', () => {
        // '-id' is a legitimate ordering of this model; everything else is refused.
        for (const s of CORPUS.filter((c) => c !== '-id')) {
          expect(thrown(() => Target.all().orderBy(s as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.all().orderBy(`-${s}` as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.all().orderBy('name', `${s}` as never)), s).toBeInstanceOf(FieldError);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
      });

      it('values() and valuesList() names', () => {
        for (const s of HOSTILE_KEYS) {
          expect(thrown(() => Target.all().values(s as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.all().values('name', `data__${s}` as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.all().valuesList(s as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.all().valuesList(s as never, { flat: true })), s).toBeInstanceOf(FieldError);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
      });

      it('annotate() and aggregate() aliases and aggregated paths', async () => {
        for (const s of CORPUS.filter((c) => !USABLE_ALIASES.has(c) && !PROTOTYPE_NAMES.has(c))) {
          expect(thrown(() => Target.all().annotate({ [s]: Count() })), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.aggregate({ [s]: Sum('n') })), s).toBeInstanceOf(FieldError);
        }
        for (const s of CORPUS) {
          if (!VALID_KEYS.has(s) && s !== '*') {
            expect(thrown(() => Target.all().annotate({ c: Count(s) })), s).toBeInstanceOf(FieldError);
            expect(await rejection(Target.aggregate({ c: Sum(s) })), s).toBeInstanceOf(FieldError);
          }
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('aliases that are plain identifiers (even SQL keywords) are quoted and work', async () => {
        const total = ((CORPUS.length + 1) * CORPUS.length) / 2;
        for (const s of USABLE_ALIASES) {
          expect(await Target.aggregate({ [s]: Sum('n') })).toEqual({ [s]: total });
          const grouped = Target.filter({ name: BENIGN }).values('name').annotate({ [s]: Count() }).orderBy(`-${s}` as never);
          expect(await grouped).toEqual([{ name: BENIGN, [s]: 1 }]);
          // A name ending in '_' cannot take a '__lookup' suffix ('___gte' splits as '' + '_gte').
          if (!s.endsWith('_')) expect(await grouped.filter({ [`${s}__gte`]: 1 } as never)).toEqual([{ name: BENIGN, [s]: 1 }]);
        }
        await expectUnchanged();
      });

      it('annotate() refuses aliases that would shadow instance methods or prototype properties', () => {
        for (const s of [...PROTOTYPE_NAMES, 'save', 'delete', 'pk', 'toJSON', 'refreshFromDb', 'isSaved']) {
          expect(thrown(() => Target.all().annotate({ [s]: Count() })), s).toBeInstanceOf(FieldError);
        }
      });

      it('F() paths in filters and in update()', async () => {
        for (const s of HOSTILE_KEYS) {
          expect(thrown(() => Target.filter({ n__gt: F(s as never) })), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.filter({ n: F('n').add(F(s)) })), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.all().update({ n: F(s).add(1) })), s).toBeInstanceOf(FieldError);
        }
        expect(ctx.connection().metrics().queries).toBe(queriesBefore);
        await expectUnchanged();
      });

      it('update(), create() and build() keys; bulkCreate conflict field names; bulkUpdate field names', async () => {
        const [first] = await Target.filter({ name: BENIGN });
        queriesBefore = ctx.connection().metrics().queries;
        for (const s of HOSTILE_KEYS) {
          expect(await rejection(Target.all().update({ [s]: 1 } as never)), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.create({ name: 'x', [s]: 1 } as never)), s).toBeInstanceOf(FieldError);
          expect(thrown(() => Target.build({ [s]: 1 } as never)), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.bulkCreate([{ name: 'x' }], { updateConflicts: { fields: [s], uniqueFields: ['name'] } })), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.bulkCreate([{ name: 'x' }], { updateConflicts: { fields: ['n'], uniqueFields: [s] } })), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.bulkUpdate([first], [s as never])), s).toBeInstanceOf(FieldError);
          expect(await rejection(Target.updateOrCreate({ name: BENIGN }, { [s]: 1 } as never)), s).toBeInstanceOf(OxenError);
        }
        await expectUnchanged();
      });
    });
  },
  { models: [Target, Canary] },
);
