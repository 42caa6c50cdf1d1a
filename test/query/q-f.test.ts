/**
 * Q and F on every dialect: AND/OR/NOT to any depth (property-based against a JS reference that
 * follows Django's rules: an empty Q adds nothing, negations keep NULL rows), Q.not of plain objects,
 * F column-to-column and arithmetic in filters and in update(), F on the right of text lookups, and
 * atomic `F('n').add(1)` under 8 concurrent workers.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CharField,
  DateTimeField,
  DecimalField,
  F,
  FExpression,
  FieldError,
  FloatField,
  IntField,
  Model,
  Q,
  QExpression,
  connect,
  disconnect,
  getConnection,
  model,
  syncSchema,
  type FilterSpec,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';

@model({ table: 'qf_rows' })
class Row extends Model {
  declare id: number;
  @IntField({ null: true }) a!: number | null;
  @IntField() b!: number;
  @CharField({ maxLength: 20, null: true }) s!: string | null;
  @CharField({ maxLength: 20 }) t!: string;
}

@model({ table: 'qf_counters' })
class Counter extends Model {
  declare id: number;
  @CharField({ maxLength: 20, unique: true }) key!: string;
  @IntField({ default: 0 }) n!: number;
}

@model({ table: 'qf_numbers' })
class Num extends Model {
  declare id: number;
  @IntField() n!: number;
  @IntField() m!: number;
  @FloatField() f!: number;
  @DecimalField({ maxDigits: 10, decimalPlaces: 2 }) d!: string;
  @DateTimeField({ null: true }) at!: Date | null;
}

interface R {
  a: number | null;
  b: number;
  s: string | null;
  t: string;
}

const DATA: R[] = [
  { a: null, b: 1, s: null, t: 'x' },
  { a: 1, b: 1, s: 'ab', t: 'xx' },
  { a: 2, b: 1, s: 'Ab', t: 'y' },
  { a: 3, b: 2, s: 'b%', t: 'yx' },
  { a: 4, b: 5, s: 'AB', t: 'z' },
  { a: 5, b: 3, s: null, t: 'zx' },
  { a: null, b: 4, s: 'abc', t: 'Ab' },
  { a: 3, b: 3, s: 'ba', t: 'ab' },
  { a: 1, b: 5, s: '', t: 'b' },
  { a: 4, b: 2, s: 'xab', t: 'x%' },
];

/** A leaf: a filter object and what it means for a row (NULL never satisfies a comparison). */
interface Leaf {
  readonly spec: FilterSpec;
  readonly js: (r: R) => boolean;
}

const nn = <T>(v: T | null): v is T => v !== null;
const LEAVES: readonly Leaf[] = [
  { spec: { a: 3 }, js: (r) => r.a === 3 },
  { spec: { a__gt: 2 }, js: (r) => nn(r.a) && r.a > 2 },
  { spec: { a__lte: 2 }, js: (r) => nn(r.a) && r.a <= 2 },
  { spec: { a__in: [1, 4] }, js: (r) => nn(r.a) && [1, 4].includes(r.a) },
  { spec: { a__not_in: [1, 4] }, js: (r) => !(nn(r.a) && [1, 4].includes(r.a)) },
  { spec: { a__ne: 3 }, js: (r) => r.a !== 3 },
  { spec: { a__isnull: true }, js: (r) => r.a === null },
  { spec: { a__isnull: false }, js: (r) => r.a !== null },
  { spec: { a: null }, js: (r) => r.a === null },
  { spec: { a__range: [2, 4] }, js: (r) => nn(r.a) && r.a >= 2 && r.a <= 4 },
  { spec: { b__gte: 3 }, js: (r) => r.b >= 3 },
  { spec: { b__in: [] }, js: () => false },
  { spec: { b__not_in: [] }, js: () => true },
  { spec: { a__gt: F('b') }, js: (r) => nn(r.a) && r.a > r.b },
  { spec: { a__lt: F('b').add(1) }, js: (r) => nn(r.a) && r.a < r.b + 1 },
  { spec: { b: F('a').mul(2).sub(1) }, js: (r) => nn(r.a) && r.b === r.a * 2 - 1 },
  { spec: { s__startswith: 'a' }, js: (r) => nn(r.s) && r.s.startsWith('a') },
  { spec: { s__icontains: 'B' }, js: (r) => nn(r.s) && r.s.toLowerCase().includes('b') },
  { spec: { s__contains: '%' }, js: (r) => nn(r.s) && r.s.includes('%') },
  { spec: { s__iexact: 'ab' }, js: (r) => nn(r.s) && r.s.toLowerCase() === 'ab' },
  { spec: { s__ne: 'ab' }, js: (r) => r.s !== 'ab' },
  { spec: { s__in: ['ab', 'b%'] }, js: (r) => nn(r.s) && ['ab', 'b%'].includes(r.s) },
  { spec: { s__regex: '^[aA]' }, js: (r) => nn(r.s) && /^[aA]/.test(r.s) },
  { spec: { t__endswith: 'x' }, js: (r) => r.t.endsWith('x') },
  { spec: { t__icontains: F('s') }, js: (r) => nn(r.s) && r.t.toLowerCase().includes(r.s.toLowerCase()) },
  { spec: { a: 1, t__startswith: 'x' }, js: (r) => r.a === 1 && r.t.startsWith('x') },
  { spec: {}, js: () => true },
];

