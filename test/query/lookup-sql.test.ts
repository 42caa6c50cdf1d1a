/**
 * Pins the SQL each lookup and transform compiles to on each dialect (the WHERE clause of
 * `QuerySet.compile()` and its bound parameters). docs/lookups.md shows the same table; when a
 * dialect's SQL changes on purpose, update both. Values never appear in the SQL text: every case's
 * value is a parameter (LIKE escaping happens in SQL, on the bound value).
 */
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { CharField, DateTimeField, DecimalField, F, IntField, JSONField, Model, model } from '../../src/index.js';
import { forEachDialect, type TestDialect } from '../support/dialects.js';

@model({ table: 'ls_items' })
class Item extends Model {
  @CharField({ maxLength: 100 }) name!: string;
  @IntField({ null: true }) n!: number | null;
  @IntField() m!: number;
  @DateTimeField() at!: Date;
  @JSONField({ null: true }) data!: unknown;
  @DecimalField({ maxDigits: 10, decimalPlaces: 2 }) price!: string;
}

type Pinned = readonly [where: string, parameters: readonly unknown[]];
interface SqlCase {
  readonly title: string;
  readonly key: string;
  readonly value: unknown;
  readonly sqlite: Pinned;
  readonly postgres: Pinned;
  /** MariaDB (the server CI runs); MySQL differs only where `mysqlNative` says. */
  readonly mysql: Pinned;
}

/** MySQL proper compares JSON natively where MariaDB (JSON stored as text) needs JSON_EQUALS. */
const MYSQL_NATIVE: Record<string, Pinned> = {
  'JSON key': ['(json_extract(`ls_items`.`data`, ?) = cast(? as json))', ['$."owner"."name"', '"x"']],
  'JSON array index': ['(json_extract(`ls_items`.`data`, ?) = cast(? as json))', ['$."items"[1]."name"', '"x"']],
};

