import { sql } from 'kysely';
import { assertNever } from '../../utils/index.js';
import type { SqlOverrides } from '../dialect.js';
import { jsonPathText, planLines } from '../shared.js';

const FUNCTIONS: Record<string, string> = { year: 'year', month: 'month', day: 'dayofmonth', week_day: 'dayofweek', hour: 'hour', minute: 'minute', second: 'second', date: 'date' };

/**
 * MySQL/MariaDB's SQL pieces. Text columns use a NO PAD binary collation, so `=` and LIKE are
 * case-sensitive and trailing spaces count; the session time zone is UTC.
 */
export function createMysqlSql(isMariaDb: () => boolean): SqlOverrides {
  return {
  lower: (e) => sql`lower(${e})`,
  transform(name, e) {
    if (!(name in FUNCTIONS)) return assertNever(name as never, 'transform');
    return sql`${sql.raw(FUNCTIONS[name])}(${e})`;
  },
  textMatch(lhs, mode, rhs, ci) {
    const escaped = sql`replace(replace(replace(${rhs}, '!', '!!'), '%', '!%'), '_', '!_')`;
    const pattern = mode === 'contains' ? sql`concat('%', ${escaped}, '%')` : mode === 'startswith' ? sql`concat(${escaped}, '%')` : sql`concat('%', ${escaped})`;
    return ci ? sql<boolean>`(lower(${lhs}) like lower(${pattern}) escape '!')` : sql<boolean>`(${lhs} like ${pattern} escape '!')`;
  },
  regex: (lhs, pattern, ci) => sql<boolean>`(${lhs} regexp ${(ci ? '(?i)' : '(?-i)') + pattern})`,
  jsonCompare(doc, path, op, value) {
    if (op === '=' || op === '<>') {
      // MariaDB stores JSON as text: JSON_EQUALS compares values; MySQL compares JSON natively.
      const equal = isMariaDb()
        ? sql<boolean>`(json_equals(json_extract(${doc}, ${jsonPathText(path)}), ${JSON.stringify(value)}) = 1)`
        : sql<boolean>`(json_extract(${doc}, ${jsonPathText(path)}) = cast(${JSON.stringify(value)} as json))`;
      return op === '=' ? equal : sql<boolean>`(not ${equal})`;
    }
    return sql<boolean>`(json_value(${doc}, ${jsonPathText(path)}) ${sql.raw(op)} ${value as string | number})`;
  },
  jsonText: (doc, path) => sql`json_value(${doc}, ${jsonPathText(path)})`,
  jsonPathExists: (doc, path) => sql<boolean>`(coalesce(json_contains_path(${doc}, 'one', ${jsonPathText(path)}), 0) = 1)`,
  jsonContains: (doc, value) => sql<boolean>`(json_contains(${doc}, ${JSON.stringify(value)}) = 1)`,
  nullsOrder: () => undefined,
  orderable: (_field, e) => e,
  aggregate(fn, argument, _field, distinct) {
    if (argument === null) return sql`count(*)`;
    const arg = distinct ? sql`distinct ${argument}` : sql`${argument}`;
    return sql`${sql.raw(fn)}(${arg})`;
  },
  onConflict(insert, conflict) {
    if ('ignore' in conflict) return insert.ignore();
    return insert.onDuplicateKeyUpdate(Object.fromEntries(conflict.updateColumns.map((c) => [c, sql`values(${sql.ref(c)})`])));
  },
  typed: (_field, e) => e,
  concat: (...parts) => sql`concat(${sql.join(parts)})`,
  arithmeticValue: (value) => sql`${value}`,
  integerDivide: (left, right) => sql`(${left} div ${right})`,
  assignExpression: (_field, e) => e,
  offsetWithoutLimit: () => 18446744073709551615n,
  placeholders: (text) => text,
  explain: (statement) => `explain ${statement}`,
  formatPlan: planLines,
};
}
