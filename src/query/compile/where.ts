import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { ModelMeta as Meta } from '../../metadata/index.js';
import { JoinPlanner } from './joins.js';
import { FieldError } from '../../errors/index.js';
import type { DialectDriver, SqlExpression } from '../../dialects/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import { assertNever, clip } from '../../utils/index.js';
import { planFor } from '../hydrate/index.js';
import { decimalPlacesOf, isIntegralExpression, parseKey, type AnnotationSpec, type ExpressionNode, type FilterNode, type LhsPath, type Operand, type Predicate } from '../filter/index.js';

/** What compiling needs: the model, the dialect, an expression builder, and the statement's joins. */
export interface CompileContext {
  readonly meta: ModelMeta;
  readonly driver: DialectDriver;
  readonly eb: ExpressionBuilder<any, any>;
  /** The alias of `meta`'s table in this statement. */
  readonly alias: string;
  /** The joins of this statement (to-one hops, and to-many hops for annotations and values). */
  readonly joins: JoinPlanner;
  /** Numbers subqueries so their aliases never clash. */
  readonly counter: { next: number };
}

/** A context for the root of a statement. */
export function rootContext(meta: Meta, driver: DialectDriver, eb: ExpressionBuilder<any, any>, alias = meta.table): CompileContext {
  return { meta, driver, eb, alias, joins: new JoinPlanner(meta, alias), counter: { next: 0 } };
}

/** The column reference of a field of the queried model. */
export function columnRef(ctx: CompileContext, column: string, path: readonly string[] = [], allowMany = false): SqlExpression {
  return ctx.eb.ref(`${path.length === 0 ? ctx.alias : ctx.joins.alias(path, allowMany)}.${column}`);
}

/** Compiles an F expression tree. `allowMany`: references may cross to-many relations (inside an aggregate, joined). */
export function compileExpression(ctx: CompileContext, node: ExpressionNode, allowMany = false): SqlExpression {
  switch (node.kind) {
    case 'ref': {
      const { lhs } = parseKey(ctx.meta, node.path, false);
      if (lhs.jsonPath.length > 0 || lhs.transforms.length > 0) throw new FieldError(`F('${clip(node.path)}') must name a plain field`, { model: ctx.meta.name });
      return columnRef(ctx, lhs.field.column, lhs.relations, allowMany);
    }
    case 'value':
      return ctx.driver.sql.arithmeticValue(node.value);
    case 'arith': {
      const left = compileExpression(ctx, node.left, allowMany);
      const right = compileExpression(ctx, node.right, allowMany);
      if (node.op === '/' && isIntegralExpression(ctx.meta, node)) return ctx.driver.sql.integerDivide(left, right);
      const exact = ctx.driver.sql.decimalArithmetic;
      if (exact !== undefined && node.op !== '/') {
        const places = decimalPlacesOf(ctx.meta, node);
        if (places !== null) return exact(node.op, left, right, places);
      }
      return sql`(${left} ${sql.raw(node.op)} ${right})`;
    }
    default:
      return assertNever(node, 'expression');
  }
}

/** The SQL of an aggregate annotation (over a column, or over an F expression). */
export function aggregateExpression(ctx: CompileContext, spec: AnnotationSpec): SqlExpression {
  const argument = spec.expression !== undefined ? compileExpression(ctx, spec.expression, true) : spec.source === null ? null : columnRef(ctx, spec.source.column, spec.relations, true);
  return ctx.driver.sql.aggregate(spec.fn, argument, spec.source, spec.distinct);
}

/** The SQL of a left side: column (or aggregate), then transform. JSON paths are handled by each predicate. */
function lhsExpression(ctx: CompileContext, lhs: LhsPath): SqlExpression {
  if (lhs.annotation !== undefined) return aggregateExpression(ctx, lhs.annotation);
  let e: SqlExpression = columnRef(ctx, lhs.field.column, lhs.relations);
  for (const t of lhs.transforms) e = ctx.driver.sql.transform(t, e);
  return e;
}

