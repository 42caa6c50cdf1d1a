import { sql } from 'kysely';
import { assertNever } from '../../utils/index.js';
import type { DecimalFieldDef } from '../../fields/index.js';
import type { SqlOverrides } from '../dialect.js';
import { columnTypeOf } from './column-types.js';
import { rewritePlaceholders } from '../shared.js';

const pathArray = (path: readonly (string | number)[]): string[] => path.map(String);

/** PostgreSQL's SQL pieces. The session time zone is UTC, so transforms of timestamptz are UTC. */
export const postgresSql: SqlOverrides = {
  // Casts let text tests work on uuid, date and time columns too.
  lower: (e) => sql`lower(cast(${e} as text))`,
  transform(name, e) {
    switch (name) {
      case 'year':
      case 'month':
      case 'day':
      case 'hour':
      case 'minute':
        return sql`cast(extract(${sql.raw(name)} from ${e}) as integer)`;
      case 'second':
        return sql`cast(floor(extract(second from ${e})) as integer)`;
      case 'week_day':
        return sql`(cast(extract(dow from ${e}) as integer) + 1)`;
      case 'date':
        return sql`cast(${e} as date)`;
      default:
        return assertNever(name, 'transform');
    }
  },
  textMatch(lhs, mode, rhs, ci) {
    const escaped = sql`replace(replace(replace(cast(${rhs} as text), '!', '!!'), '%', '!%'), '_', '!_')`;
    const pattern = mode === 'contains' ? sql`'%' || ${escaped} || '%'` : mode === 'startswith' ? sql`${escaped} || '%'` : sql`'%' || ${escaped}`;
    return ci
      ? sql<boolean>`(lower(cast(${lhs} as text)) like lower(${pattern}) escape '!')`
      : sql<boolean>`(cast(${lhs} as text) like ${pattern} escape '!')`;
  },
  regex: (lhs, pattern, ci) => (ci ? sql<boolean>`(cast(${lhs} as text) ~* ${pattern})` : sql<boolean>`(cast(${lhs} as text) ~ ${pattern})`),
  jsonCompare: (doc, path, op, value) => sql<boolean>`((${doc} #> cast(${pathArray(path)} as text[])) ${sql.raw(op)} cast(${JSON.stringify(value)} as jsonb))`,
  jsonText: (doc, path) => sql`(${doc} #>> cast(${pathArray(path)} as text[]))`,
  jsonPathExists: (doc, path) => sql<boolean>`((${doc} #> cast(${pathArray(path)} as text[])) is not null)`,
  jsonContains: (doc, value) => sql<boolean>`(${doc} @> cast(${JSON.stringify(value)} as jsonb))`,
  nullsOrder: (descending) => (descending ? 'last' : 'first'),
  orderable: (_field, e) => e,
  aggregate(fn, argument, field, distinct) {
    if (argument === null) return sql`count(*)`;
    const arg = distinct ? sql`distinct ${argument}` : sql`${argument}`;
    if (fn === 'avg' && field !== null && field.kind === 'decimal') {
      // avg(numeric) keeps about 16 significant digits; an exactly scaled sum / count keeps them all.
      const places = (field as DecimalFieldDef).decimalPlaces;
      return sql`round(cast(sum(${arg}) as numeric(1000, ${sql.lit(places + 8)})) / count(${arg}), ${sql.lit(places + 4)})`;
    }
    return sql`${sql.raw(fn)}(${arg})`;
  },
  onConflict(insert, conflict) {
    if ('ignore' in conflict) return insert.onConflict((oc) => oc.doNothing());
    return insert.onConflict((oc) =>
      oc.columns([...conflict.conflictColumns]).doUpdateSet(Object.fromEntries(conflict.updateColumns.map((c) => [c, sql.ref(`excluded.${c}`)]))),
    );
  },
  typed: (field, e) => sql`cast(${e} as ${sql.raw(columnTypeOf(field))})`,
  concat: (...parts) => sql`(${sql.join(parts, sql` || `)})`,
  arithmeticValue: (value) => (Number.isInteger(value) ? sql`${value}` : sql`cast(${value} as double precision)`),
  integerDivide: (left, right) => sql`(${left} / ${right})`,
  assignExpression: (_field, e) => e,
  offsetWithoutLimit: () => undefined,
  placeholders: (text) => rewritePlaceholders(text, (n) => `$${n}`),
  explain: (statement) => `explain ${statement}`,
  formatPlan: (rows) => rows.map((r) => String(r['QUERY PLAN'])).join('\n'),
};
