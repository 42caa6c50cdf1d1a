/**
 * Every lookup and transform of API §4 on every dialect, against one fixed data set: each case names
 * the rows it must return, so identical results on SQLite, PostgreSQL and MySQL follow from each
 * dialect passing the same table. Covers case sensitivity (Unicode folding for the `i*` lookups),
 * LIKE metacharacters in values, trailing spaces, NULL handling of negations, decimals compared as
 * numbers, date transforms in UTC at a day/year edge, JSON key paths (array indexes, hostile keys),
 * `has_key`, JSON containment, and unknown names failing at build time with a did-you-mean.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BooleanField,
  CharField,
  DateField,
  DateTimeField,
  DecimalField,
  FieldError,
  IntField,
  JSONField,
  Model,
  Q,
  TimeField,
  model,
  syncSchema,
  type JsonValue,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'lk_things' })
class Thing extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 100, null: true }) nick!: string | null;
  @IntField({ null: true }) n!: number | null;
  @DecimalField({ maxDigits: 10, decimalPlaces: 2, null: true }) price!: string | null;
  @DateTimeField({ null: true }) at!: Date | null;
  @DateField({ null: true }) day!: string | null;
  @TimeField({ null: true }) time!: string | null;
  @JSONField({ null: true }) data!: JsonValue | null;
  @BooleanField({ default: false }) flag!: boolean;
}

/**
 * The data set. Instants are chosen at edges: 2024-01-01T00:30Z is still 2023-12-31 west of UTC,
 * 2023-12-31T23:59:59.500Z is already 2024 east of it; a transform evaluated in a local time zone
 * would move them across the year, month, day and week-day boundaries.
 */
const ROWS: Partial<Thing>[] = [
  {
    name: 'Alpha',
    nick: 'AL',
    n: 1,
    price: '10.00',
    at: new Date('2024-01-01T00:30:00.000Z'), // Monday
    day: '2024-01-01',
    time: '00:30:00',
    data: { kind: 'a', n: 1, items: [{ name: 'x' }, { name: 'y' }], tags: ['red', 'blue'], nested: { deep: { v: true } } },
    flag: true,
  },
  {
    name: 'alpha',
    nick: null,
    n: 2,
    price: '9.00',
    at: new Date('2023-12-31T23:59:59.500Z'), // Sunday
    day: '2023-12-31',
    time: '23:59:59',
    data: { kind: 'b', n: 5, items: [{ name: 'y' }], tags: ['red'], a: { b: 1 } },
  },
  {
    name: 'ÄRGER',
    nick: 'ärger',
    n: 3,
    price: '100.50',
    at: new Date('2024-02-29T12:34:56.789Z'), // Thursday
    day: '2024-02-29',
    time: '12:34:56',
    data: { kind: 'a', n: 10, 'a.b': 1, 'q"uote': 'dq', "it's": 'sq', '[0]': 'br', '*': 'star', 'back\\slash': 'bs', 'sp ace': 'sp', ünï: 'u' },
  },
  { name: 'ärger', nick: 'x', n: null, price: null, at: null, day: null, time: null, data: null },
  {
    name: '50% off',
    nick: '50 off',
    n: 50,
    price: '-1.50',
    at: new Date('2020-06-15T08:05:09.000Z'), // Monday
    day: '2020-06-15',
    time: '08:05:09',
    data: { kind: null, items: [] },
  },
  { name: '50 off', n: 51, data: [1, 2, 3] },
  { name: 'a_b', n: 60, data: 'just a string' },
  { name: 'axb', n: 61, data: 42 },
  { name: 'back\\slash', n: 70 },
  { name: 'backslash', n: 71 },
  { name: 'bang!', n: 80 },
  { name: 'bang', n: 81 },
  { name: 'trail ', n: 90 },
  { name: 'trail', n: 91 },
  { name: 'Ünïcödé', n: 100 },
];

const ALL = ROWS.map((r) => r.name as string).sort();
const without = (...names: string[]): string[] => ALL.filter((n) => !names.includes(n));

/** A case: the filter and the names of the rows it must return (order irrelevant). */
type Case = readonly [title: string, filter: Record<string, unknown>, expected: readonly string[]];

