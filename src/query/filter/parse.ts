import { FieldError } from '../../errors/index.js';
import { BigIntFieldDef, DateFieldDef, DecimalFieldDef, FloatFieldDef, ForeignKeyDef, IntFieldDef, InvalidValue, JSONFieldDef, type Field } from '../../fields/index.js';
import { registry, type ModelMeta } from '../../metadata/index.js';
import { assertNever, clip, isPlainObject, suggestion, unstorableText } from '../../utils/index.js';
import { TRANSFORMS, findLookup, lookupNames, type LookupInput } from '../lookups/index.js';
import { FExpression, expressionRefs } from './f.js';
import { and, not, or, type AnnotationSpec, type ExpressionNode, type FilterNode, type LhsPath, type Operand, type TransformName } from './nodes.js';
import { QExpression, type FilterSpec, type QTree } from './q.js';

const TRANSFORMS_BY_KIND: Record<string, readonly TransformName[]> = {
  datetime: TRANSFORMS,
  date: ['year', 'month', 'day', 'week_day'],
  time: ['hour', 'minute', 'second'],
};

const dateCleaner = new DateFieldDef();
const jsonCleaner = new JSONFieldDef();

/** A parsed key: the left side and the lookup name. */
export interface ParsedKey {
  readonly lhs: LhsPath;
  readonly lookup: string;
}

/**
 * Resolves `a__b__lookup` against a model: fields (and, later, relation hops), JSON key paths,
 * transforms, then one lookup. Throws FieldError with the valid names.
 */
export function parseKey(meta: ModelMeta, key: string, allowLookup = true, annotations: readonly AnnotationSpec[] = []): ParsedKey {
  if (annotations.length > 0) return resolveKey(meta, key, allowLookup, annotations);
  // Parsed keys depend only on the model's metadata: cache them (per model, bounded).
  let cache = keyCache.get(meta);
  if (cache === undefined) keyCache.set(meta, (cache = new Map()));
  const cacheKey = allowLookup ? key : `\u0000${key}`;
  let parsed = cache.get(cacheKey);
  if (parsed === undefined) {
    parsed = resolveKey(meta, key, allowLookup, annotations);
    if (cache.size < 5000 && meta.relations.size === relationCount(meta)) cache.set(cacheKey, parsed);
  }
  return parsed;
}

const keyCache = new WeakMap<ModelMeta, Map<string, ParsedKey>>();
const relationCounts = new WeakMap<ModelMeta, number>();

/** Relations can be added to a model later (reverse sides); a change empties its key cache. */
function relationCount(meta: ModelMeta): number {
  const known = relationCounts.get(meta);
  if (known !== meta.relations.size) {
    relationCounts.set(meta, meta.relations.size);
    keyCache.get(meta)?.clear();
  }
  return meta.relations.size;
}