const SQL_CASES: readonly SqlCase[] = [
  { title: "exact", key: "name", value: "a",
    sqlite: ["\"ls_items\".\"name\" = ?", ["a"]],
    postgres: ["\"ls_items\".\"name\" = $1", ["a"]],
    mysql: ["`ls_items`.`name` = ?", ["a"]] },
  { title: "exact null", key: "n", value: null,
    sqlite: ["\"ls_items\".\"n\" is null", []],
    postgres: ["\"ls_items\".\"n\" is null", []],
    mysql: ["`ls_items`.`n` is null", []] },
  { title: "iexact", key: "name__iexact", value: "a",
    sqlite: ["(lower(\"ls_items\".\"name\") = lower(?))", ["a"]],
    postgres: ["(lower(cast(\"ls_items\".\"name\" as text)) = lower(cast($1 as text)))", ["a"]],
    mysql: ["(lower(`ls_items`.`name`) = lower(?))", ["a"]] },
  { title: "ne (non-null column)", key: "m__ne", value: 1,
    sqlite: ["not \"ls_items\".\"m\" = ?", [1]],
    postgres: ["not \"ls_items\".\"m\" = $1", [1]],
    mysql: ["not `ls_items`.`m` = ?", [1]] },
  { title: "ne (nullable column)", key: "n__ne", value: 1,
    sqlite: ["not (\"ls_items\".\"n\" = ? and \"ls_items\".\"n\" is not null)", [1]],
    postgres: ["not (\"ls_items\".\"n\" = $1 and \"ls_items\".\"n\" is not null)", [1]],
    mysql: ["not (`ls_items`.`n` = ? and `ls_items`.`n` is not null)", [1]] },
  { title: "in", key: "m__in", value: [1,2],
    sqlite: ["\"ls_items\".\"m\" in (?, ?)", [1,2]],
    postgres: ["\"ls_items\".\"m\" in ($1, $2)", [1,2]],
    mysql: ["`ls_items`.`m` in (?, ?)", [1,2]] },
  { title: "in []", key: "m__in", value: [],
    sqlite: ["(1 = 0)", []],
    postgres: ["(1 = 0)", []],
    mysql: ["(1 = 0)", []] },
  { title: "not_in", key: "n__not_in", value: [1,2],
    sqlite: ["not (\"ls_items\".\"n\" in (?, ?) and \"ls_items\".\"n\" is not null)", [1,2]],
    postgres: ["not (\"ls_items\".\"n\" in ($1, $2) and \"ls_items\".\"n\" is not null)", [1,2]],
    mysql: ["not (`ls_items`.`n` in (?, ?) and `ls_items`.`n` is not null)", [1,2]] },
  { title: "gt", key: "m__gt", value: 1,
    sqlite: ["\"ls_items\".\"m\" > ?", [1]],
    postgres: ["\"ls_items\".\"m\" > $1", [1]],
    mysql: ["`ls_items`.`m` > ?", [1]] },
  { title: "gte", key: "m__gte", value: 1,
    sqlite: ["\"ls_items\".\"m\" >= ?", [1]],
    postgres: ["\"ls_items\".\"m\" >= $1", [1]],
    mysql: ["`ls_items`.`m` >= ?", [1]] },
  { title: "lt", key: "m__lt", value: 1,
    sqlite: ["\"ls_items\".\"m\" < ?", [1]],
    postgres: ["\"ls_items\".\"m\" < $1", [1]],
    mysql: ["`ls_items`.`m` < ?", [1]] },
  { title: "lte", key: "m__lte", value: 1,
    sqlite: ["\"ls_items\".\"m\" <= ?", [1]],
    postgres: ["\"ls_items\".\"m\" <= $1", [1]],
    mysql: ["`ls_items`.`m` <= ?", [1]] },
  { title: "range", key: "m__range", value: [1,2],
    sqlite: ["\"ls_items\".\"m\" between ? and ?", [1,2]],
    postgres: ["\"ls_items\".\"m\" between $1 and $2", [1,2]],
    mysql: ["`ls_items`.`m` between ? and ?", [1,2]] },
  { title: "isnull true", key: "n__isnull", value: true,
    sqlite: ["\"ls_items\".\"n\" is null", []],
    postgres: ["\"ls_items\".\"n\" is null", []],
    mysql: ["`ls_items`.`n` is null", []] },
  { title: "isnull false", key: "n__isnull", value: false,
    sqlite: ["\"ls_items\".\"n\" is not null", []],
    postgres: ["\"ls_items\".\"n\" is not null", []],
    mysql: ["`ls_items`.`n` is not null", []] },
  { title: "contains", key: "name__contains", value: "a",
    sqlite: ["(instr(\"ls_items\".\"name\", ?) > 0)", ["a"]],
    postgres: ["(cast(\"ls_items\".\"name\" as text) like '%' || replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%' escape '!')", ["a"]],
    mysql: ["(`ls_items`.`name` like concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%') escape '!')", ["a"]] },
  { title: "icontains", key: "name__icontains", value: "a",
    sqlite: ["(instr(lower(\"ls_items\".\"name\"), lower(?)) > 0)", ["a"]],
    postgres: ["(lower(cast(\"ls_items\".\"name\" as text)) like lower('%' || replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%') escape '!')", ["a"]],
    mysql: ["(lower(`ls_items`.`name`) like lower(concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%')) escape '!')", ["a"]] },
  { title: "startswith", key: "name__startswith", value: "a",
    sqlite: ["(substr(\"ls_items\".\"name\", 1, length(?)) = ?)", ["a","a"]],
    postgres: ["(cast(\"ls_items\".\"name\" as text) like replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%' escape '!')", ["a"]],
    mysql: ["(`ls_items`.`name` like concat(replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%') escape '!')", ["a"]] },
  { title: "istartswith", key: "name__istartswith", value: "a",
    sqlite: ["(substr(lower(\"ls_items\".\"name\"), 1, length(lower(?))) = lower(?))", ["a","a"]],
    postgres: ["(lower(cast(\"ls_items\".\"name\" as text)) like lower(replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%') escape '!')", ["a"]],
    mysql: ["(lower(`ls_items`.`name`) like lower(concat(replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%')) escape '!')", ["a"]] },
  { title: "endswith", key: "name__endswith", value: "a",
    sqlite: ["(substr(\"ls_items\".\"name\", length(\"ls_items\".\"name\") - length(?) + 1) = ?)", ["a","a"]],
    postgres: ["(cast(\"ls_items\".\"name\" as text) like '%' || replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_') escape '!')", ["a"]],
    mysql: ["(`ls_items`.`name` like concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_')) escape '!')", ["a"]] },
  { title: "iendswith", key: "name__iendswith", value: "a",
    sqlite: ["(substr(lower(\"ls_items\".\"name\"), length(lower(\"ls_items\".\"name\")) - length(lower(?)) + 1) = lower(?))", ["a","a"]],
    postgres: ["(lower(cast(\"ls_items\".\"name\" as text)) like lower('%' || replace(replace(replace(cast($1 as text), '!', '!!'), '%', '!%'), '_', '!_')) escape '!')", ["a"]],
    mysql: ["(lower(`ls_items`.`name`) like lower(concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'))) escape '!')", ["a"]] },
  { title: "regex", key: "name__regex", value: "^a",
    sqlite: ["(oxen_regexp(\"ls_items\".\"name\", ?, ?) = 1)", ["^a",""]],
    postgres: ["(cast(\"ls_items\".\"name\" as text) ~ $1)", ["^a"]],
    mysql: ["(`ls_items`.`name` regexp ?)", ["(?-i)^a"]] },
  { title: "iregex", key: "name__iregex", value: "^a",
    sqlite: ["(oxen_regexp(\"ls_items\".\"name\", ?, ?) = 1)", ["^a","i"]],
    postgres: ["(cast(\"ls_items\".\"name\" as text) ~* $1)", ["^a"]],
    mysql: ["(`ls_items`.`name` regexp ?)", ["(?i)^a"]] },
  { title: "year", key: "at__year", value: 2024,
    sqlite: ["cast(strftime('%Y', \"ls_items\".\"at\") as integer) = ?", [2024]],
    postgres: ["cast(extract(year from \"ls_items\".\"at\") as integer) = $1", [2024]],
    mysql: ["year(`ls_items`.`at`) = ?", [2024]] },
  { title: "month", key: "at__month", value: 1,
    sqlite: ["cast(strftime('%m', \"ls_items\".\"at\") as integer) = ?", [1]],
    postgres: ["cast(extract(month from \"ls_items\".\"at\") as integer) = $1", [1]],
    mysql: ["month(`ls_items`.`at`) = ?", [1]] },
  { title: "day", key: "at__day", value: 1,
    sqlite: ["cast(strftime('%d', \"ls_items\".\"at\") as integer) = ?", [1]],
    postgres: ["cast(extract(day from \"ls_items\".\"at\") as integer) = $1", [1]],
    mysql: ["dayofmonth(`ls_items`.`at`) = ?", [1]] },
  { title: "week_day", key: "at__week_day", value: 1,
    sqlite: ["(cast(strftime('%w', \"ls_items\".\"at\") as integer) + 1) = ?", [1]],
    postgres: ["(cast(extract(dow from \"ls_items\".\"at\") as integer) + 1) = $1", [1]],
    mysql: ["dayofweek(`ls_items`.`at`) = ?", [1]] },
  { title: "hour", key: "at__hour", value: 1,
    sqlite: ["cast(strftime('%H', \"ls_items\".\"at\") as integer) = ?", [1]],
    postgres: ["cast(extract(hour from \"ls_items\".\"at\") as integer) = $1", [1]],
    mysql: ["hour(`ls_items`.`at`) = ?", [1]] },
  { title: "minute", key: "at__minute", value: 1,
    sqlite: ["cast(strftime('%M', \"ls_items\".\"at\") as integer) = ?", [1]],
    postgres: ["cast(extract(minute from \"ls_items\".\"at\") as integer) = $1", [1]],
    mysql: ["minute(`ls_items`.`at`) = ?", [1]] },
  { title: "second", key: "at__second", value: 1,
    sqlite: ["cast(strftime('%S', \"ls_items\".\"at\") as integer) = ?", [1]],
    postgres: ["cast(floor(extract(second from \"ls_items\".\"at\")) as integer) = $1", [1]],
    mysql: ["second(`ls_items`.`at`) = ?", [1]] },
  { title: "date", key: "at__date", value: "2024-01-01",
    sqlite: ["substr(\"ls_items\".\"at\", 1, 10) = ?", ["2024-01-01"]],
    postgres: ["cast(\"ls_items\".\"at\" as date) = $1", ["2024-01-01"]],
    mysql: ["date(`ls_items`.`at`) = ?", ["2024-01-01"]] },
  { title: "year__gte", key: "at__year__gte", value: 2024,
    sqlite: ["cast(strftime('%Y', \"ls_items\".\"at\") as integer) >= ?", [2024]],
    postgres: ["cast(extract(year from \"ls_items\".\"at\") as integer) >= $1", [2024]],
    mysql: ["year(`ls_items`.`at`) >= ?", [2024]] },
  { title: "JSON key", key: "data__owner__name", value: "x",
    sqlite: ["((\"ls_items\".\"data\" -> ?) = json(?))", ["$.\"owner\".\"name\"","\"x\""]],
    postgres: ["((\"ls_items\".\"data\" #> cast($1 as text[])) = cast($2 as jsonb))", [["owner","name"],"\"x\""]],
    mysql: ["(json_equals(json_extract(`ls_items`.`data`, ?), ?) = 1)", ["$.\"owner\".\"name\"","\"x\""]] },
  { title: "JSON array index", key: "data__items__1__name", value: "x",
    sqlite: ["((\"ls_items\".\"data\" -> ?) = json(?))", ["$.\"items\"[1].\"name\"","\"x\""]],
    postgres: ["((\"ls_items\".\"data\" #> cast($1 as text[])) = cast($2 as jsonb))", [["items","1","name"],"\"x\""]],
    mysql: ["(json_equals(json_extract(`ls_items`.`data`, ?), ?) = 1)", ["$.\"items\"[1].\"name\"","\"x\""]] },
  { title: "JSON gt", key: "data__n__gt", value: 1,
    sqlite: ["(json_extract(\"ls_items\".\"data\", ?) > ?)", ["$.\"n\"",1]],
    postgres: ["((\"ls_items\".\"data\" #> cast($1 as text[])) > cast($2 as jsonb))", [["n"],"1"]],
    mysql: ["(json_value(`ls_items`.`data`, ?) > ?)", ["$.\"n\"",1]] },
  { title: "JSON icontains", key: "data__owner__icontains", value: "x",
    sqlite: ["(instr(lower(json_extract(\"ls_items\".\"data\", ?)), lower(?)) > 0)", ["$.\"owner\"","x"]],
    postgres: ["(lower(cast((\"ls_items\".\"data\" #>> cast($1 as text[])) as text)) like lower('%' || replace(replace(replace(cast($2 as text), '!', '!!'), '%', '!%'), '_', '!_') || '%') escape '!')", [["owner"],"x"]],
    mysql: ["(lower(json_value(`ls_items`.`data`, ?)) like lower(concat('%', replace(replace(replace(?, '!', '!!'), '%', '!%'), '_', '!_'), '%')) escape '!')", ["$.\"owner\"","x"]] },
  { title: "JSON isnull", key: "data__owner__isnull", value: true,
    sqlite: ["not (json_type(\"ls_items\".\"data\", ?) is not null)", ["$.\"owner\""]],
    postgres: ["not ((\"ls_items\".\"data\" #> cast($1 as text[])) is not null)", [["owner"]]],
    mysql: ["not (coalesce(json_contains_path(`ls_items`.`data`, 'one', ?), 0) = 1)", ["$.\"owner\""]] },
  { title: "has_key", key: "data__has_key", value: "k",
    sqlite: ["(json_type(\"ls_items\".\"data\", ?) is not null)", ["$.\"k\""]],
    postgres: ["((\"ls_items\".\"data\" #> cast($1 as text[])) is not null)", [["k"]]],
    mysql: ["(coalesce(json_contains_path(`ls_items`.`data`, 'one', ?), 0) = 1)", ["$.\"k\""]] },
  { title: "JSON contains", key: "data__contains", value: {"a":1},
    sqlite: ["(oxen_json_contains(\"ls_items\".\"data\", ?) = 1)", ["{\"a\":1}"]],
    postgres: ["(\"ls_items\".\"data\" @> cast($1 as jsonb))", ["{\"a\":1}"]],
    mysql: ["(json_contains(`ls_items`.`data`, ?) = 1)", ["{\"a\":1}"]] },
  { title: "decimal gt", key: "price__gt", value: "9.5",
    sqlite: ["cast(\"ls_items\".\"price\" as real) > cast(? as real)", ["9.50"]],
    postgres: ["\"ls_items\".\"price\" > $1", ["9.50"]],
    mysql: ["`ls_items`.`price` > ?", ["9.50"]] },
  { title: "F", key: "m__gt", value: F('n').add(1),
    sqlite: ["\"ls_items\".\"m\" > (\"ls_items\".\"n\" + cast(? as integer))", [1]],
    postgres: ["\"ls_items\".\"m\" > (\"ls_items\".\"n\" + $1)", [1]],
    mysql: ["`ls_items`.`m` > (`ls_items`.`n` + ?)", [1]] },
];

