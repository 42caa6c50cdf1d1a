import type { DialectDriver } from '../../dialects/index.js';
import type { DecimalFieldDef, Field } from '../../fields/index.js';
import type { AnnotationSpec } from '../filter/index.js';
import { NO_SIBLINGS, SIBLINGS, type ModelMeta } from '../../metadata/index.js';
import { LOADED_FROM, PERSISTED } from './state.js';

type Converter = ((value: unknown) => unknown) | null;

/**
 * Everything needed to move one model's values across one dialect's driver, computed once per
 * (dialect, model): converters (identity ones are null and skipped) and the hydration function.
 */
export interface ModelPlan {
  readonly meta: ModelMeta;
  /** Per field, in `meta.fields` order: JS → driver, or null for identity. */
  readonly toDb: readonly Converter[];
  /** Per field: driver → JS, or null for identity. */
  readonly fromDb: readonly Converter[];
  /** Converts one JS value of `field` for the driver (null stays null). */
  valueToDb(field: Field, value: unknown): unknown;
  /** The JS → driver converter of `field`, or null for identity. */
  toDbOf(field: Field): Converter;
  /** Turns a row keyed by column names into a model instance, without running constructors. */
  hydrate(row: Record<string, unknown>, alias: string): object;
  /** Like `hydrate`, from a row read as an array (the model's fields in declaration order). */
  hydrateArray(row: readonly unknown[], alias: string): object;
  /** Like `hydrate`, reading the fields from the given row keys (in field order). */
  hydrateWith(row: Record<string, unknown>, keys: readonly string[], alias: string): object;
  /** Converts a row keyed by column names into JS values keyed by property names (for values()). */
  convertValue(field: Field, value: unknown): unknown;
}

const plans = new WeakMap<DialectDriver, WeakMap<ModelMeta, ModelPlan>>();

type Hydrator = new (row: Record<string, unknown> | readonly unknown[], alias: string) => object;

/**
 * A constructor generated per (dialect, model) that copies one row into an instance: property names,
 * row keys and converters are fixed in its code, so every instance gets the same hidden class with its
 * properties in-object, and identity converters cost nothing. Its prototype is the model's, so the
 * instances are the model's instances (`instanceof`, `constructor`, methods and accessors) and no
 * model constructor runs. Names enter the code only as JSON string literals.
 */
function generateHydrator(keys: readonly (string | number)[], props: readonly string[], fromDb: readonly Converter[], proto: object): Hydrator {
  const lines: string[] = [];
  for (let i = 0; i < keys.length; i++) {
    const read = `v = row[${JSON.stringify(keys[i])}];`;
    const value = fromDb[i] === null ? 'v' : `c${i}(v)`;
    lines.push(`${read} this[${JSON.stringify(props[i])}] = v === null || v === undefined ? null : ${value};`);
  }
  const converters = fromDb.map((c, i) => (c === null ? '' : `const c${i} = converters[${i}];`)).join('\n');
  const body = `${converters}
function Hydrated(row, alias) {
  let v;
  ${lines.join('\n  ')}
  this[PERSISTED] = true;
  this[LOADED_FROM] = alias;
  this[SIBLINGS] = NO_SIBLINGS;
}
return Hydrated;`;
  // Generated from metadata only; every name is a JSON string literal in the code.
  const hydrator = new Function('converters', 'PERSISTED', 'LOADED_FROM', 'SIBLINGS', 'NO_SIBLINGS', body)(fromDb, PERSISTED, LOADED_FROM, SIBLINGS, NO_SIBLINGS) as Hydrator & {
    prototype: object;
  };
  hydrator.prototype = proto;
  return hydrator;
}

function buildPlan(driver: DialectDriver, meta: ModelMeta): ModelPlan {
  const adapters = new Map(meta.fields.map((f) => [f, driver.adapter(f)]));
  const toDb = meta.fields.map((f) => adapters.get(f)?.toDb ?? null);
  const fromDb = meta.fields.map((f) => adapters.get(f)?.fromDb ?? null);
  const columns = meta.columns;
  const props = meta.fields.map((f) => f.attname);
  const proto = meta.cls.prototype as object;
  const n = columns.length;
  const Hydrated = generateHydrator(columns, props, fromDb, proto);
  const HydratedFromArray = generateHydrator(columns.map((_, i) => i), props, fromDb, proto);
  return {
    meta,
    toDb,
    fromDb,
    valueToDb(field, value) {
      if (value === null || value === undefined) return null;
      const convert = this.toDbOf(field);
      return convert === null ? value : convert(value);
    },
    toDbOf(field) {
      return (adapters.get(field) ?? driver.adapter(field)).toDb;
    },
    convertValue(field, value) {
      if (value === null || value === undefined) return null;
      const convert = adapters.get(field)?.fromDb ?? driver.adapter(field).fromDb;
      return convert === null ? value : convert(value);
    },
    hydrate(row, alias) {
      return new Hydrated(row, alias);
    },
    hydrateArray(row, alias) {
      return new HydratedFromArray(row, alias);
    },
    hydrateWith(row, keys, alias) {
      const instance = Object.create(proto) as Record<string | symbol, unknown>;
      for (let i = 0; i < n; i++) {
        const v = row[keys[i]];
        const convert = fromDb[i];
        instance[props[i]] = v === null || v === undefined ? null : convert === null ? v : convert(v);
      }
      instance[PERSISTED] = true;
      instance[LOADED_FROM] = alias;
      instance[SIBLINGS] = NO_SIBLINGS;
      return instance;
    },
  };
}

/** The plan for `meta` on `driver`'s dialect (computed once, then cached). */
export function planFor(driver: DialectDriver, meta: ModelMeta): ModelPlan {
  let byMeta = plans.get(driver);
  if (byMeta === undefined) {
    byMeta = new WeakMap();
    plans.set(driver, byMeta);
  }
  let plan = byMeta.get(meta);
  if (plan === undefined) {
    plan = buildPlan(driver, meta);
    byMeta.set(meta, plan);
  }
  return plan;
}

/** Converts an aggregate's database value to its documented JS type (see `Aggregate`). */
export function convertAggregate(spec: AnnotationSpec, value: unknown, convert: (field: Field, value: unknown) => unknown): unknown {
  if (value === null || value === undefined) return spec.fn === 'count' ? 0 : null;
  switch (spec.fn) {
    case 'count':
      return Number(value);
    case 'min':
    case 'max':
      if (spec.expression !== undefined) {
        // An expression's value: the driver's type for the expression, not a column's.
        if (spec.result.kind === 'decimal') return (spec.result as DecimalFieldDef).format(value as string | number);
        return spec.result.kind === 'bigint' ? BigInt(String(value).split('.')[0]) : Number(value);
      }
      return spec.source === null ? value : convert(spec.source, value);
    case 'sum':
    case 'avg':
      if (spec.result.kind === 'decimal') return (spec.result as DecimalFieldDef).format(value as string | number);
      if (spec.fn === 'sum' && spec.source?.kind === 'bigint') return BigInt(String(value).split('.')[0]);
      return Number(value);
    default:
      return value;
  }
}