function resolveKey(meta: ModelMeta, key: string, allowLookup: boolean, annotations: readonly AnnotationSpec[]): ParsedKey {
  const parts = key.split('__');
  const annotation = annotations.find((a) => a.alias === parts[0]);
  if (annotation !== undefined) {
    if (parts.length > 2 || (parts.length === 2 && (!allowLookup || findLookup(parts[1]) === undefined))) {
      throw new FieldError(`Unknown lookup '${clip(parts.slice(1).join('__'))}' on annotation '${clip(parts[0])}'${suggestion(parts[1] ?? '', lookupNames())}`, { model: meta.name });
    }
    return {
      lhs: Object.freeze({ relations: Object.freeze([]), field: annotation.result, jsonPath: Object.freeze([]), transforms: Object.freeze([]), annotation }),
      lookup: parts[1] ?? 'exact',
    };
  }
  const relations: string[] = [];
  let current = meta;
  let i = 0;
  let field: Field | undefined;
  while (field === undefined) {
    const name = parts[i];
    const relation = name === '' ? undefined : current.findRelation(name);
    const next = parts[i + 1];
    const nextIsLookup = next === undefined || (findLookup(next) !== undefined && relation?.target.findField(next) === undefined && relation?.target.findRelation(next) === undefined);
    if (relation !== undefined && (relation.kind === 'fk' || relation.kind === 'o2o') && relation.fk !== undefined) {
      const target = relation.target;
      const pkNext = next === 'pk' || next === target.pk.name;
      if (nextIsLookup) {
        field = relation.fk; // `author: a`, `author__in: [...]`: the key column, no join
        i += 1;
      } else if (pkNext && (parts[i + 2] === undefined || findLookup(parts[i + 2]) !== undefined)) {
        field = relation.fk; // `author__id: 1` reads the key column too
        i += 2;
      } else {
        relations.push(name);
        current = target;
        i += 1;
      }
    } else if (relation !== undefined) {
      relations.push(name);
      current = relation.target;
      i += 1;
      if (nextIsLookup) field = current.pk; // `books: b`, `tags__in: [...]`: compare the related primary key
    } else {
      const found = name === '' ? undefined : current.findField(name);
      if (found === undefined) {
        throw new FieldError(
          `Unknown field '${clip(name)}' in '${clip(key)}' on ${current.name}${suggestion(name, [...current.queryNames, ...(current === meta ? annotations.map((a) => a.alias) : [])])}`,
          { model: current.name, field: name },
        );
      }
      field = found;
      i += 1;
    }
  }
  const name = parts[0];
  const rest = parts.slice(i);
  const jsonPath: (string | number)[] = [];
  const transforms: TransformName[] = [];
  let lookup = 'exact';
  if (field.kind === 'json') {
    if (rest.length > 0 && allowLookup && findLookup(rest[rest.length - 1]) !== undefined) lookup = rest.pop() as string;
    for (const p of rest) {
      if (p === '') throw new FieldError(`Empty JSON key in '${clip(key)}' on ${meta.name}`, { model: meta.name, field: name });
      const bad = unstorableText(p);
      if (bad !== undefined) throw new FieldError(`A JSON key in '${meta.name}.${name}' must not contain ${bad}`, { model: meta.name, field: name });
      jsonPath.push(/^\d+$/.test(p) ? Number(p) : p);
    }
  } else {
    const allowed = TRANSFORMS_BY_KIND[field.kind] ?? [];
    let i = 0;
    while (i < rest.length && (allowed as readonly string[]).includes(rest[i])) {
      transforms.push(rest[i] as TransformName);
      if (rest[i] === 'date' || transforms.length > 1) {
        // Only one transform applies (date yields a date; the others an integer).
        if (transforms.length > 1) throw new FieldError(`Only one transform may apply in '${clip(key)}'`, { model: meta.name, field: name });
      }
      i++;
    }
    const remaining = rest.slice(i);
    if (remaining.length > 1 || (remaining.length === 1 && !allowLookup)) {
      throw new FieldError(`Cannot resolve '${clip(key)}' on ${meta.name}: '${field.name}' is not a relation, so '${clip(remaining.join('__'))}' is not a lookup path`, { model: meta.name, field: name });
    }
    if (remaining.length === 1) {
      lookup = remaining[0];
      if (findLookup(lookup) === undefined) {
        const valid = [...lookupNames(), ...allowed];
        throw new FieldError(`Unknown lookup '${clip(lookup)}' on ${meta.name}.${field.name}${suggestion(lookup, valid)}`, { model: meta.name, field: name });
      }
    }
  }
  return { lhs: Object.freeze({ relations: Object.freeze(relations), field, jsonPath: Object.freeze(jsonPath), transforms: Object.freeze(transforms) }), lookup };
}

function valueKind(lhs: LhsPath): LookupInput['valueKind'] {
  if (lhs.transforms.length > 0) return lhs.transforms[0] === 'date' ? 'date' : 'integer';
  if (lhs.jsonPath.length > 0) return 'json';
  return 'field';
}