function literal(ctx: CompileContext, lhs: LhsPath, value: unknown): SqlExpression {
  if (lhs.transforms.length > 0) return ctx.eb.val(value);
  return ctx.eb.val(planFor(ctx.driver, ctx.meta).valueToDb(lhs.field, value));
}

function operand(ctx: CompileContext, lhs: LhsPath, op: Operand): SqlExpression {
  return op.kind === 'literal' ? literal(ctx, lhs, op.value) : compileExpression(ctx, op.node);
}

function jsonOnly(ctx: CompileContext, lhs: LhsPath, op: Operand): unknown {
  if (op.kind !== 'literal') throw new FieldError(`F() cannot be compared with a JSON key path (${lhs.field.name}__${lhs.jsonPath.join('__')})`, { model: ctx.meta.name });
  return op.value;
}

function predicateSql(ctx: CompileContext, lhs: LhsPath, p: Predicate): Expression<SqlBool> {
  const o = ctx.driver.sql;
  const json = lhs.jsonPath.length > 0;
  const doc = () => columnRef(ctx, lhs.field.column, lhs.relations);
  switch (p.op) {
    case 'compare': {
      if (json) {
        const value = jsonOnly(ctx, lhs, p.rhs);
        if (p.caseInsensitive) return sql<SqlBool>`(${o.lower(o.jsonText(doc(), lhs.jsonPath))} = ${o.lower(ctx.eb.val(value))})`;
        return o.jsonCompare(doc(), lhs.jsonPath, p.operator, value);
      }
      const left = lhsExpression(ctx, lhs);
      const right = operand(ctx, lhs, p.rhs);
      if (p.caseInsensitive) return sql<SqlBool>`(${o.lower(left)} ${sql.raw(p.operator)} ${o.lower(right)})`;
      if (p.operator !== '=' && p.operator !== '<>' && lhs.transforms.length === 0) {
        return ctx.eb(o.orderable(lhs.field, left), p.operator, o.orderable(lhs.field, right));
      }
      return ctx.eb(left, p.operator, right);
    }
    case 'in':
      if (json) return ctx.eb.or(p.values.map((v) => o.jsonCompare(doc(), lhs.jsonPath, '=', v)));
      return ctx.eb(lhsExpression(ctx, lhs), 'in', p.values.map((v) => literal(ctx, lhs, v)));
    case 'between':
      if (json) {
        return ctx.eb.and([o.jsonCompare(doc(), lhs.jsonPath, '>=', jsonOnly(ctx, lhs, p.low)), o.jsonCompare(doc(), lhs.jsonPath, '<=', jsonOnly(ctx, lhs, p.high))]);
      }
      if (lhs.transforms.length > 0) return ctx.eb.between(lhsExpression(ctx, lhs), operand(ctx, lhs, p.low), operand(ctx, lhs, p.high));
      return ctx.eb.between(o.orderable(lhs.field, lhsExpression(ctx, lhs)), o.orderable(lhs.field, operand(ctx, lhs, p.low)), o.orderable(lhs.field, operand(ctx, lhs, p.high)));
    case 'isnull':
      if (json) {
        const exists = o.jsonPathExists(doc(), lhs.jsonPath);
        return p.isNull ? ctx.eb.not(exists) : exists;
      }
      return ctx.eb(lhsExpression(ctx, lhs), p.isNull ? 'is' : 'is not', null);
    case 'text': {
      const left = json ? o.jsonText(doc(), lhs.jsonPath) : lhsExpression(ctx, lhs);
      const right = p.rhs.kind === 'literal' ? ctx.eb.val(p.rhs.value) : compileExpression(ctx, p.rhs.node);
      return o.textMatch(left, p.mode, right, p.caseInsensitive);
    }
    case 'regex':
      return o.regex(json ? o.jsonText(doc(), lhs.jsonPath) : lhsExpression(ctx, lhs), p.pattern, p.caseInsensitive);
    case 'json_has_key':
      return o.jsonPathExists(doc(), [...lhs.jsonPath, p.key]);
    case 'json_contains':
      return o.jsonContains(doc(), p.value);
    case 'never':
      return sql<SqlBool>`(1 = 0)`;
    default:
      return assertNever(p, 'predicate');
  }
}