forEachDialect('lookup SQL', (ctx) => {
  let mariaDb = true;
  beforeAll(async () => {
    if (ctx.dialect === 'mysql') {
      const r = await sql<{ v: string }>`select version() as v`.execute(ctx.connection().kysely);
      mariaDb = /mariadb/i.test(r.rows[0]?.v ?? '');
    }
  });

  const expected = (c: SqlCase, dialect: TestDialect): Pinned => (dialect === 'mysql' && !mariaDb && MYSQL_NATIVE[c.title] !== undefined ? MYSQL_NATIVE[c.title] : c[dialect]);

  for (const c of SQL_CASES) {
    it(`${c.title}: ${c.key}`, () => {
      const compiled = Item.filter({ [c.key]: c.value } as never).compile();
      const where = compiled.sql.slice(compiled.sql.indexOf(' where ') + ' where '.length);
      const [sqlText, parameters] = expected(c, ctx.dialect);
      expect(where).toBe(sqlText);
      expect(compiled.parameters.map((p) => (typeof p === 'bigint' ? p.toString() : p))).toEqual(parameters);
    });
  }

  it('the full statement: columns, table, WHERE', () => {
    const q = ctx.dialect === 'mysql' ? '`' : '"';
    const id = (s: string): string => `${q}${s}${q}`;
    const cols = ['id', 'name', 'n', 'm', 'at', 'data', 'price'].map((c) => `${id('ls_items')}.${id(c)} as ${id(c)}`).join(', ');
    const p = ctx.dialect === 'postgres' ? '$1' : '?';
    expect(Item.filter({ m: 1 }).compile().sql).toBe(`select ${cols} from ${id('ls_items')} where ${id('ls_items')}.${id('m')} = ${p}`);
  });

  it('ORDER BY with NULLs first ascending and last descending (said only for nullable columns), OFFSET without LIMIT', () => {
    const compiled = Item.all().orderBy('n', '-m').offset(5).compile();
    const tail = compiled.sql.slice(compiled.sql.indexOf(' order by '));
    const expectedTail: Record<TestDialect, Pinned> = {
      sqlite: [' order by "ls_items"."n" asc, "ls_items"."m" desc limit ? offset ?', [-1, 5]],
      postgres: [' order by "ls_items"."n" asc nulls first, "ls_items"."m" desc offset $1', [5]],
      mysql: [' order by `ls_items`.`n` asc, `ls_items`.`m` desc limit ? offset ?', ['18446744073709551615', 5]],
    };
    expect([tail, compiled.parameters.map((p) => (typeof p === 'bigint' ? p.toString() : p))]).toEqual(expectedTail[ctx.dialect]);
  });

  it('ordering by a decimal sorts numerically (a cast on SQLite, where decimals are text)', () => {
    const compiled = Item.all().orderBy('-price').compile();
    const tail = compiled.sql.slice(compiled.sql.indexOf(' order by '));
    const expectedTail: Record<TestDialect, string> = {
      sqlite: ' order by cast("ls_items"."price" as real) desc',
      postgres: ' order by "ls_items"."price" desc',
      mysql: ' order by `ls_items`.`price` desc',
    };
    expect(tail).toBe(expectedTail[ctx.dialect]);
  });
});