function cleanerFor(meta: ModelMeta, lhs: LhsPath, label: string): (value: unknown) => unknown {
  const kind = valueKind(lhs);
  const field: Field = kind === 'date' ? dateCleaner : kind === 'json' ? jsonCleaner : lhs.field;
  return (input) => {
    let value = input;
    if (kind === 'integer') {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new FieldError(`${label} expects an integer, got ${JSON.stringify(value) ?? typeof value}`, { model: meta.name, field: lhs.field.name });
      return value;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !Buffer.isBuffer(value) && !isPlainObject(value)) {
      const related = registry.find((value as object).constructor);
      if (related !== undefined) {
        const expected = field instanceof ForeignKeyDef ? field.targetPk : field;
        if (field instanceof ForeignKeyDef || field.primaryKey) {
          const targetMeta = field instanceof ForeignKeyDef ? registry.metas().find((m) => m.pk === expected) : registry.metas().find((m) => m.pk === field);
          if (targetMeta !== undefined && targetMeta !== related) {
            throw new FieldError(`${label} expects a ${targetMeta.name} (or its key), got a ${related.name}`, { model: meta.name, field: lhs.field.name });
          }
          value = (value as Record<string, unknown>)[related.pk.attname];
        }
      }
    }
    try {
      return field.clean(value);
    } catch (error) {
      if (error instanceof InvalidValue) throw new FieldError(`${label}: value ${error.message}`, { model: meta.name, field: lhs.field.name });
      throw error;
    }
  };
}

const NUMERIC_KINDS: readonly string[] = ['int', 'smallint', 'bigint', 'float', 'decimal'];
const INTEGER_KINDS: readonly string[] = ['int', 'smallint', 'bigint'];

/** The numeric shape of an expression's value: integer (`bigint` when a BigIntField takes part), float, or a decimal with its places. */
type NumericShape = { readonly kind: 'int' | 'bigint' | 'float' } | { readonly kind: 'decimal'; readonly places: number };

function shapeOf(meta: ModelMeta, node: ExpressionNode): NumericShape {
  switch (node.kind) {
    case 'ref': {
      const field = parseKey(meta, node.path, false).lhs.field;
      if (!NUMERIC_KINDS.includes(field.kind)) {
        throw new FieldError(`F('${node.path}') in arithmetic must be a numeric field; it is ${field.kind}`, { model: meta.name, field: field.name });
      }
      if (field.kind === 'decimal') return { kind: 'decimal', places: (field.storage as DecimalFieldDef).decimalPlaces };
      return { kind: field.kind === 'float' ? 'float' : field.kind === 'bigint' ? 'bigint' : 'int' };
    }
    case 'value':
      return { kind: Number.isInteger(node.value) ? 'int' : 'float' };
    case 'arith': {
      const l = shapeOf(meta, node.left);
      const r = shapeOf(meta, node.right);
      if (l.kind === 'float' || r.kind === 'float') return { kind: 'float' };
      if (l.kind === 'decimal' || r.kind === 'decimal') {
        const lp = l.kind === 'decimal' ? l.places : 0;
        const rp = r.kind === 'decimal' ? r.places : 0;
        if (node.op === '/') return { kind: 'float' };
        return { kind: 'decimal', places: node.op === '*' ? lp + rp : Math.max(lp, rp) };
      }
      return { kind: l.kind === 'bigint' || r.kind === 'bigint' ? 'bigint' : 'int' };
    }
    default:
      return assertNever(node, 'expression');
  }
}

/**
 * A field describing the value of an F expression (for aggregates over expressions): integers stay
 * integers, any float makes a float, decimals stay exact for `+ - *` (places: the larger for `+ -`, the
 * sum for `*`), `/` with a decimal gives a float. Fields that are not numeric are a FieldError.
 */
export function expressionField(meta: ModelMeta, node: ExpressionNode): Field {
  const shape = shapeOf(meta, node);
  switch (shape.kind) {
    case 'int':
      return new IntFieldDef();
    case 'bigint':
      return new BigIntFieldDef();
    case 'float':
      return new FloatFieldDef();
    case 'decimal':
      if (shape.places > 30) throw new FieldError(`An expression of ${meta.name} would have ${shape.places} decimal places (at most 30)`, { model: meta.name });
      return new DecimalFieldDef({ maxDigits: 65, decimalPlaces: shape.places });
    default:
      return assertNever(shape, 'numeric shape');
  }
}

/** The decimal places of an expression whose value is an exact decimal, else null (also for non-numeric fields). */
export function decimalPlacesOf(meta: ModelMeta, node: ExpressionNode): number | null {
  try {
    const shape = shapeOf(meta, node);
    return shape.kind === 'decimal' ? shape.places : null;
  } catch {
    return null;
  }
}