/** Columns an F expression reads that may be NULL. */
function nullableRefs(ctx: CompileContext, p: Predicate): SqlExpression[] {
  const operands: Operand[] = p.op === 'compare' || p.op === 'text' ? [p.rhs] : p.op === 'between' ? [p.low, p.high] : [];
  const refs: SqlExpression[] = [];
  const walk = (n: ExpressionNode): void => {
    if (n.kind === 'ref') {
      const { lhs } = parseKey(ctx.meta, n.path, false);
      if (lhs.field.nullable || lhs.relations.length > 0) refs.push(columnRef(ctx, lhs.field.column, lhs.relations));
    } else if (n.kind === 'arith') {
      walk(n.left);
      walk(n.right);
    }
  };
  for (const op of operands) if (op.kind === 'expression') walk(op.node);
  return refs;
}

/** The relation names up to and including the first to-many hop, or null when the path stays to-one. */
function manyPrefix(meta: Meta, relations: readonly string[]): readonly string[] | null {
  let current = meta;
  for (let i = 0; i < relations.length; i++) {
    const relation = current.findRelation(relations[i]);
    if (relation === undefined) return null;
    if (relation.many) return relations.slice(0, i + 1);
    current = relation.target;
  }
  return null;
}

function reroot(node: FilterNode, depth: number): FilterNode {
  if (node.kind !== 'condition') return node;
  return { ...node, lhs: { ...node.lhs, relations: node.lhs.relations.slice(depth) } };
}

/**
 * `EXISTS (SELECT 1 FROM related WHERE <correlation> AND <conditions>)`: how conditions across a
 * to-many relation are said. Conditions of one filter() call on the same relation share one EXISTS
 * (they must hold for the same related row, as in Django); `exclude()` becomes NOT EXISTS, dropping
 * rows with any match. No duplicates, so no DISTINCT is needed.
 */
function existsGroup(ctx: CompileContext, prefix: readonly string[], conditions: readonly FilterNode[]): Expression<SqlBool> {
  const { relations } = JoinPlanner.walk(ctx.meta, prefix);
  const many = relations[relations.length - 1];
  const outer = prefix.length > 1 ? ctx.joins.alias(prefix.slice(0, -1)) : ctx.alias;
  const alias = `s${++ctx.counter.next}`;
  const target = many.target;
  const inner: CompileContext = { meta: target, driver: ctx.driver, eb: ctx.eb, alias, joins: new JoinPlanner(target, alias, alias), counter: ctx.counter };
  const body = conditions.length === 1 ? reroot(conditions[0], prefix.length) : { kind: 'and' as const, children: conditions.map((c) => reroot(c, prefix.length)) };
  const where = conditions.length === 0 ? null : compileFilter(inner, body, false);
  const outerPk = ctx.eb.ref(`${outer}.${many.model.pk.column}`);
  let sub = ctx.eb.selectFrom(`${target.table} as ${alias}`);
  let correlation: Expression<SqlBool>;
  if (many.kind === 'm2m' || many.kind === 'reverse_m2m') {
    const through = many.through;
    if (through === undefined) throw new FieldError(`Relation ${many.model.name}.${many.name} has no join table`);
    sub = sub.innerJoin(`${through.meta.table} as ${alias}_t`, `${alias}_t.${through.target.column}`, `${alias}.${target.pk.column}`);
    correlation = ctx.eb(ctx.eb.ref(`${alias}_t.${through.source.column}`), '=', outerPk);
  } else {
    correlation = ctx.eb(ctx.eb.ref(`${alias}.${many.fk?.column as string}`), '=', outerPk);
  }
  sub = inner.joins.apply(sub as never) as never;
  sub = sub.select(sql.lit(1).as('one')).where(correlation);
  return ctx.eb.exists(where === null ? sub : sub.where(where));
}