const CASES: Record<string, readonly Case[]> = {
  'exact (case-sensitive, trailing spaces significant)': [
    ['bare value', { name: 'Alpha' }, ['Alpha']],
    ['__exact', { name__exact: 'alpha' }, ['alpha']],
    ['non-ASCII is case-sensitive', { name: 'ärger' }, ['ärger']],
    ['trailing space does not match the trimmed value', { name: 'trail' }, ['trail']],
    ['the trimmed value does not match the spaced one', { name: 'trail ' }, ['trail ']],
    ['null means isnull', { nick: null }, without('Alpha', 'ÄRGER', 'ärger', '50% off')],
    ['__exact null means isnull', { n__exact: null }, ['ärger']],
    ['integers', { n: 3 }, ['ÄRGER']],
    ['booleans', { flag: true }, ['Alpha']],
    ['decimals', { price: '9.00' }, ['alpha']],
    ['decimals cleaned to the field’s places', { price: '9' }, ['alpha']],
    ['dates', { day: '2024-02-29' }, ['ÄRGER']],
    ['times', { time: '08:05:09' }, ['50% off']],
    ['datetimes', { at: new Date('2023-12-31T23:59:59.500Z') }, ['alpha']],
    ['no match', { name: 'ALPHA' }, []],
  ],
  iexact: [
    ['ASCII', { name__iexact: 'ALPHA' }, ['Alpha', 'alpha']],
    ['Unicode (Ä/ä)', { name__iexact: 'äRgEr' }, ['ÄRGER', 'ärger']],
    ['Unicode (Ü/ü, Ï/ï, Ö/ö, É/é)', { name__iexact: 'üNÏCÖDÉ' }, ['Ünïcödé']],
    ['trailing spaces count', { name__iexact: 'TRAIL' }, ['trail']],
    ['no pattern semantics', { name__iexact: 'a%' }, []],
    ['null means isnull', { nick__iexact: null }, without('Alpha', 'ÄRGER', 'ärger', '50% off')],
  ],
  'ne / not_in / exclude keep NULL rows': [
    ['ne on a nullable column', { n__ne: 1 }, without('Alpha')],
    ['ne on text', { nick__ne: 'AL' }, without('Alpha')],
    ['ne null means isnull false', { n__ne: null }, without('ärger')],
    ['not_in', { n__not_in: [1, 2] }, without('Alpha', 'alpha')],
    ['not_in [] matches every row', { n__not_in: [] }, ALL],
  ],
  'in / range / comparisons': [
    ['in', { n__in: [1, 50, 999] }, ['Alpha', '50% off']],
    ['in accepts a Set', { name__in: new Set(['axb', 'a_b']) }, ['a_b', 'axb']],
    ['in [] matches nothing', { n__in: [] }, []],
    ['gt', { n__gt: 80 }, ['bang', 'trail ', 'trail', 'Ünïcödé']],
    ['gte', { n__gte: 90 }, ['trail ', 'trail', 'Ünïcödé']],
    ['lt', { n__lt: 3 }, ['Alpha', 'alpha']],
    ['lte', { n__lte: 3 }, ['Alpha', 'alpha', 'ÄRGER']],
    ['range is inclusive at both ends', { n__range: [2, 50] }, ['alpha', 'ÄRGER', '50% off']],
    ['range on datetimes is inclusive', { at__range: [new Date('2023-12-31T23:59:59.500Z'), new Date('2024-01-01T00:30:00.000Z')] }, ['Alpha', 'alpha']],
    ['range on dates', { day__range: ['2023-12-31', '2024-01-01'] }, ['Alpha', 'alpha']],
    ['gt on text compares code points', { name__gt: 'trail' }, ['trail ', 'Ünïcödé', 'ärger', 'ÄRGER']],
    ['lt on times', { time__lt: '08:05:10' }, ['Alpha', '50% off']],
  ],
  'decimals compare as numbers (SQLite stores text)': [
    ['gt', { price__gt: '9.00' }, ['Alpha', 'ÄRGER']],
    ['gte', { price__gte: '9.00' }, ['Alpha', 'alpha', 'ÄRGER']],
    ['lt with a negative', { price__lt: '0' }, ['50% off']],
    ['range', { price__range: ['9.5', '100.5'] }, ['Alpha', 'ÄRGER']],
    ['in', { price__in: ['10', '-1.5'] }, ['Alpha', '50% off']],
  ],
  isnull: [
    ['true', { n__isnull: true }, ['ärger']],
    ['false', { n__isnull: false }, without('ärger')],
    ['on JSON: the SQL NULL document', { data__isnull: true }, ['ärger', 'back\\slash', 'backslash', 'bang!', 'bang', 'trail ', 'trail', 'Ünïcödé']],
  ],
  'contains / startswith / endswith (case-sensitive)': [
    ['contains', { name__contains: 'lph' }, ['Alpha', 'alpha']],
    ['contains is case-sensitive (ASCII)', { name__contains: 'Al' }, ['Alpha']],
    ['contains is case-sensitive (Unicode)', { name__contains: 'Ä' }, ['ÄRGER']],
    ['startswith', { name__startswith: 'a' }, ['alpha', 'a_b', 'axb']],
    ['endswith', { name__endswith: 'ha' }, ['Alpha', 'alpha']],
    ['endswith a space', { name__endswith: ' ' }, ['trail ']],
    ['empty string matches everything', { name__contains: '' }, ALL],
  ],
  'LIKE metacharacters match themselves': [
    ['% (contains)', { name__contains: '%' }, ['50% off']],
    ['% (startswith)', { name__startswith: '50%' }, ['50% off']],
    ['_ (contains)', { name__contains: '_' }, ['a_b']],
    ['_ (icontains)', { name__icontains: 'A_' }, ['a_b']],
    ['\\ (contains)', { name__contains: '\\' }, ['back\\slash']],
    ['\\ (istartswith)', { name__istartswith: 'BACK\\' }, ['back\\slash']],
    ['! (the escape character itself)', { name__endswith: '!' }, ['bang!']],
    ['!% together', { name__contains: '!%' }, []],
    ['%% alone', { name__iexact: '%' }, []],
  ],
  'icontains / istartswith / iendswith (Unicode case folding)': [
    ['icontains ASCII', { name__icontains: 'LPH' }, ['Alpha', 'alpha']],
    ['icontains Ä finds ä', { name__icontains: 'Ä' }, ['ÄRGER', 'ärger']],
    ['icontains ä finds Ä', { name__icontains: 'ärg' }, ['ÄRGER', 'ärger']],
    ['istartswith Ü', { name__istartswith: 'üNÏ' }, ['Ünïcödé']],
    ['iendswith É', { name__iendswith: 'ÖDÉ' }, ['Ünïcödé']],
    ['istartswith ASCII', { name__istartswith: 'AL' }, ['Alpha', 'alpha']],
    ['iendswith ASCII', { name__iendswith: 'GER' }, ['ÄRGER', 'ärger']],
    ['on a nullable column', { nick__icontains: 'Ä' }, ['ÄRGER']],
  ],
  'regex / iregex': [
    ['regex anchors', { name__regex: '^[Aa]lpha$' }, ['Alpha', 'alpha']],
    ['regex is case-sensitive', { name__regex: '^alp' }, ['alpha']],
    ['iregex', { name__iregex: '^ALP' }, ['Alpha', 'alpha']],
    ['regex with non-ASCII', { name__regex: '^ä' }, ['ärger']],
    ['iregex folds non-ASCII', { name__iregex: '^ä' }, ['ÄRGER', 'ärger']],
    ['regex alternation and classes', { name__regex: '^(bang|trail)[! ]$' }, ['bang!', 'trail ']],
    ['regex digits', { name__regex: '^[0-9]+ off$' }, ['50 off']],
  ],
  'date transforms in UTC': [
    ['year', { at__year: 2024 }, ['Alpha', 'ÄRGER']],
    ['year at the edge', { at__year: 2023 }, ['alpha']],
    ['year__gte', { at__year__gte: 2023 }, ['Alpha', 'alpha', 'ÄRGER']],
    ['month', { at__month: 12 }, ['alpha']],
    ['month__in', { at__month__in: [1, 2] }, ['Alpha', 'ÄRGER']],
    ['day', { at__day: 1 }, ['Alpha']],
    ['day 29 (leap day)', { at__day: 29 }, ['ÄRGER']],
    ['week_day 1 = Sunday', { at__week_day: 1 }, ['alpha']],
    ['week_day 2 = Monday', { at__week_day: 2 }, ['Alpha', '50% off']],
    ['week_day 5 = Thursday', { at__week_day: 5 }, ['ÄRGER']],
    ['hour', { at__hour: 0 }, ['Alpha']],
    ['hour 23', { at__hour: 23 }, ['alpha']],
    ['hour__range', { at__hour__range: [8, 12] }, ['ÄRGER', '50% off']],
    ['minute', { at__minute: 30 }, ['Alpha']],
    ['second (fractions dropped)', { at__second: 59 }, ['alpha']],
    ['second__lt', { at__second__lt: 10 }, ['Alpha', '50% off']],
    ['date', { at__date: '2024-01-01' }, ['Alpha']],
    ['date at the edge', { at__date: '2023-12-31' }, ['alpha']],
    ['date__gte', { at__date__gte: '2024-01-01' }, ['Alpha', 'ÄRGER']],
    ['date__range', { at__date__range: ['2020-01-01', '2023-12-31'] }, ['alpha', '50% off']],
    ['date__in', { at__date__in: ['2020-06-15', '2024-02-29'] }, ['ÄRGER', '50% off']],
    ['isnull after a transform', { at__year__isnull: true }, without('Alpha', 'alpha', 'ÄRGER', '50% off')],
    ['DateField year', { day__year: 2024 }, ['Alpha', 'ÄRGER']],
    ['DateField month', { day__month: 2 }, ['ÄRGER']],
    ['DateField day', { day__day: 31 }, ['alpha']],
    ['DateField week_day', { day__week_day: 1 }, ['alpha']],
    ['TimeField hour', { time__hour: 23 }, ['alpha']],
    ['TimeField minute', { time__minute: 5 }, ['50% off']],
    ['TimeField second', { time__second: 56 }, ['ÄRGER']],
  ],
  'JSON key paths': [
    ['a key', { data__kind: 'a' }, ['Alpha', 'ÄRGER']],
    ['a number', { data__n: 5 }, ['alpha']],
    ['a number, gt', { data__n__gt: 3 }, ['alpha', 'ÄRGER']],
    ['a number, lte', { data__n__lte: 5 }, ['Alpha', 'alpha']],
    ['a number, range', { data__n__range: [2, 10] }, ['alpha', 'ÄRGER']],
    ['a number, in', { data__n__in: [1, 10] }, ['Alpha', 'ÄRGER']],
    ['an array index', { data__items__1__name: 'y' }, ['Alpha']],
    ['index 0', { data__items__0__name: 'y' }, ['alpha']],
    ['an array element', { data__tags__1: 'blue' }, ['Alpha']],
    ['deep path', { data__nested__deep__v: true }, ['Alpha']],
    ['an object value', { data__a: { b: 1 } }, ['alpha']],
    ['an array value', { data__tags: ['red'] }, ['alpha']],
    ['ne keeps rows without the key', { data__kind__ne: 'a' }, without('Alpha', 'ÄRGER')],
    ['exact null means the path is missing (JSON null exists)', { data__kind: null }, without('Alpha', 'alpha', 'ÄRGER', '50% off')],
    ['isnull false: the path exists, JSON null included', { data__kind__isnull: false }, ['Alpha', 'alpha', 'ÄRGER', '50% off']],
    ['icontains on a key', { data__kind__icontains: 'A' }, ['Alpha', 'ÄRGER']],
    ['startswith on a nested key', { data__items__0__name__startswith: 'x' }, ['Alpha']],
    ['contains on a key is case-sensitive', { data__kind__contains: 'A' }, []],
    ['exact on a key is case-sensitive', { data__kind: 'A' }, []],
    ['iexact on a key', { data__kind__iexact: 'A' }, ['Alpha', 'ÄRGER']],
    ['a JSON null is not the text "null"', { data__kind__icontains: 'nul' }, []],
    ['gt on a string key', { data__kind__gt: 'a' }, ['alpha']],
    ['regex on a key', { data__kind__regex: '^[ab]$' }, ['Alpha', 'alpha', 'ÄRGER']],
    ['a key with a dot is one key', { 'data__a.b': 1 }, ['ÄRGER']],
    ['a key with a double quote', { 'data__q"uote': 'dq' }, ['ÄRGER']],
    ["a key with a single quote", { "data__it's": 'sq' }, ['ÄRGER']],
    ['a key that looks like an index', { 'data__[0]': 'br' }, ['ÄRGER']],
    ['a key that is a wildcard', { 'data__*': 'star' }, ['ÄRGER']],
    ['a key with a backslash', { 'data__back\\slash': 'bs' }, ['ÄRGER']],
    ['a key with a space', { 'data__sp ace': 'sp' }, ['ÄRGER']],
    ['a non-ASCII key', { data__ünï: 'u' }, ['ÄRGER']],
  ],
  'JSON has_key / contains': [
    ['has_key', { data__has_key: 'kind' }, ['Alpha', 'alpha', 'ÄRGER', '50% off']],
    ['has_key with an empty array value', { data__has_key: 'items' }, ['Alpha', 'alpha', '50% off']],
    ['has_key under a path', { data__nested__has_key: 'deep' }, ['Alpha']],
    ['has_key with a dot', { data__has_key: 'a.b' }, ['ÄRGER']],
    ['has_key with a wildcard', { data__has_key: '*' }, ['ÄRGER']],
    ['contains an object', { data__contains: { kind: 'a' } }, ['Alpha', 'ÄRGER']],
    ['contains a nested array subset', { data__contains: { tags: ['red'] } }, ['Alpha', 'alpha']],
    ['contains two keys', { data__contains: { kind: 'a', n: 10 } }, ['ÄRGER']],
    ['contains a nested object', { data__contains: { nested: { deep: { v: true } } } }, ['Alpha']],
    ['contains on an array document', { data__contains: [2, 3] }, ['50 off']],
    ['contains nothing matching', { data__contains: { kind: 'zzz' } }, []],
  ],
};