/** True when an F expression's value is an integer (integer fields and numbers with + - * /). */
export function isIntegralExpression(meta: ModelMeta, node: ExpressionNode): boolean {
  switch (node.kind) {
    case 'ref':
      return INTEGER_KINDS.includes(parseKey(meta, node.path, false).lhs.field.kind);
    case 'value':
      return Number.isInteger(node.value);
    case 'arith':
      return isIntegralExpression(meta, node.left) && isIntegralExpression(meta, node.right);
    default:
      return assertNever(node, 'expression');
  }
}

/** Checks that every field an F expression names exists on the model. */
export function checkExpression(meta: ModelMeta, expression: FExpression): void {
  for (const ref of expressionRefs(expression.node)) parseKey(meta, ref, false);
}

/** Parses one `key: value` pair into a condition node (wrapped in NOT for negated lookups). */
export function parseCondition(meta: ModelMeta, key: string, value: unknown, annotations: readonly AnnotationSpec[] = []): FilterNode {
  const { lhs, lookup: lookupName } = parseKey(meta, key, true, annotations);
  const lookup = findLookup(lookupName);
  if (lookup === undefined) throw new FieldError(`Unknown lookup '${clip(lookupName)}' in '${clip(key)}'${suggestion(lookupName, lookupNames())}`, { model: meta.name });
  const label = `${meta.name}.${key}`;
  const clean = cleanerFor(meta, lhs, label);
  const input: LookupInput = {
    lhs,
    label,
    valueKind: valueKind(lhs),
    clean,
    operand(v: unknown): Operand {
      if (v instanceof FExpression) {
        checkExpression(meta, v);
        return { kind: 'expression', node: v.node };
      }
      return { kind: 'literal', value: clean(v) };
    },
  };
  if (value === undefined) throw new FieldError(`${label} is undefined; pass a value or null`, { model: meta.name, field: lhs.field.name });
  const predicate = lookup.prepare(value, input);
  const node: FilterNode = Object.freeze({ kind: 'condition', lhs, lookup: lookupName, predicate: Object.freeze(predicate) });
  return lookup.negated === true ? (not(node) as FilterNode) : node;
}

/** Parses a filter object (AND of its entries). Own properties only. */
export function parseSpec(meta: ModelMeta, spec: FilterSpec, annotations: readonly AnnotationSpec[] = []): FilterNode | null {
  if (!isPlainObject(spec)) throw new FieldError(`A filter must be a plain object like { age__gte: 18 } or a Q, got ${spec === null ? 'null' : typeof spec}`, { model: meta.name });
  return and(...Object.keys(spec).map((key) => parseCondition(meta, key, spec[key], annotations)));
}

function parseTree(meta: ModelMeta, tree: QTree, annotations: readonly AnnotationSpec[]): FilterNode | null {
  switch (tree.kind) {
    case 'spec':
      return parseSpec(meta, tree.spec, annotations);
    case 'and':
      return and(...tree.children.map((c) => parseTree(meta, c, annotations)));
    case 'or':
      return or(...tree.children.map((c) => parseTree(meta, c, annotations)));
    case 'not':
      return not(parseTree(meta, tree.child, annotations));
    default:
      return assertNever(tree, 'Q node');
  }
}

/** Parses what `filter()`/`exclude()` accept: Q expressions and filter objects, ANDed. */
export function parseFilterArgs(meta: ModelMeta, args: readonly (QExpression | FilterSpec)[], annotations: readonly AnnotationSpec[] = []): FilterNode | null {
  return and(...args.map((a) => (a instanceof QExpression ? parseTree(meta, a.tree, annotations) : parseSpec(meta, a, annotations))));
}

/** True when a filter tree reads an annotation anywhere (it then belongs in HAVING). */
export function usesAnnotation(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return node.children.some(usesAnnotation);
    case 'not':
      return usesAnnotation(node.child);
    case 'condition':
      return node.lhs.annotation !== undefined;
    default:
      return assertNever(node, 'filter node');
  }
}
