import { sql } from 'kysely';
import { assertNever } from '../../utils/index.js';
import type { DecimalFieldDef } from '../../fields/index.js';
import type { SqlOverrides } from '../dialect.js';
import { jsonPathText } from '../shared.js';

const STRFTIME: Record<string, string> = { year: '%Y', month: '%m', day: '%d', hour: '%H', minute: '%M', second: '%S' };

/** SQLite's SQL pieces. Case-sensitive text tests use instr/substr (SQLite's LIKE ignores ASCII case). */
export const sqliteSql: SqlOverrides = {
  lower: (e) => sql`lower(${e})`,
  transform(name, e) {
    switch (name) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
      case 'second':
        return sql`cast(strftime(${sql.lit(STRFTIME[name])}, ${e}) as integer)`;
      case 'week_day':
        return sql`(cast(strftime('%w', ${e}) as integer) + 1)`;
      case 'date':
        return sql`substr(${e}, 1, 10)`;
      default:
        return assertNever(name, 'transform');
    }
  },
  textMatch(lhs, mode, rhs, ci) {
    const l = ci ? sql`lower(${lhs})` : sql`${lhs}`;
    const r = ci ? sql`lower(${rhs})` : sql`${rhs}`;
    switch (mode) {
      case 'contains':
        return sql<boolean>`(instr(${l}, ${r}) > 0)`;
      case 'startswith':
        return sql<boolean>`(substr(${l}, 1, length(${r})) = ${r})`;
      case 'endswith':
        return sql<boolean>`(substr(${l}, length(${l}) - length(${r}) + 1) = ${r})`;
      default:
        return assertNever(mode, 'text mode');
    }
  },
  regex: (lhs, pattern, ci) => sql<boolean>`(oxen_regexp(${lhs}, ${pattern}, ${ci ? 'i' : ''}) = 1)`,
  jsonCompare(doc, path, op, value) {
    if (op === '=' || op === '<>') return sql<boolean>`((${doc} -> ${jsonPathText(path)}) ${sql.raw(op)} json(${JSON.stringify(value)}))`;
    return sql<boolean>`(json_extract(${doc}, ${jsonPathText(path)}) ${sql.raw(op)} ${value as string | number})`;
  },
  jsonText: (doc, path) => sql`json_extract(${doc}, ${jsonPathText(path)})`,
  jsonPathExists: (doc, path) => sql<boolean>`(json_type(${doc}, ${jsonPathText(path)}) is not null)`,
  jsonContains: (doc, value) => sql<boolean>`(oxen_json_contains(${doc}, ${JSON.stringify(value)}) = 1)`,
  nullsOrder: () => undefined,
  orderable: (field, e) => (field.kind === 'decimal' ? sql`cast(${e} as real)` : e),
  aggregate(fn, argument, field, distinct) {
    if (argument === null) return sql`count(*)`;
    const arg = distinct ? sql`distinct ${argument}` : sql`${argument}`;
    if (field !== null && field.kind === 'decimal' && fn !== 'count') {
      // Decimals are text on SQLite: exact aggregates run in JS (see sqlite/index.ts).
      // SQLite allows one argument with DISTINCT: the scale is then read from the values.
      if (distinct) return sql`${sql.raw(`oxen_decimal_${fn}`)}(${arg})`;
      return sql`${sql.raw(`oxen_decimal_${fn}`)}(${arg}, ${sql.lit((field as DecimalFieldDef).decimalPlaces)})`;
    }
    return sql`${sql.raw(fn)}(${arg})`;
  },
  onConflict(insert, conflict) {
    if ('ignore' in conflict) return insert.onConflict((oc) => oc.doNothing());
    return insert.onConflict((oc) =>
      oc.columns([...conflict.conflictColumns]).doUpdateSet(Object.fromEntries(conflict.updateColumns.map((c) => [c, sql.ref(`excluded.${c}`)]))),
    );
  },
  typed: (_field, e) => e,
  concat: (...parts) => sql`(${sql.join(parts, sql` || `)})`,
  arithmeticValue: (value) => (Number.isInteger(value) ? sql`cast(${value} as integer)` : sql`${value}`),
  integerDivide: (left, right) => sql`(${left} / ${right})`,
  // Exact in BigInt arithmetic (see decimal-aggregates.ts); the operator is one of three literals.
  decimalArithmetic: (op, left, right, places) => sql`oxen_decimal_arith(${sql.lit(op)}, ${left}, ${right}, ${sql.lit(places)})`,
  assignExpression: (field, e) => (field.kind === 'decimal' ? sql`printf(${sql.lit(`%.${(field as DecimalFieldDef).decimalPlaces}f`)}, ${e})` : e),
  offsetWithoutLimit: () => -1,
  literalLimit: true,
  placeholders: (text) => text,
  explain: (statement) => `explain query plan ${statement}`,
  formatPlan: (rows) => rows.map((r) => String(r.detail)).join('\n'),
};