forEachDialect(
  'lookups',
  () => {
    beforeAll(async () => {
      await syncSchema({ models: [Thing] });
      await Thing.all().delete();
      for (const row of ROWS) await Thing.create(row);
    });

    const names = async (filter: Record<string, unknown>): Promise<string[]> => (await Thing.filter(filter as never).valuesList('name', { flat: true })).sort();

    for (const [group, cases] of Object.entries(CASES)) {
      if (cases.length === 0) continue;
      describe(group, () => {
        for (const [title, filter, expected] of cases) {
          it(`${title}: ${JSON.stringify(filter)}`, async () => {
            expect(await names(filter)).toEqual([...expected].sort());
          });
        }
      });
    }

    it('in [] inside an OR contributes nothing; not_in [] inside an AND restricts nothing', async () => {
      expect((await Thing.filter(Q({ name__in: [] }).or({ name: 'axb' })).valuesList('name', { flat: true }))).toEqual(['axb']);
      expect((await Thing.filter(Q({ name__not_in: [] }).and({ name: 'axb' })).valuesList('name', { flat: true }))).toEqual(['axb']);
      expect(await Thing.exclude({ name__in: [] }).count()).toBe(ALL.length);
    });

    it('exclude() keeps rows whose compared column is NULL', async () => {
      const got = (await Thing.exclude({ n__gt: 2 }).valuesList('name', { flat: true })).sort();
      expect(got).toEqual(['Alpha', 'alpha', 'ärger'].sort());
      const byNick = (await Thing.exclude({ nick: 'AL' }).valuesList('name', { flat: true })).sort();
      expect(byNick).toEqual(without('Alpha'));
    });

    it('exclude() of an OR keeps NULL rows of either column', async () => {
      const got = (await Thing.exclude(Q({ n__lt: 60 }).or({ nick: 'x' })).valuesList('name', { flat: true })).sort();
      expect(got).toEqual(['a_b', 'axb', 'back\\slash', 'backslash', 'bang!', 'bang', 'trail ', 'trail', 'Ünïcödé'].sort());
    });

    it('filter and exclude partition the rows for every negatable lookup', async () => {
      const filters: Record<string, unknown>[] = [{ n__gt: 3 }, { nick__icontains: 'a' }, { price__gte: '9.5' }, { at__year: 2024 }, { data__kind: 'a' }, { name__regex: '^a' }];
      for (const f of filters) {
        const inside = await names(f);
        const outside = (await Thing.exclude(f as never).valuesList('name', { flat: true })).sort();
        expect([...inside, ...outside].sort()).toEqual(ALL);
        expect(inside.filter((n) => outside.includes(n))).toEqual([]);
      }
    });

    it('ordering by a decimal is numeric, NULLs first ascending and last descending', async () => {
      const asc = await Thing.filter({ name__in: ['Alpha', 'alpha', 'ÄRGER', 'ärger', '50% off'] }).orderBy('price').valuesList('price', { flat: true });
      expect(asc).toEqual([null, '-1.50', '9.00', '10.00', '100.50']);
      const desc = await Thing.filter({ name__in: ['Alpha', 'alpha', 'ÄRGER', 'ärger', '50% off'] }).orderBy('-price').valuesList('price', { flat: true });
      expect(desc).toEqual(['100.50', '10.00', '9.00', '-1.50', null]);
    });

    it('chained transforms and lookups read back the stored instants unchanged', async () => {
      const alpha = await Thing.get({ at__year: 2023, at__month: 12, at__day: 31, at__hour: 23, at__minute: 59, at__second: 59 });
      expect(alpha.name).toBe('alpha');
      expect(alpha.at?.toISOString()).toBe('2023-12-31T23:59:59.500Z');
    });
  },
  { models: [] },
);

