/**
 * SQL-shape tests: the exact SQL text and parameters per dialect for a few representative QuerySets.
 *
 * The first block compiles without any database: each dialect's driver is created from its factory
 * (pools connect lazily, so nothing is opened) and the QuerySet's frozen state is compiled through
 * Kysely exactly as `QuerySet.compile()` does. The second block proves on live connections that
 * `compile()` returns the same text (sending no statement) and that the statements return the
 * expected rows.
 */
import { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CharField, IntField, Model, getConnection, model, type QuerySet } from '../../src/index.js';
import type { DialectDriver, DialectName } from '../../src/dialects/index.js';
import { compileSelect } from '../../src/query/compile/index.js';
import { forEachDialect } from '../support/dialects.js';
import { offlineDriver } from '../support/offline-driver.js';

@model({ table: 'shape_authors' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @IntField({ default: 0 }) age!: number;
  @CharField({ maxLength: 50, null: true }) nickname!: string | null;
}

interface Shape {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

const COLUMNS = {
  ansi: '"shape_authors"."id" as "id", "shape_authors"."name" as "name", "shape_authors"."age" as "age", "shape_authors"."nickname" as "nickname"',
  mysql: '`shape_authors`.`id` as `id`, `shape_authors`.`name` as `name`, `shape_authors`.`age` as `age`, `shape_authors`.`nickname` as `nickname`',
};

/** The QuerySets under test and their pinned SQL on each dialect. */
const CASES: { title: string; build: () => QuerySet<Author>; expected: Record<DialectName, Shape> }[] = [
  {
    title: 'filter + orderBy + limit',
    build: () => Author.filter({ age__gte: 18 }).orderBy('-age', 'name').limit(10),
    expected: {
      sqlite: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where "shape_authors"."age" >= ? order by "shape_authors"."age" desc, "shape_authors"."name" asc limit 10`,
        parameters: [18],
      },
      postgres: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where "shape_authors"."age" >= $1 order by "shape_authors"."age" desc, "shape_authors"."name" asc limit $2`,
        parameters: [18, 10],
      },
      mysql: {
        sql: `select ${COLUMNS.mysql} from \`shape_authors\` where \`shape_authors\`.\`age\` >= ? order by \`shape_authors\`.\`age\` desc, \`shape_authors\`.\`name\` asc limit ?`,
        parameters: [18, 10],
      },
    },
  },
  {
    title: 'icontains',
    build: () => Author.filter({ name__icontains: 'an' }),
    expected: {
      sqlite: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where (instr(lower("shape_authors"."name"), lower(?)) > 0)`,
        parameters: ['an'],
      },
      postgres: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where (lower(cast("shape_authors"."name" as text)) like lower('%' || replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%') escape '!')`,
        parameters: ['an'],
      },
      mysql: {
        sql: `select ${COLUMNS.mysql} from \`shape_authors\` where (lower(\`shape_authors\`.\`name\`) like lower(concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%')) escape '!')`,
        parameters: ['an'],
      },
    },
  },
  {
    title: 'exclude on a nullable field (the IS NOT NULL guard keeps NULL rows)',
    build: () => Author.exclude({ nickname: 'x' }),
    expected: {
      sqlite: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where not ("shape_authors"."nickname" = ? and "shape_authors"."nickname" is not null)`,
        parameters: ['x'],
      },
      postgres: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" where not ("shape_authors"."nickname" = $1 and "shape_authors"."nickname" is not null)`,
        parameters: ['x'],
      },
      mysql: {
        sql: `select ${COLUMNS.mysql} from \`shape_authors\` where not (\`shape_authors\`.\`nickname\` = ? and \`shape_authors\`.\`nickname\` is not null)`,
        parameters: ['x'],
      },
    },
  },
  {
    title: 'exclude on a NOT NULL field (no guard)',
    build: () => Author.exclude({ age: 3 }),
    expected: {
      sqlite: { sql: `select ${COLUMNS.ansi} from "shape_authors" where not "shape_authors"."age" = ?`, parameters: [3] },
      postgres: { sql: `select ${COLUMNS.ansi} from "shape_authors" where not "shape_authors"."age" = $1`, parameters: [3] },
      mysql: { sql: `select ${COLUMNS.mysql} from \`shape_authors\` where not \`shape_authors\`.\`age\` = ?`, parameters: [3] },
    },
  },
  {
    title: 'in: [] matches nothing',
    build: () => Author.filter({ id__in: [] }),
    expected: {
      sqlite: { sql: `select ${COLUMNS.ansi} from "shape_authors" where (1 = 0)`, parameters: [] },
      postgres: { sql: `select ${COLUMNS.ansi} from "shape_authors" where (1 = 0)`, parameters: [] },
      mysql: { sql: `select ${COLUMNS.mysql} from \`shape_authors\` where (1 = 0)`, parameters: [] },
    },
  },
  {
    title: 'orderBy a nullable column: NULLS LAST said on PostgreSQL for it only',
    build: () => Author.all().orderBy('-nickname', 'name'),
    expected: {
      sqlite: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" order by "shape_authors"."nickname" desc, "shape_authors"."name" asc`,
        parameters: [],
      },
      postgres: {
        sql: `select ${COLUMNS.ansi} from "shape_authors" order by "shape_authors"."nickname" desc nulls last, "shape_authors"."name" asc`,
        parameters: [],
      },
      mysql: {
        sql: `select ${COLUMNS.mysql} from \`shape_authors\` order by \`shape_authors\`.\`nickname\` desc, \`shape_authors\`.\`name\` asc`,
        parameters: [],
      },
    },
  },
];