/** A filter tree, with `undefined` meaning "no condition" (what an empty Q is). */
type Tree = { kind: 'leaf'; leaf: number } | { kind: 'and' | 'or'; children: Tree[] } | { kind: 'not'; child: Tree } | { kind: 'empty' };

function evaluate(tree: Tree, r: R): boolean | undefined {
  switch (tree.kind) {
    case 'empty':
      return undefined;
    case 'leaf': {
      const leaf = LEAVES[tree.leaf];
      return Object.keys(leaf.spec).length === 0 ? undefined : leaf.js(r);
    }
    case 'not': {
      const v = evaluate(tree.child, r);
      return v === undefined ? undefined : !v;
    }
    case 'and':
    case 'or': {
      const vs = tree.children.map((c) => evaluate(c, r)).filter((v): v is boolean => v !== undefined);
      if (vs.length === 0) return undefined;
      return tree.kind === 'and' ? vs.every(Boolean) : vs.some(Boolean);
    }
  }
}

/** Builds the Q for a tree, passing plain objects where the API allows them. */
function toQ(tree: Tree, plain: boolean): QExpression | FilterSpec {
  switch (tree.kind) {
    case 'empty':
      return Q();
    case 'leaf':
      return plain ? LEAVES[tree.leaf].spec : Q(LEAVES[tree.leaf].spec);
    case 'not':
      return Q.not(toQ(tree.child, plain));
    case 'and':
    case 'or': {
      if (tree.children.length === 0) return Q({});
      let acc = Q(toQ(tree.children[0], false));
      for (const child of tree.children.slice(1)) acc = tree.kind === 'and' ? acc.and(toQ(child, plain)) : acc.or(toQ(child, plain));
      return acc;
    }
  }
}

const treeArb: fc.Arbitrary<Tree> = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), leaf: fc.integer({ min: 0, max: LEAVES.length - 1 }) }),
    fc.constant({ kind: 'empty' as const }),
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), children: fc.array(tie('tree'), { maxLength: 3 }) }),
    fc.record({ kind: fc.constant('not' as const), child: tie('tree') }),
  ),
})).tree;

const rowsMatching = (pred: (r: R) => boolean | undefined): number[] =>
  DATA.flatMap((r, i) => {
    const v = pred(r);
    return v === undefined || v ? [i + 1] : [];
  });