describe('unknown names fail when the filter is built', () => {
  const fieldError = (fn: () => unknown): FieldError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(FieldError);
      return error as FieldError;
    }
    throw new Error('expected a FieldError');
  };

  it('an unknown field names the closest one and lists the valid names (no connection needed)', () => {
    const e = fieldError(() => Thing.filter({ nmae: 'x' } as never));
    expect(e.message).toContain("Unknown field 'nmae'");
    expect(e.message).toContain("did you mean 'name'?");
    expect(e.message).toContain('Valid names: at, data, day, flag, id, n, name, nick, pk, price, time');
  });

  it('an unknown lookup suggests the closest lookup', () => {
    const e = fieldError(() => Thing.filter({ name__icontans: 'x' } as never));
    expect(e.message).toContain("Unknown lookup 'icontans'");
    expect(e.message).toContain("did you mean 'icontains'?");
  });

  it('a transform on a field that has none, or a lookup path on a plain field, is refused', () => {
    expect(fieldError(() => Thing.filter({ name__year: 2020 } as never)).message).toContain("Unknown lookup 'year'");
    expect(fieldError(() => Thing.filter({ name__foo__exact: 'x' } as never)).message).toContain("'name' is not a relation");
    expect(fieldError(() => Thing.filter({ time__year: 2020 } as never)).message).toContain("Unknown lookup 'year'");
    expect(fieldError(() => Thing.filter({ at__year__month: 2 } as never)).message).toContain('Only one transform');
  });

  it('exclude() and Q() throw at build time too', () => {
    expect(fieldError(() => Thing.exclude({ agee: 1 } as never)).message).toContain("Unknown field 'agee'");
    const q = Q({ nam: 'x' });
    expect(fieldError(() => Thing.filter(q as never)).message).toContain("did you mean 'name'?");
  });

  it('wrong value shapes are FieldErrors naming the key', () => {
    expect(fieldError(() => Thing.filter({ n__in: 3 } as never)).message).toContain('Thing.n__in expects an array');
    expect(fieldError(() => Thing.filter({ n__range: [1] } as never)).message).toContain('a [low, high] pair');
    expect(fieldError(() => Thing.filter({ n__isnull: 'yes' } as never)).message).toContain('true or false');
    expect(fieldError(() => Thing.filter({ n__gt: 'x' } as never)).message).toContain('Thing.n__gt');
    expect(fieldError(() => Thing.filter({ n__gt: null } as never)).message).toContain('use isnull');
    expect(fieldError(() => Thing.filter({ at__year: '2020' } as never)).message).toContain('expects an integer');
    expect(fieldError(() => Thing.filter({ n__contains: '1' } as never)).message).toContain("'contains' applies to text fields");
    expect(fieldError(() => Thing.filter({ name__has_key: 'k' } as never)).message).toContain("'has_key' applies to JSON fields");
    expect(fieldError(() => Thing.filter({ name__regex: 3 } as never)).message).toContain('a pattern string');
    expect(fieldError(() => Thing.filter({ n__in: [1, null] } as never)).message).toContain('without null');
    expect(fieldError(() => Thing.filter({ name: undefined } as never)).message).toContain('is undefined');
    expect(fieldError(() => Thing.filter({ at__date: '2024-13-01' } as never)).message).toContain('Thing.at__date');
    expect(fieldError(() => Thing.filter({ data__: 1 } as never)).message).toContain('Empty JSON key');
  });
});