describe('SQL shape without a database', () => {
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
    describe(dialect, () => {
      let driver: DialectDriver;
      let db: Kysely<any>;
      beforeAll(async () => {
        driver = await offlineDriver(dialect);
        db = new Kysely<any>({ dialect: driver.kyselyDialect });
      });
      afterAll(async () => {
        await db.destroy();
      });
      for (const c of CASES) {
        it(c.title, () => {
          const compiled = compileSelect(db, c.build().state, driver);
          expect(compiled.sql).toBe(c.expected[dialect].sql);
          expect(compiled.parameters).toEqual(c.expected[dialect].parameters);
        });
      }
    });
  }
});

forEachDialect(
  'SQL shape on a live connection',
  (ctx) => {
    beforeEach(async () => {
      for (const [name, age, nickname] of [
        ['Anna', 30, null],
        ['DIANA', 17, 'x'],
        ['Bob', 45, 'bobby'],
        ['Zed', 18, null],
      ] as const) {
        await Author.create({ name, age, nickname });
      }
    });

    for (const c of CASES) {
      it(`compile() gives the pinned SQL and sends nothing: ${c.title}`, () => {
        const before = getConnection().metrics().queries;
        const compiled = c.build().compile();
        expect(compiled.sql).toBe(c.expected[ctx.dialect].sql);
        expect(compiled.parameters).toEqual(c.expected[ctx.dialect].parameters);
        expect(getConnection().metrics().queries).toBe(before);
      });
    }

    it('the statements return the expected rows', async () => {
      const names = async (qs: QuerySet<Author>): Promise<string[]> => (await qs).map((a) => a.name);
      expect(await names(CASES[0].build())).toEqual(['Bob', 'Anna', 'Zed']);
      expect(await names(CASES[1].build().orderBy('name'))).toEqual(['Anna', 'DIANA']);
      expect(await names(CASES[2].build().orderBy('name'))).toEqual(['Anna', 'Bob', 'Zed']);
      expect(await names(CASES[3].build().orderBy('name'))).toEqual(['Anna', 'Bob', 'DIANA', 'Zed']);
      expect(await names(CASES[4].build())).toEqual([]);
      expect(await names(CASES[5].build())).toEqual(['DIANA', 'Bob', 'Anna', 'Zed']);
    });

    it('chaining leaves the parent QuerySet unchanged', () => {
      const parent = Author.filter({ age__gte: 18 });
      const before = parent.compile();
      const child = parent.exclude({ nickname: 'x' }).orderBy('name').limit(1);
      expect(parent.compile()).toEqual(before);
      expect(child.compile().sql).not.toBe(before.sql);
      expect(Object.isFrozen(parent.state)).toBe(true);
    });
  },
  { models: [Author] },
);