forEachDialect(
  'Q and F',
  (ctx) => {
    describe('Q', () => {
      beforeAll(async () => {
        await syncSchema({ models: [Row] });
        await Row.all().delete();
        for (const [i, r] of DATA.entries()) await Row.create({ id: i + 1, ...r });
      });
      const ids = async (...args: (QExpression | FilterSpec)[]): Promise<number[]> => (await Row.filter(...(args as never[])).orderBy('id').valuesList('id', { flat: true })).map(Number);
      const excluded = async (arg: QExpression | FilterSpec): Promise<number[]> => (await Row.exclude(arg as never).orderBy('id').valuesList('id', { flat: true })).map(Number);

      it('random AND/OR/NOT trees return the rows a JS reference computes (filter and exclude)', async () => {
        await fc.assert(
          fc.asyncProperty(treeArb, fc.boolean(), async (tree, plain) => {
            const q = toQ(tree, plain);
            expect(await ids(q)).toEqual(rowsMatching((r) => evaluate(tree, r)));
            const notTree: Tree = { kind: 'not', child: tree };
            expect(await excluded(q)).toEqual(rowsMatching((r) => evaluate(notTree, r)));
          }),
          { numRuns: 60, seed: 20240101 },
        );
      });

      it('every single leaf, its negation via Q.not of a plain object, and exclude() partition the rows', async () => {
        for (const leaf of LEAVES) {
          if (Object.keys(leaf.spec).length === 0) continue;
          const inside = await ids(leaf.spec);
          expect(inside).toEqual(rowsMatching(leaf.js));
          const outside = await ids(Q.not(leaf.spec));
          expect(outside).toEqual(rowsMatching((r) => !leaf.js(r)));
          expect(await excluded(leaf.spec)).toEqual(outside);
          expect([...inside, ...outside].sort((x, y) => x - y)).toEqual(DATA.map((_, i) => i + 1));
        }
      });

      it('Q({}) and Q() add no condition, alone or combined', async () => {
        const all = DATA.map((_, i) => i + 1);
        expect(await ids(Q({}))).toEqual(all);
        expect(await ids(Q())).toEqual(all);
        expect(Row.filter(Q({})).compile()).toEqual(Row.all().compile());
        expect(await ids(Q({}).or({ a: 3 }))).toEqual([4, 8]);
        expect(await ids(Q({}).and({ a: 3 }))).toEqual([4, 8]);
        expect(await ids(Q.not(Q({})))).toEqual(all);
        expect(await excluded(Q({}))).toEqual(all);
        expect(await ids({})).toEqual(all);
      });

      it('Q.not of a plain object and of a Q; double negation is the original', async () => {
        expect(await ids(Q.not({ a__gt: 2 }))).toEqual([1, 2, 3, 7, 9]);
        expect(await ids(Q.not(Q({ a__gt: 2 })))).toEqual([1, 2, 3, 7, 9]);
        expect(await ids(Q.not(Q.not({ a__gt: 2 })))).toEqual([4, 5, 6, 8, 10]);
        expect(await ids(Q.not({ a: 1, t__startswith: 'x' }))).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10]);
      });

      it('several arguments and chained filter() calls are ANDed', async () => {
        expect(await ids({ a__gte: 3 }, Q({ b: 3 }).or({ b: 2 }))).toEqual([4, 6, 8, 10]);
        expect((await Row.filter({ a__gte: 3 }).filter(Q({ b: 3 }).or({ b: 2 })).exclude({ a: 4 }).valuesList('id', { flat: true })).map(Number).sort()).toEqual([4, 6, 8]);
      });

      it('nests 100 levels deep', async () => {
        // ((((a = 1 OR ...) AND NOT b = 100) OR ...) ...: alternating OR/AND/NOT chains.
        let q = Q({ a: 1 });
        for (let i = 0; i < 100; i++) {
          if (i % 3 === 0) q = q.or({ a: 1000 + i });
          else if (i % 3 === 1) q = q.and(Q.not({ b: 100 + i }));
          else q = Q.not(Q.not(q));
        }
        expect(await ids(q)).toEqual([2, 9]);
        let deep: QExpression = Q({ a: 5 });
        for (let i = 0; i < 100; i++) deep = Q({}).or(Q.not(Q.not(deep)).and({}));
        expect(await ids(deep)).toEqual([6]);
      });

      it('Q arguments that are not Q or plain objects are FieldErrors', () => {
        expect(() => Q([] as never)).toThrow(FieldError);
        expect(() => Q('a = 1' as never)).toThrow(FieldError);
        expect(() => Q({ a: 1 }).or(null as never)).toThrow(FieldError);
        expect(() => Q.not(new Date() as never)).toThrow(FieldError);
        expect(() => Row.filter('id > 0' as never)).toThrow(FieldError);
        expect(() => Row.filter(null as never)).toThrow(FieldError);
      });
    });

    describe('F', () => {
      beforeAll(async () => {
        await syncSchema({ models: [Row, Counter, Num] });
      });

      it('compares columns in filters, with arithmetic, on either kind of lookup', async () => {
        await Num.all().delete();
        await Num.create({ n: 10, m: 3, f: 1.5, d: '2.50' });
        await Num.create({ n: 4, m: 4, f: 8, d: '8.00' });
        await Num.create({ n: 2, m: 7, f: 3, d: '0.10' });
        const ns = async (spec: FilterSpec): Promise<number[]> => (await Num.filter(spec as never).orderBy('n').valuesList('n', { flat: true })).map(Number);
        expect(await ns({ n__gt: F('m') })).toEqual([10]);
        expect(await ns({ n: F('m') })).toEqual([4]);
        expect(await ns({ n__ne: F('m') })).toEqual([2, 10]);
        expect(await ns({ n__gte: F('m').mul(2) })).toEqual([10]);
        expect(await ns({ n__lt: F('m').sub(F('n')) })).toEqual([2]);
        expect(await ns({ n__range: [F('m'), F('m').add(10)] })).toEqual([4, 10]);
        expect(await ns({ f__gt: F('n') })).toEqual([2, 4]);
        expect(await ns({ d__gt: F('f') })).toEqual([10]);
        expect(await ns({ m__in: [3, 4] })).toEqual([4, 10]);
        expect(await ns({ n: F('m').add(F('m')).add(4) })).toEqual([10]);
      });

      it('update() with add, sub, mul and div of integers, floats and other columns', async () => {
        await Num.all().delete();
        const x = await Num.create({ n: 10, m: 3, f: 1.5, d: '2.50' });
        expect(await Num.filter({ id: x.id }).update({ n: F('n').add(5), m: F('m').sub(1), f: F('f').mul(3) })).toBe(1);
        expect(await Num.filter({ id: x.id }).values('n', 'm', 'f')).toEqual([{ n: 15, m: 2, f: 4.5 }]);
        await Num.filter({ id: x.id }).update({ n: F('n').mul(F('m')).sub(F('m')), f: F('f').div(2) });
        expect(await Num.filter({ id: x.id }).values('n', 'm', 'f')).toEqual([{ n: 28, m: 2, f: 2.25 }]);
        await Num.filter({ id: x.id }).update({ n: F('m'), m: F('n') });
        // Standard SQL reads every right-hand side from the row as it was (a swap); MySQL/MariaDB assign
        // left to right, so m sees the new n. docs/queries.md documents this; avoid swaps through update().
        expect(await Num.filter({ id: x.id }).values('n', 'm')).toEqual([{ n: 2, m: ctx.dialect === 'mysql' ? 2 : 28 }]);
        await Num.filter({ id: x.id }).update({ d: F('d').mul(2).add(1) });
        expect(await Num.filter({ id: x.id }).valuesList('d', { flat: true })).toEqual(['6.00']);
      });

      it('division gives the same result on every dialect (integers truncate toward zero, decimals keep their places)', async () => {
        await Num.all().delete();
        await Num.create({ n: 7, m: 2, f: 7, d: '7.00' });
        await Num.create({ n: -7, m: 2, f: -7, d: '-7.00' });
        expect(await Num.filter({ n: F('n').div(2).mul(2) }).count()).toBe(0);
        expect(await Num.filter({ n: F('n').div(F('m')).mul(F('m')) }).count()).toBe(0);
        await Num.all().update({ n: F('n').div(2), f: F('f').div(2), d: F('d').div(3) });
        expect(await Num.all().orderBy('-n').values('n', 'f', 'd')).toEqual([
          { n: 3, f: 3.5, d: '2.33' },
          { n: -3, f: -3.5, d: '-2.33' },
        ]);
      });

      it('update() with F of a nullable column leaves NULL as NULL', async () => {
        await Row.all().delete();
        await Row.create({ a: null, b: 1, t: 'p' });
        await Row.create({ a: 5, b: 1, t: 'q' });
        expect(await Row.all().update({ a: F('a').add(1) })).toBe(2);
        expect(await Row.all().orderBy('t').valuesList('a', { flat: true })).toEqual([null, 6]);
      });

      it('unknown names and bad operands are FieldErrors at build time', async () => {
        expect(() => Num.filter({ n__gt: F('nn') } as never)).toThrow(FieldError);
        expect(() => F('')).toThrow(FieldError);
        expect(() => F(3 as never)).toThrow(FieldError);
        expect(() => F('n').add('1' as never)).toThrow(FieldError);
        expect(() => F('n').mul(Number.NaN)).toThrow(FieldError);
        expect(() => F('n').div(Number.POSITIVE_INFINITY)).toThrow(FieldError);
        expect(() => Num.filter({ n: F('n; drop table qf_numbers') } as never)).toThrow(FieldError);
        await expect(Num.all().update({ n: F('mm').add(1) })).rejects.toThrow(FieldError);
        await expect(Num.all().update({ n: F('at__year' as never) })).rejects.toThrow(FieldError);
        expect(F('n').add(1)).toBeInstanceOf(FExpression);
        expect(Object.isFrozen(F('n'))).toBe(true);
      });

      it.runIf(ctx.dialect !== 'sqlite')('8 concurrent workers × 100 F increments end at exactly 800 (separate pooled connections)', async () => {
        await connect(ctx.url, { alias: 'race', pool: { max: 8, acquireTimeoutMs: 20_000 } });
        try {
          const counter = await Counter.create({ key: 'hits' });
          const race = getConnection('race');
          let peak = 0;
          const worker = async (): Promise<void> => {
            for (let i = 0; i < 100; i++) {
              await Counter.using('race').filter({ id: counter.id }).update({ n: F('n').add(1) });
              peak = Math.max(peak, race.metrics().pool.size);
            }
          };
          await Promise.all(Array.from({ length: 8 }, worker));
          // The workers really ran on several connections at once.
          expect(peak).toBeGreaterThan(1);
          expect((await Counter.get({ id: counter.id })).n).toBe(800);
        } finally {
          await disconnect('race');
        }
      });

      it('the same increments on SQLite (one connection, serialised) also end at 800', async () => {
        const counter = await Counter.create({ key: `s-${ctx.dialect}` });
        await Promise.all(Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 100; i++) await Counter.filter({ id: counter.id }).update({ n: F('n').add(1) });
        }));
        expect((await Counter.get({ id: counter.id })).n).toBe(800);
      });
    });
  },
  { models: [] },
);

