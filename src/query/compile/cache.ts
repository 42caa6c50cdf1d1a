import { CompiledQuery } from 'kysely';
import type { DialectDriver } from '../../dialects/index.js';
import { assertNever } from '../../utils/index.js';
import { planFor } from '../hydrate/index.js';
import type { ExpressionNode, FilterNode, Operand } from '../filter/index.js';
import type { QueryState } from './state.js';

/**
 * The compiled-statement cache: SQL text by query *shape* (the state with its values left out), per
 * dialect. A shape's parameters are derived by walking the state in compile order; the first time a
 * shape is compiled, the derived parameters must equal Kysely's, or the shape is marked uncacheable.
 * A hit skips building and compiling the Kysely tree and only binds the new values.
 */
const MAX_SHAPES = 2000;

/** A cached statement: its SQL text and the node and id every hit of it shares. */
interface CachedStatement {
  readonly sql: string;
  readonly query: CompiledQuery['query'];
  readonly queryId: CompiledQuery['queryId'];
}

const caches = new WeakMap<DialectDriver, Map<string, CachedStatement | null>>();

function sameParameter(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return a.equals(b);
  return false;
}

/** Compiles through the cache: `key` is the shape (null: not cacheable), `parameters` derives the values. */
export function cachedCompile(driver: DialectDriver, key: string | null, parameters: () => unknown[] | null, compile: () => CompiledQuery): CompiledQuery {
  if (key === null) return compile();
  let cache = caches.get(driver);
  if (cache === undefined) caches.set(driver, (cache = new Map()));
  const hit = cache.get(key);
  if (hit === null) return compile();
  if (hit !== undefined) {
    const values = parameters();
    // A plain object, not CompiledQuery.raw(): no new node, query id or freeze per run. Nothing
    // downstream keeps or changes it (the drivers read sql and parameters; no plugins are installed).
    return values === null ? compile() : { sql: hit.sql, parameters: values, query: hit.query, queryId: hit.queryId };
  }
  const compiled = compile();
  const values = parameters();
  const verified = values !== null && values.length === compiled.parameters.length && values.every((v, i) => sameParameter(v, compiled.parameters[i]));
  if (cache.size >= MAX_SHAPES) cache.delete(cache.keys().next().value as string);
  if (verified) {
    const raw = CompiledQuery.raw(compiled.sql);
    cache.set(key, { sql: compiled.sql, query: raw.query, queryId: raw.queryId });
  } else cache.set(key, null);
  return compiled;
}

function expressionShape(node: ExpressionNode): string {
  switch (node.kind) {
    case 'ref':
      return `F(${node.path})`;
    case 'value': {
      // The SQL itself differs for integers and other numbers (casts, integer division).
      const v = node.value;
      return typeof v === 'number' ? (Number.isInteger(v) ? 'Vi' : 'Vf') : `V${typeof v}`;
    }
    case 'arith':
      return `(${expressionShape(node.left)}${node.op}${expressionShape(node.right)})`;
    default:
      return assertNever(node, 'expression');
  }
}

function operandShape(op: Operand): string {
  return op.kind === 'literal' ? 'L' : expressionShape(op.node);
}

/** The shape of a filter tree, or null when it has parts whose SQL varies with more than their values. */
export function filterShape(node: FilterNode | null): string | null {
  if (node === null) return '';
  switch (node.kind) {
    case 'and':
    case 'or': {
      const parts: string[] = [];
      for (const child of node.children) {
        const s = filterShape(child);
        if (s === null) return null;
        parts.push(s);
      }
      return `${node.kind}(${parts.join(',')})`;
    }
    case 'not': {
      const s = filterShape(node.child);
      return s === null ? null : `not(${s})`;
    }
    case 'condition': {
      const { lhs, predicate: p } = node;
      if (lhs.relations.length > 0 || lhs.annotation !== undefined || lhs.jsonPath.length > 0) return null;
      // Columns are identifiers: '.' and ':' keep `joined__year` apart from a column named `joinedyear`.
      const left = `${[lhs.field.column, ...lhs.transforms].join('.')}:`;
      switch (p.op) {
        case 'compare':
          return `${left}${p.operator}${p.caseInsensitive ? 'i' : ''}${operandShape(p.rhs)}`;
        case 'in':
          return `${left}in${p.values.length}`;
        case 'between':
          return `${left}btw${operandShape(p.low)}${operandShape(p.high)}`;
        case 'isnull':
          return `${left}null${p.isNull ? 1 : 0}`;
        case 'never':
          return 'never';
        default:
          return null;
      }
    }
    default:
      return assertNever(node, 'filter node');
  }
}

function expressionParameters(node: ExpressionNode, out: unknown[]): void {
  if (node.kind === 'value') out.push(node.value);
  else if (node.kind === 'arith') {
    expressionParameters(node.left, out);
    expressionParameters(node.right, out);
  }
}

/** The parameters of a filter tree, in the order its SQL binds them. */
export function filterParameters(driver: DialectDriver, state: QueryState, node: FilterNode | null, out: unknown[]): void {
  if (node === null) return;
  switch (node.kind) {
    case 'and':
    case 'or':
      for (const child of node.children) filterParameters(driver, state, child, out);
      return;
    case 'not':
      filterParameters(driver, state, node.child, out);
      return;
    case 'condition': {
      const { lhs, predicate: p } = node;
      const plan = planFor(driver, state.meta);
      const literal = (v: unknown): unknown => (lhs.transforms.length > 0 ? v : plan.valueToDb(lhs.field, v));
      const operand = (op: Operand): void => {
        if (op.kind === 'literal') out.push(literal(op.value));
        else expressionParameters(op.node, out);
      };
      if (p.op === 'compare') operand(p.rhs);
      else if (p.op === 'in') for (const v of p.values) out.push(literal(v));
      else if (p.op === 'between') {
        operand(p.low);
        operand(p.high);
      }
      return;
    }
    default:
      assertNever(node, 'filter node');
  }
}

/** LIMIT/OFFSET parameters as the compiler binds them. */
export function limitParameters(driver: DialectDriver, state: QueryState, out: unknown[]): void {
  if (state.limit !== null && driver.sql.literalLimit !== true) out.push(state.limit);
  if (state.offset !== null) {
    if (state.limit === null) {
      const max = driver.sql.offsetWithoutLimit();
      if (max !== undefined) out.push(max);
    }
    out.push(state.offset);
  }
}
