/**
 * Every field type round-trips exactly on every dialect: property-based (fast-check) create → get →
 * deep-equal of the cleaned input, plus the JS type. Wrong value types are a ValidationError naming the
 * field, raised before any SQL is sent.
 *
 * docs/fields.md's round-trip table cites the tests of this file by name ("round trip: <field>").
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import {
  BigIntField,
  BinaryField,
  BooleanField,
  CharField,
  DateField,
  DateTimeField,
  DecimalField,
  EnumField,
  FloatField,
  IntField,
  JSONField,
  Model,
  SmallIntField,
  TextField,
  TimeField,
  UUIDField,
  ValidationError,
  getConnection,
  model,
  type JsonValue,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

enum Color {
  Red = 'red',
  Green = 'green',
  Blue = 'blue',
}

enum Priority {
  Low = 1,
  Normal = 5,
  High = 10,
}

/** One nullable column per field type: each property writes one of them and reads it back. */
@model({ table: 'val_values' })
class ValueRow extends Model {
  declare id: number;
  @CharField({ maxLength: 50, null: true }) char!: string | null;
  @TextField({ null: true }) text!: string | null;
  @IntField({ null: true }) int!: number | null;
  @SmallIntField({ null: true }) small!: number | null;
  @BigIntField({ null: true }) big!: bigint | null;
  @FloatField({ null: true }) float!: number | null;
  @DecimalField({ maxDigits: 30, decimalPlaces: 8, null: true }) decimal!: string | null;
  @DecimalField({ maxDigits: 10, decimalPlaces: 4, null: true }) price!: string | null;
  @BooleanField({ null: true }) flag!: boolean | null;
  @DateTimeField({ null: true }) at!: Date | null;
  @DateField({ null: true }) day!: string | null;
  @TimeField({ null: true }) time!: string | null;
  @UUIDField({ null: true }) uuid!: string | null;
  @JSONField({ null: true }) data!: JsonValue | null;
  @EnumField(Color, { null: true }) color!: Color | null;
  @EnumField(Priority, { null: true }) priority!: Priority | null;
  @BinaryField({ null: true }) blob!: Buffer | null;
}

type Column = Exclude<keyof ValueRow, keyof Model | 'id'>;

const RUNS = 25;

/** Creates a row with one column set, fetches it with get(), and returns the fetched value. */
async function roundTrip<K extends Column>(column: K, value: ValueRow[K]): Promise<ValueRow[K]> {
  const created = await ValueRow.create({ [column]: value } as Partial<ValueRow>);
  const fetched = await ValueRow.get({ id: created.id });
  return fetched[column];
}

/** Any Unicode scalar value except NUL (which PostgreSQL cannot store and Oxen refuses). */
const codePoint = fc
  .integer({ min: 1, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));
const EMOJI = ['😀', '👩‍👩‍👧‍👦', '🇳🇴', '🧪', 'é', 'ß', 'İ', '中文', 'ﬀ', ' '];
const unicodeText = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.oneof(codePoint, fc.constantFrom(...EMOJI.filter((e) => [...e].length === 1))), { maxLength }).map((a) => a.join(''));

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** 'HH:MM:SS' plus 0–6 fractional digits, and the canonical form Oxen reads back (trailing zeros trimmed). */
const timeValue = fc
  .record({
    h: fc.integer({ min: 0, max: 23 }),
    m: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    frac: fc.oneof(fc.constant(''), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 6 })),
  })
  .map(({ h, m, s, frac }) => {
    const base = [h, m, s].map((n) => String(n).padStart(2, '0')).join(':');
    const input = frac === '' ? base : `${base}.${frac}`;
    const trimmed = frac.replace(/0+$/, '');
    return { input, expected: trimmed === '' ? base : `${base}.${trimmed}` };
  });

