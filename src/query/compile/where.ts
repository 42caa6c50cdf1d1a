import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { FieldError } from '../../errors/index.js';
import type { DialectDriver, SqlExpression } from '../../dialects/index.js';
import type { ModelMeta } from '../../metadata/index.js';
import { assertNever } from '../../utils/index.js';
import { planFor } from '../hydrate/index.js';
import { parseKey, type AnnotationSpec, type ExpressionNode, type FilterNode, type LhsPath, type Operand, type Predicate } from '../filter/index.js';

/** What compiling needs: the model, the dialect, and the expression builder of the statement. */
export interface CompileContext {
  readonly meta: ModelMeta;
  readonly driver: DialectDriver;
  readonly eb: ExpressionBuilder<any, any>;
}

/** The column reference of a field of the queried model. */
export function columnRef(ctx: CompileContext, column: string): SqlExpression {
  return ctx.eb.ref(`${ctx.meta.table}.${column}`);
}

/** Compiles an F expression tree. */
export function compileExpression(ctx: CompileContext, node: ExpressionNode): SqlExpression {
  switch (node.kind) {
    case 'ref': {
      const { lhs } = parseKey(ctx.meta, node.path, false);
      if (lhs.jsonPath.length > 0 || lhs.transforms.length > 0) throw new FieldError(`F('${node.path}') must name a plain field`, { model: ctx.meta.name });
      return columnRef(ctx, lhs.field.column);
    }
    case 'value':
      return ctx.eb.val(node.value);
    case 'arith':
      return sql`(${compileExpression(ctx, node.left)} ${sql.raw(node.op)} ${compileExpression(ctx, node.right)})`;
    default:
      return assertNever(node, 'expression');
  }
}

/** The SQL of an aggregate annotation. */
export function aggregateExpression(ctx: CompileContext, spec: AnnotationSpec): SqlExpression {
  const argument = spec.source === null ? null : columnRef(ctx, spec.source.column);
  return ctx.driver.sql.aggregate(spec.fn, argument, spec.source, spec.distinct);
}

/** The SQL of a left side: column (or aggregate), then transform. JSON paths are handled by each predicate. */
function lhsExpression(ctx: CompileContext, lhs: LhsPath): SqlExpression {
  if (lhs.annotation !== undefined) return aggregateExpression(ctx, lhs.annotation);
  let e: SqlExpression = columnRef(ctx, lhs.field.column);
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
  const doc = () => columnRef(ctx, lhs.field.column);
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
      if (lhs.field.nullable) refs.push(columnRef(ctx, lhs.field.column));
    } else if (n.kind === 'arith') {
      walk(n.left);
      walk(n.right);
    }
  };
  for (const op of operands) if (op.kind === 'expression') walk(op.node);
  return refs;
}

/**
 * Compiles a filter tree. Under a NOT, each condition is made two-valued (`cond AND col IS NOT NULL`
 * for nullable columns), so `exclude()`, `ne`, `not_in` and `Q.not()` keep rows whose column is NULL,
 * as Django's `exclude` does.
 */
export function compileFilter(ctx: CompileContext, node: FilterNode, underNot = false): Expression<SqlBool> {
  switch (node.kind) {
    case 'and':
      return ctx.eb.and(node.children.map((c) => compileFilter(ctx, c, underNot)));
    case 'or':
      return ctx.eb.or(node.children.map((c) => compileFilter(ctx, c, underNot)));
    case 'not':
      return ctx.eb.not(compileFilter(ctx, node.child, true));
    case 'condition': {
      const expression = predicateSql(ctx, node.lhs, node.predicate);
      if (!underNot || node.predicate.op === 'isnull' || node.predicate.op === 'never') return expression;
      const guards: Expression<SqlBool>[] = [];
      if (node.lhs.annotation !== undefined) guards.push(ctx.eb(lhsExpression(ctx, node.lhs), 'is not', null));
      else if (node.lhs.jsonPath.length > 0) guards.push(ctx.driver.sql.jsonPathExists(columnRef(ctx, node.lhs.field.column), node.lhs.jsonPath));
      else if (node.lhs.field.nullable) guards.push(ctx.eb(columnRef(ctx, node.lhs.field.column), 'is not', null));
      for (const ref of nullableRefs(ctx, node.predicate)) guards.push(ctx.eb(ref, 'is not', null));
      return guards.length === 0 ? expression : ctx.eb.and([expression, ...guards]);
    }
    default:
      return assertNever(node, 'filter node');
  }
}