/**
 * `books__isnull: true` (the related key itself is NULL, as a LEFT JOIN would produce it): there is no
 * related row, i.e. `NOT EXISTS (SELECT 1 FROM related WHERE <correlation>)`.
 */
function noRelatedRow(ctx: CompileContext, node: FilterNode, prefix: readonly string[]): boolean {
  return (
    node.kind === 'condition' &&
    node.predicate.op === 'isnull' &&
    node.predicate.isNull &&
    node.lhs.relations.length === prefix.length &&
    node.lhs.field === JoinPlanner.walk(ctx.meta, prefix).meta.pk
  );
}

/**
 * Compiles a filter tree. Under a NOT, each condition is made two-valued (`cond AND col IS NOT NULL`
 * for nullable columns), so `exclude()`, `ne`, `not_in` and `Q.not()` keep rows whose column is NULL,
 * as Django's `exclude` does. Conditions across to-many relations become EXISTS subqueries.
 */
export function compileFilter(ctx: CompileContext, node: FilterNode, underNot = false): Expression<SqlBool> {
  switch (node.kind) {
    case 'and': {
      const groups = new Map<string, { prefix: readonly string[]; conditions: FilterNode[] }>();
      const parts: (Expression<SqlBool> | { group: string })[] = [];
      for (const child of node.children) {
        const prefix = child.kind === 'condition' && child.lhs.annotation === undefined ? manyPrefix(ctx.meta, child.lhs.relations) : null;
        if (prefix === null) {
          parts.push(compileFilter(ctx, child, underNot));
          continue;
        }
        if (noRelatedRow(ctx, child, prefix)) {
          parts.push(ctx.eb.not(existsGroup(ctx, prefix, [])));
          continue;
        }
        const key = prefix.join('__');
        const group = groups.get(key);
        if (group === undefined) {
          groups.set(key, { prefix, conditions: [child] });
          parts.push({ group: key });
        } else group.conditions.push(child);
      }
      return ctx.eb.and(parts.map((p) => ('group' in p ? existsGroup(ctx, groups.get(p.group)!.prefix, groups.get(p.group)!.conditions) : p)));
    }
    case 'or':
      return ctx.eb.or(node.children.map((c) => compileFilter(ctx, c, underNot)));
    case 'not':
      return ctx.eb.not(compileFilter(ctx, node.child, true));
    case 'condition': {
      if (node.lhs.annotation === undefined) {
        const prefix = manyPrefix(ctx.meta, node.lhs.relations);
        if (prefix !== null) return noRelatedRow(ctx, node, prefix) ? ctx.eb.not(existsGroup(ctx, prefix, [])) : existsGroup(ctx, prefix, [node]);
      }
      const expression = predicateSql(ctx, node.lhs, node.predicate);
      if (!underNot || node.predicate.op === 'isnull' || node.predicate.op === 'never') return expression;
      const guards: Expression<SqlBool>[] = [];
      if (node.lhs.annotation !== undefined) guards.push(ctx.eb(lhsExpression(ctx, node.lhs), 'is not', null));
      else if (node.lhs.jsonPath.length > 0) guards.push(ctx.driver.sql.jsonPathExists(columnRef(ctx, node.lhs.field.column, node.lhs.relations), node.lhs.jsonPath));
      else if (node.lhs.field.nullable || node.lhs.relations.length > 0) guards.push(ctx.eb(columnRef(ctx, node.lhs.field.column, node.lhs.relations), 'is not', null));
      for (const ref of nullableRefs(ctx, node.predicate)) guards.push(ctx.eb(ref, 'is not', null));
      return guards.length === 0 ? expression : ctx.eb.and([expression, ...guards]);
    }
    default:
      return assertNever(node, 'filter node');
  }
}