/** Decimals of up to 30 significant digits (22 before the point, 8 after), with the exact string Oxen reads back. */
const decimalValue = fc
  .record({
    negative: fc.boolean(),
    int: fc.oneof(fc.constant('0'), fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 22 })),
    frac: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: 8 }),
  })
  .map(({ negative, int, frac }) => {
    const intPart = int.replace(/^0+(?=\d)/, '');
    const frac8 = frac.padEnd(8, '0');
    const zero = /^0+$/.test(intPart) && /^0+$/.test(frac8);
    const input = `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}`;
    return { input, expected: `${negative && !zero ? '-' : ''}${intPart}.${frac8}` };
  });

/** JSON documents: nested objects and arrays of strings (any Unicode but NUL), numbers, booleans and null. */
const jsonDocument = fc.jsonValue({ maxDepth: 4, stringUnit: codePoint });

const dateTimeValue = fc.date({ min: new Date('1000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });

const ORIGINAL_TZ = process.env.TZ;

/** Runs `fn` with the process's local time zone set to `tz` (Node re-reads TZ when it is assigned). */
async function underTz(tz: string, fn: () => Promise<void>): Promise<void> {
  process.env.TZ = tz;
  try {
    await fn();
  } finally {
    if (ORIGINAL_TZ === undefined) delete process.env.TZ;
    else process.env.TZ = ORIGINAL_TZ;
  }
}

/** Each column's type as the dialect's catalog reports it. */
async function columnTypes(dialect: 'sqlite' | 'postgres' | 'mysql'): Promise<Record<string, string>> {
  const db = getConnection().kysely;
  const r =
    dialect === 'sqlite'
      ? await sql<{ name: string; type: string }>`select name, type from pragma_table_info('val_values')`.execute(db)
      : dialect === 'postgres'
        ? await sql<{ name: string; type: string }>`
            select a.attname as name, format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
            where a.attrelid = cast('val_values' as regclass) and a.attnum > 0 and not a.attisdropped`.execute(db)
        : await sql<{ name: string; type: string }>`
            select column_name as name, column_type as type from information_schema.columns
            where table_schema = database() and table_name = 'val_values'`.execute(db);
  // SQLite reports declared types upper-cased.
  return Object.fromEntries(r.rows.map((row) => [row.name, dialect === 'sqlite' ? String(row.type).toLowerCase() : String(row.type)]));
}

/** The column types of docs/fields.md, per dialect, in ValueRow's field order. */
const COLUMN_TYPES: Record<'sqlite' | 'postgres' | 'mysql', Record<string, string>> = {
  sqlite: {
    id: 'integer', char: 'text', text: 'text', int: 'integer', small: 'integer', big: 'bigint', float: 'real', decimal: 'text', price: 'text',
    flag: 'integer', at: 'text', day: 'text', time: 'text', uuid: 'text', data: 'text', color: 'text', priority: 'integer', blob: 'blob',
  },
  postgres: {
    id: 'integer', char: 'character varying(50)', text: 'text', int: 'integer', small: 'smallint', big: 'bigint', float: 'double precision',
    decimal: 'numeric(30,8)', price: 'numeric(10,4)', flag: 'boolean', at: 'timestamp with time zone', day: 'date', time: 'time without time zone',
    uuid: 'uuid', data: 'jsonb', color: 'character varying(255)', priority: 'integer', blob: 'bytea',
  },
  mysql: {
    id: 'int(11)', char: 'varchar(50)', text: 'longtext', int: 'int(11)', small: 'smallint(6)', big: 'bigint(20)', float: 'double',
    decimal: 'decimal(30,8)', price: 'decimal(10,4)', flag: 'tinyint(1)', at: 'datetime(3)', day: 'date', time: 'time(6)', uuid: 'char(36)',
    data: 'longtext', color: 'varchar(255)', priority: 'int(11)', blob: 'longblob',
  },
};

forEachDialect(
  'fields: values',
  (ctx) => {
    it('column types: each field kind gets the column type of docs/fields.md', async () => {
      expect(await columnTypes(ctx.dialect)).toEqual(COLUMN_TYPES[ctx.dialect]);
    });

    describe('round trips (create → get → the cleaned input, same JS type)', () => {
      it('round trip: CharField keeps unicode, emoji, spaces and the empty string', async () => {
        for (const fixed of ['', ' ', 'trailing  ', '😀👍🏽', 'Ünïcödé', 'a'.repeat(50), '🧪'.repeat(50)]) {
          expect(await roundTrip('char', fixed)).toBe(fixed);
        }
        await fc.assert(
          fc.asyncProperty(unicodeText(50), async (value) => {
            const back = await roundTrip('char', value);
            expect(typeof back).toBe('string');
            expect(back).toBe(value);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: TextField holds more than 64 KiB', async () => {
        await fc.assert(
          fc.asyncProperty(unicodeText(40).filter((s) => s.length > 0), async (unit) => {
            const value = unit.repeat(Math.ceil(70_000 / unit.length));
            expect(Buffer.byteLength(value, 'utf8')).toBeGreaterThan(65_536);
            const back = await roundTrip('text', value);
            expect(typeof back).toBe('string');
            expect(back).toBe(value);
          }),
          { numRuns: 5 },
        );
      });

      it('round trip: IntField keeps the 32-bit limits', async () => {
        for (const fixed of [INT32_MIN, INT32_MAX, 0, -1, 1]) expect(await roundTrip('int', fixed)).toBe(fixed);
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: INT32_MIN, max: INT32_MAX }), async (value) => {
            const back = await roundTrip('int', value);
            expect(typeof back).toBe('number');
            expect(back).toBe(value);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: SmallIntField keeps the 16-bit limits', async () => {
        for (const fixed of [-32768, 32767, 0]) expect(await roundTrip('small', fixed)).toBe(fixed);
        await fc.assert(
          fc.asyncProperty(fc.integer({ min: -32768, max: 32767 }), async (value) => {
            const back = await roundTrip('small', value);
            expect(typeof back).toBe('number');
            expect(back).toBe(value);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: BigIntField is a bigint beyond 2^53, up to ±(2^63-1)', async () => {
        for (const fixed of [INT64_MAX, -INT64_MAX, INT64_MIN, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 0n]) {
          const back = await roundTrip('big', fixed);
          expect(typeof back).toBe('bigint');
          expect(back).toBe(fixed);
        }
        await fc.assert(
          fc.asyncProperty(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), async (value) => {
            const back = await roundTrip('big', value);
            expect(typeof back).toBe('bigint');
            expect(back).toBe(value);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: BigIntField accepts a safe-integer number and reads it back as a bigint', async () => {
        const back = await roundTrip('big', 42 as unknown as bigint);
        expect(back).toBe(42n);
      });

      it('round trip: FloatField keeps every finite double exactly (-0 becomes 0)', async () => {
        for (const fixed of [0.1, -1.5e-300, 1.7976931348623157e308, Number.MIN_VALUE * 2 ** 52, 2 ** 53 + 2, -123.456]) {
          expect(await roundTrip('float', fixed)).toBe(fixed);
        }
        expect(Object.is(await roundTrip('float', -0), 0)).toBe(true);
        await fc.assert(
          fc.asyncProperty(fc.double({ noNaN: true, noDefaultInfinity: true }), async (value) => {
            const back = await roundTrip('float', value);
            expect(typeof back).toBe('number');
            expect(back).toBe(value === 0 ? 0 : value);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: DecimalField keeps 30 significant digits as a string with exactly decimalPlaces digits', async () => {
        const fixed: [string, string][] = [
          ['1234567890123456789012.12345678', '1234567890123456789012.12345678'],
          ['-1234567890123456789012.12345678', '-1234567890123456789012.12345678'],
          ['0', '0.00000000'],
          ['-0.0', '0.00000000'],
          ['2.3', '2.30000000'],
          ['-0.00000001', '-0.00000001'],
        ];
        for (const [input, expected] of fixed) expect(await roundTrip('decimal', input)).toBe(expected);
        expect(await roundTrip('price', '2.3')).toBe('2.3000');
        await fc.assert(
          fc.asyncProperty(decimalValue, async ({ input, expected }) => {
            const back = await roundTrip('decimal', input);
            expect(typeof back).toBe('string');
            expect(back).toBe(expected);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: BooleanField reads back true/false, never 0/1', async () => {
        const backTrue = await roundTrip('flag', true);
        const backFalse = await roundTrip('flag', false);
        expect(backTrue).toBe(true);
        expect(backFalse).toBe(false);
        await fc.assert(
          fc.asyncProperty(fc.boolean(), async (value) => {
            const back = await roundTrip('flag', value);
            expect(typeof back).toBe('boolean');
            expect(back).toBe(value);
          }),
          { numRuns: 10 },
        );
      });

      for (const tz of ['UTC', 'America/New_York', 'Asia/Kathmandu']) {
        it(`round trip: DateTimeField keeps milliseconds, years 1000..9999 (process TZ=${tz})`, async () => {
          await underTz(tz, async () => {
            const fixed = [new Date('1000-01-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z'), new Date('2024-03-10T07:30:15.123Z')];
            for (const d of fixed) expect((await roundTrip('at', d))?.getTime()).toBe(d.getTime());
            await fc.assert(
              fc.asyncProperty(dateTimeValue, async (value) => {
                const back = await roundTrip('at', value);
                expect(back).toBeInstanceOf(Date);
                expect(back?.getTime()).toBe(value.getTime());
              }),
              { numRuns: RUNS },
            );
          });
        });
      }

      // Before ~1900 most zones used local mean time, an offset with seconds (New York: -4:56:02).
      // A JS Date bound as a parameter must still arrive as the same instant.
      it('round trip: DateTimeField before 1900 under a local TZ whose offset has seconds (TZ=America/New_York)', async () => {
        await underTz('America/New_York', async () => {
          for (const iso of ['1800-06-15T12:00:00.000Z', '1883-11-18T16:59:59.999Z', '1000-01-01T00:00:00.000Z']) {
            const d = new Date(iso);
            const back = await roundTrip('at', d);
            expect(back?.toISOString()).toBe(iso);
          }
        });
      });

      it('round trip: DateTimeField is stored as UTC (the hour transform sees the UTC hour under TZ=America/New_York)', async () => {
        await underTz('America/New_York', async () => {
          const row = await ValueRow.create({ at: new Date('2024-07-01T02:30:00.000Z') }); // 22:30 local, the day before
          expect(await ValueRow.filter({ id: row.id, at__hour: 2 }).count()).toBe(1);
          expect(await ValueRow.filter({ id: row.id, at__day: 1 }).count()).toBe(1);
        });
      });

      it("round trip: DateField keeps 'YYYY-MM-DD' strings, years 1000..9999", async () => {
        for (const fixed of ['1000-01-01', '9999-12-31', '2024-02-29']) expect(await roundTrip('day', fixed)).toBe(fixed);
        await fc.assert(
          fc.asyncProperty(dateTimeValue, async (d) => {
            const value = d.toISOString().slice(0, 10);
            const back = await roundTrip('day', value);
            expect(typeof back).toBe('string');
            expect(back).toBe(value);
          }),
          { numRuns: RUNS },
        );
      });

      it("round trip: TimeField keeps 'HH:MM:SS[.ffffff]' with microseconds, trailing zeros trimmed", async () => {
        const fixed: [string, string][] = [
          ['00:00:00', '00:00:00'],
          ['23:59:59.999999', '23:59:59.999999'],
          ['12:30:00.500000', '12:30:00.5'],
          ['12:30:00.000', '12:30:00'],
          ['01:02:03.000001', '01:02:03.000001'],
        ];
        for (const [input, expected] of fixed) expect(await roundTrip('time', input)).toBe(expected);
        await fc.assert(
          fc.asyncProperty(timeValue, async ({ input, expected }) => {
            const back = await roundTrip('time', input);
            expect(typeof back).toBe('string');
            expect(back).toBe(expected);
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: UUIDField reads back lowercase strings (uppercase input is lowered)', async () => {
        await fc.assert(
          fc.asyncProperty(fc.uuid(), fc.boolean(), async (uuid, upper) => {
            const back = await roundTrip('uuid', upper ? uuid.toUpperCase() : uuid);
            expect(typeof back).toBe('string');
            expect(back).toBe(uuid.toLowerCase());
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: JSONField keeps nested objects, arrays, strings, numbers, booleans and null', async () => {
        const nested = { a: [1, 2.5, -3e-7, { b: null, c: [true, false, 'ü😀'] }], 'key with "quotes"': { '': [] }, n: 12345678901234 };
        expect(await roundTrip('data', nested)).toEqual(nested);
        for (const scalar of ['text', 42, true, [], {}]) expect(await roundTrip('data', scalar)).toEqual(scalar);
        await fc.assert(
          fc.asyncProperty(jsonDocument, async (value) => {
            const back = await roundTrip('data', value as JsonValue);
            expect(back).toEqual(JSON.parse(JSON.stringify(value)));
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: JSONField null is SQL NULL', async () => {
        const row = await ValueRow.create({ data: null });
        expect(await ValueRow.filter({ id: row.id, data__isnull: true } as never).count()).toBe(1);
        expect((await ValueRow.get({ id: row.id })).data).toBeNull();
      });

      it('round trip: EnumField keeps string and numeric TypeScript enum members', async () => {
        await fc.assert(
          fc.asyncProperty(fc.constantFrom(Color.Red, Color.Green, Color.Blue), fc.constantFrom(Priority.Low, Priority.Normal, Priority.High), async (color, priority) => {
            const created = await ValueRow.create({ color, priority });
            const back = await ValueRow.get({ id: created.id });
            expect(typeof back.color).toBe('string');
            expect(back.color).toBe(color);
            expect(typeof back.priority).toBe('number');
            expect(back.priority).toBe(priority);
          }),
          { numRuns: 9 },
        );
      });

      it('round trip: BinaryField keeps bytes, zero bytes included, as a Buffer', async () => {
        for (const fixed of [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0, 0, 255, 0])]) {
          const back = await roundTrip('blob', fixed);
          expect(Buffer.isBuffer(back)).toBe(true);
          expect(back?.equals(fixed)).toBe(true);
        }
        await fc.assert(
          fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
            const value = Buffer.concat([Buffer.from([0]), Buffer.from(bytes), Buffer.from([0, 0])]);
            const back = await roundTrip('blob', value);
            expect(Buffer.isBuffer(back)).toBe(true);
            expect(back?.toString('hex')).toBe(value.toString('hex'));
          }),
          { numRuns: RUNS },
        );
      });

      it('round trip: BinaryField accepts a Uint8Array and reads back a Buffer', async () => {
        const back = await roundTrip('blob', new Uint8Array([0, 1, 2, 0]) as Buffer);
        expect(Buffer.isBuffer(back)).toBe(true);
        expect([...(back as Buffer)]).toEqual([0, 1, 2, 0]);
      });

      it('round trip: every nullable field reads back null', async () => {
        const created = await ValueRow.create({});
        const back = await ValueRow.get({ id: created.id });
        for (const field of ValueRow.meta.fields) {
          if (field.name !== 'id') expect(back[field.name as Column]).toBeNull();
        }
      });
    });

    describe('wrong value types: ValidationError naming the field, nothing sent', () => {
      const cases: [string, Partial<Record<Column, unknown>>, Column, RegExp][] = [
        ['a string into IntField', { int: '12' }, 'int', /must be an integer, got a string/],
        ['a fraction into IntField', { int: 1.5 }, 'int', /must be an integer/],
        ['2^31 into IntField', { int: 2 ** 31 }, 'int', /between -2147483648 and 2147483647/],
        ['40000 into SmallIntField', { small: 40000 }, 'small', /between -32768 and 32767/],
        ['a number beyond 2^53 into BigIntField', { big: 2 ** 53 + 2 }, 'big', /beyond 2\^53/],
        ['2^63 into BigIntField', { big: 2n ** 63n }, 'big', /64 bits/],
        ['NaN into FloatField', { float: Number.NaN }, 'float', /finite number/],
        ['Infinity into FloatField', { float: Number.POSITIVE_INFINITY }, 'float', /finite number/],
        ["'1.23456' into a decimal with 4 places", { price: '1.23456' }, 'price', /at most 4 digits after the point/],
        ["'abc' into DecimalField", { price: 'abc' }, 'price', /decimal string/],
        ["'x' into UUIDField", { uuid: 'x' }, 'uuid', /must be a UUID/],
        ['a NUL byte into TextField', { text: 'a\u0000b' }, 'text', /NUL/],
        ['a NUL byte into CharField', { char: '\u0000' }, 'char', /NUL/],
        ['51 characters into CharField({ maxLength: 50 })', { char: 'x'.repeat(51) }, 'char', /at most 50 characters/],
        ['1 into BooleanField', { flag: 1 }, 'flag', /must be a boolean, got a number/],
        ['a string into DateTimeField', { at: '2024-01-01' }, 'at', /must be a Date, got a string/],
        ['an Invalid Date into DateTimeField', { at: new Date('nope') }, 'at', /Invalid Date/],
        ["'2024-02-30' into DateField", { day: '2024-02-30' }, 'day', /not a real date/],
        ["'24:00:00' into TimeField", { time: '24:00:00' }, 'time', /HH:MM:SS/],
        ['NaN inside JSONField', { data: { a: [Number.NaN] } }, 'data', /non-finite number at \$\.a\[0\]/],
        ['a NUL inside JSONField', { data: { s: 'a\u0000' } }, 'data', /NUL/],
        ['a lone high surrogate into TextField', { text: 'a\uD800' }, 'text', /lone UTF-16 surrogate \(\\uD800 at index 1\)/],
        ['a lone low surrogate into CharField', { char: '\uDC00x' }, 'char', /lone UTF-16 surrogate/],
        ['a lone surrogate inside JSONField', { data: { s: '\uD83D' } }, 'data', /lone UTF-16 surrogate/],
        ['a lone surrogate in a JSONField key', { data: { ['k\uDFFF']: 1 } }, 'data', /lone UTF-16 surrogate/],
        ["'purple' into EnumField(Color)", { color: 'purple' }, 'color', /must be one of "red", "green", "blue"/],
        ["'5' into EnumField(Priority)", { priority: '5' }, 'priority', /must be one of 1, 5, 10/],
        ['a string into BinaryField', { blob: 'bytes' }, 'blob', /must be a Buffer, got a string/],
      ];
      for (const [title, data, field, message] of cases) {
        it(`${title} → ValidationError { ${field} }`, async () => {
          const queriesBefore = getConnection().metrics().queries;
          let error: unknown;
          try {
            await ValueRow.create(data as Partial<ValueRow>);
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ValidationError);
          const v = error as ValidationError;
          expect(Object.keys(v.errors)).toEqual([field]);
          expect(v.errors[field].join(' ')).toMatch(message);
          expect(v.model).toBe('ValueRow');
          expect(v.message).toContain(`${field}: `);
          expect(getConnection().metrics().queries).toBe(queriesBefore);
          expect(await ValueRow.count()).toBe(0);
        });
      }

      it('lists every failing field at once', async () => {
        const error = await ValueRow.create({ int: 'x', uuid: 'y', float: Number.NaN } as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(Object.keys((error as ValidationError).errors).sort()).toEqual(['float', 'int', 'uuid']);
        expect(await ValueRow.count()).toBe(0);
      });
    });
  },
  { models: [ValueRow] },
);
