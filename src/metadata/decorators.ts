import 'reflect-metadata';
import { ConfigurationError } from '../errors/index.js';
import {
  BigIntFieldDef,
  BinaryFieldDef,
  BooleanFieldDef,
  CharFieldDef,
  DateFieldDef,
  DateTimeFieldDef,
  DecimalFieldDef,
  EnumFieldDef,
  FloatFieldDef,
  IntFieldDef,
  JSONFieldDef,
  SmallIntFieldDef,
  TextFieldDef,
  TimeFieldDef,
  UUIDFieldDef,
  type CharFieldOptions,
  type DateTimeFieldOptions,
  type DecimalFieldOptions,
  type EnumLike,
  type Field,
  type FieldOptions,
  type JsonValue,
  type UUIDFieldOptions,
  ForeignKeyDef,
  ManyToManyDef,
  type ForeignKeyOptions,
  type ManyToManyOptions,
  type ModelThunk,
} from '../fields/index.js';
import { snakeCase, suggestion } from '../utils/index.js';
import { ModelMeta, type ModelClassLike, type ModelHooks, type ModelOptions } from './model-meta.js';
import { registry } from './registry.js';
import { fieldClasses, installForwardAccessor } from './relations.js';

fieldClasses.IntFieldDef = IntFieldDef;

const FIELDS_KEY = Symbol.for('oxen:fields');
const HOOKS_KEY = Symbol.for('oxen:hooks');
const M2M_KEY = Symbol.for('oxen:m2m');
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

type FieldFactory = () => Field;
type HookKind = keyof ModelHooks;

const LEGACY_DECORATORS =
  'Oxen decorators need TypeScript\'s legacy decorators: set "experimentalDecorators": true and "useDefineForClassFields": false in tsconfig.json (and make sure the file is covered by that tsconfig)';

/** TC39 (stage 3) decorators pass a context object as the second argument; legacy ones a property key. */
function refuseStandardDecorators(second: unknown): void {
  if (second !== null && typeof second === 'object' && 'kind' in second) throw new ConfigurationError(LEGACY_DECORATORS);
}

/** Records a field factory on the class prototype; the class decorator collects them. */
function fieldDecorator(factory: FieldFactory): PropertyDecorator {
  // Build once now so that bad options fail where the model is defined.
  factory();
  return (target: object, propertyKey: string | symbol) => {
    refuseStandardDecorators(propertyKey);
    if (typeof propertyKey !== 'string') throw new ConfigurationError('Field decorators work on string-named properties only');
    if (!IDENTIFIER.test(propertyKey)) {
      throw new ConfigurationError(`Field name '${propertyKey}' is not usable: use letters, digits and '_' (no '__', at most 63 characters)`);
    }
    if (propertyKey.includes('__')) {
      throw new ConfigurationError(`Field name '${propertyKey}' contains '__', which separates lookups (author__name__icontains); rename it`);
    }
    const own: Map<string, FieldFactory> = Reflect.getOwnMetadata(FIELDS_KEY, target) ?? new Map();
    own.set(propertyKey, factory);
    Reflect.defineMetadata(FIELDS_KEY, own, target);
  };
}

function hookDecorator(kind: HookKind): () => MethodDecorator {
  return () => (target: object, propertyKey: string | symbol) => {
    refuseStandardDecorators(propertyKey);
    if (typeof propertyKey !== 'string') throw new ConfigurationError('Hook decorators work on string-named methods only');
    const own: { kind: HookKind; method: string }[] = Reflect.getOwnMetadata(HOOKS_KEY, target) ?? [];
    own.push({ kind, method: propertyKey });
    Reflect.defineMetadata(HOOKS_KEY, own, target);
  };
}

/** Runs the method before every save (after validation, before the preSave listeners). */
export const PreSave = hookDecorator('preSave');
/** Runs the method after every save (before the postSave listeners). */
export const PostSave = hookDecorator('postSave');
/** Runs the method before every instance delete. */
export const PreDelete = hookDecorator('preDelete');
/** Runs the method after every instance delete. */
export const PostDelete = hookDecorator('postDelete');

/** A string of at most `maxLength` characters (VARCHAR). @example `@CharField({ maxLength: 100 }) name!: string;` */
export const CharField = (options: CharFieldOptions): PropertyDecorator => fieldDecorator(() => new CharFieldDef(options));
/** Text of any length. */
export const TextField = (options: FieldOptions<string> = {}): PropertyDecorator => fieldDecorator(() => new TextFieldDef(options));
/** A 32-bit integer (`number`). */
export const IntField = (options: FieldOptions<number> = {}): PropertyDecorator => fieldDecorator(() => new IntFieldDef(options));
/** A 64-bit integer (`bigint`). */
export const BigIntField = (options: FieldOptions<bigint> = {}): PropertyDecorator => fieldDecorator(() => new BigIntFieldDef(options));
/** A 16-bit integer (`number`). */
export const SmallIntField = (options: FieldOptions<number> = {}): PropertyDecorator => fieldDecorator(() => new SmallIntFieldDef(options));
/** A double-precision float (`number`). */
export const FloatField = (options: FieldOptions<number> = {}): PropertyDecorator => fieldDecorator(() => new FloatFieldDef(options));
/** An exact decimal (`string`, e.g. `'12.50'`). @example `@DecimalField({ maxDigits: 10, decimalPlaces: 2 }) price!: string;` */
export const DecimalField = (options: DecimalFieldOptions): PropertyDecorator => fieldDecorator(() => new DecimalFieldDef(options));
/** A boolean. */
export const BooleanField = (options: FieldOptions<boolean> = {}): PropertyDecorator => fieldDecorator(() => new BooleanFieldDef(options));
/** A `Date`, stored as UTC with milliseconds; `autoNow`/`autoNowAdd` stamp it on save/insert. */
export const DateTimeField = (options: DateTimeFieldOptions = {}): PropertyDecorator => fieldDecorator(() => new DateTimeFieldDef(options));
/** A `'YYYY-MM-DD'` string. */
export const DateField = (options: FieldOptions<string> = {}): PropertyDecorator => fieldDecorator(() => new DateFieldDef(options));
/** An `'HH:MM:SS[.ffffff]'` string. */
export const TimeField = (options: FieldOptions<string> = {}): PropertyDecorator => fieldDecorator(() => new TimeFieldDef(options));
/** A UUID string; as a primary key it is generated client-side (v4, or v7 with `version: 7`). */
export const UUIDField = (options: UUIDFieldOptions = {}): PropertyDecorator => fieldDecorator(() => new UUIDFieldDef(options));
/** Any JSON value. */
export const JSONField = (options: FieldOptions<JsonValue> = {}): PropertyDecorator => fieldDecorator(() => new JSONFieldDef(options));
/** One of an enum's values. @example `@EnumField(Color) color!: Color;` */
export const EnumField = (enumObject: EnumLike, options: FieldOptions<string | number> = {}): PropertyDecorator =>
  fieldDecorator(() => new EnumFieldDef(enumObject, options));
/** Binary data (`Buffer`). */
export const BinaryField = (options: FieldOptions<Buffer> = {}): PropertyDecorator => fieldDecorator(() => new BinaryFieldDef(options));

/**
 * A foreign key to another model: a column `<name>Id` holding its primary key, the `<name>` accessor,
 * and a reverse accessor on the target (`relatedName`).
 *
 * @example
 * ```ts
 * @ForeignKey(() => Author, { relatedName: 'books', onDelete: 'CASCADE' }) author!: Author;
 * declare authorId: number;
 * ```
 */
export const ForeignKey = (target: ModelThunk, options: ForeignKeyOptions = {}): PropertyDecorator => fieldDecorator(() => new ForeignKeyDef(target, options));

/** A unique foreign key: the reverse accessor yields one instance, not a manager. */
export const OneToOne = (target: ModelThunk, options: ForeignKeyOptions = {}): PropertyDecorator => fieldDecorator(() => new ForeignKeyDef(target, options, true));

/**
 * A many-to-many relation through an automatic join table (or `through`). The property is a
 * `RelatedManager` with `all/filter/add/remove/set/clear/create`.
 *
 * @example
 * ```ts
 * @ManyToMany(() => Tag, { relatedName: 'books' }) tags!: RelatedManager<Tag>;
 * ```
 */
export function ManyToMany(target: ModelThunk, options: ManyToManyOptions = {}): PropertyDecorator {
  new ManyToManyDef(target, options);
  return (proto: object, propertyKey: string | symbol) => {
    refuseStandardDecorators(propertyKey);
    if (typeof propertyKey !== 'string' || !IDENTIFIER.test(propertyKey) || propertyKey.includes('__')) {
      throw new ConfigurationError(`ManyToMany property '${String(propertyKey)}' is not a usable name`);
    }
    const own: Map<string, ManyToManyDef> = Reflect.getOwnMetadata(M2M_KEY, proto) ?? new Map();
    const def = new ManyToManyDef(target, options);
    def.name = propertyKey;
    own.set(propertyKey, def);
    Reflect.defineMetadata(M2M_KEY, own, proto);
  };
}

const DEFINE_SEMANTICS = (name: string, props: readonly string[]): string =>
  `${name} was compiled with "useDefineForClassFields" on (the default for "target": "ES2022" or later, and in TypeScript 7): ` +
  `its field declarations (${props.join(', ')}) become own properties that hide the relation accessors, so relations and defaults break. ` +
  `Set "useDefineForClassFields": false in tsconfig.json next to "experimentalDecorators": true (tsx and esbuild read it too), ` +
  `or declare the properties with 'declare' (declare author: Author).`;

/**
 * Under `useDefineForClassFields` every declared property (`author!: Author`) is defined on each new
 * instance as an own property holding undefined, hiding the accessors Oxen installs on the prototype.
 * One throw-away instance shows it: without define semantics the declarations emit nothing.
 */
function refuseDefineSemantics(cls: ModelClassLike, name: string, props: readonly string[]): void {
  let probe: object;
  try {
    probe = new (cls as unknown as new () => object)();
  } catch {
    return; // a constructor that needs arguments: nothing to learn here
  }
  const shadowing = props.filter((p) => Object.prototype.hasOwnProperty.call(probe, p) && (probe as Record<string, unknown>)[p] === undefined);
  if (shadowing.length > 0) throw new ConfigurationError(DEFINE_SEMANTICS(name, shadowing));
}

const MODEL_OPTIONS = ['table', 'connection', 'ordering', 'indexes', 'uniqueTogether', 'abstract', 'renamedFrom', 'checks', 'managed'];
const CHECK_DIALECTS = ['sqlite', 'postgres', 'mysql'];

/**
 * Marks a model built by a data migration from the migration state (a historical model): it may share its
 * table with a live model, and `registry.models()` does not list it. Internal to Oxen.
 */
export const HISTORICAL_MODEL = Symbol.for('oxen:historical-model');

function checkChecks(name: string, checks: unknown): void {
  if (checks === undefined) return;
  if (!Array.isArray(checks)) throw new ConfigurationError(`${name}: @model({ checks }) takes a list: [{ name: 'age_positive', sql: 'age >= 0' }]`);
  const seen = new Set<string>();
  for (const c of checks as unknown[]) {
    const check = c as { name?: unknown; sql?: unknown };
    if (check === null || typeof check !== 'object' || typeof check.name !== 'string' || !IDENTIFIER.test(check.name)) {
      throw new ConfigurationError(`${name}: each check needs a name of letters, digits and '_' (at most 63 characters): { name: 'age_positive', sql: 'age >= 0' }`);
    }
    if (seen.has(check.name)) throw new ConfigurationError(`${name}: two checks are named '${check.name}'`);
    seen.add(check.name);
    const sqlText = check.sql;
    const valid =
      (typeof sqlText === 'string' && sqlText.trim() !== '') ||
      (sqlText !== null &&
        typeof sqlText === 'object' &&
        Object.keys(sqlText).length > 0 &&
        Object.entries(sqlText).every(([k, v]) => CHECK_DIALECTS.includes(k) && typeof v === 'string' && v.trim() !== ''));
    if (!valid) {
      throw new ConfigurationError(`${name}: check '${check.name}' needs sql: a condition such as 'age >= 0', or one per dialect { sqlite, postgres, mysql }`);
    }
  }
}

/** The prototype chain from the root-most class down to `cls` (base classes first). */
function chain(cls: ModelClassLike): object[] {
  const protos: object[] = [];
  for (let p = cls.prototype as object | null; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    protos.unshift(p);
  }
  return protos;
}

function checkFieldList(meta: { name: string; fieldNames: readonly string[] }, lists: readonly (readonly string[])[], option: string): void {
  for (const list of lists) {
    if (!Array.isArray(list) || list.length === 0) throw new ConfigurationError(`${meta.name}: @model({ ${option} }) takes lists of field names, e.g. [['a', 'b']]`);
    for (const name of list) {
      if (!meta.fieldNames.includes(name)) {
        throw new ConfigurationError(`${meta.name}: unknown field '${name}' in @model({ ${option} })${suggestion(name, meta.fieldNames)}`);
      }
    }
  }
}

/**
 * Registers a class as a model. Field decorators on the class (and on abstract base models) become
 * its fields; a model without a primary key gets an auto-incrementing `id`.
 *
 * @example
 * ```ts
 * @model({ table: 'authors', ordering: ['name'] })
 * class Author extends Model {
 *   @CharField({ maxLength: 100 }) name!: string;
 * }
 * ```
 */
export function model(options: ModelOptions = {}): <C extends ModelClassLike>(cls: C) => C {
  for (const key of Object.keys(options)) {
    if (!MODEL_OPTIONS.includes(key)) throw new ConfigurationError(`Unknown @model() option '${key}'${suggestion(key, MODEL_OPTIONS)}`);
  }
  return <C extends ModelClassLike>(cls: C, ...rest: unknown[]): C => {
    refuseStandardDecorators(rest[0]);
    const name = cls.name;
    const table = options.table ?? snakeCase(name);
    checkChecks(name, options.checks);
    if (options.renamedFrom !== undefined && (typeof options.renamedFrom !== 'string' || !IDENTIFIER.test(options.renamedFrom))) {
      throw new ConfigurationError(`${name}: @model({ renamedFrom }) takes the class name the model had before`);
    }
    if (!IDENTIFIER.test(table)) {
      throw new ConfigurationError(`${name}: table name '${table}' is not usable; use letters, digits and '_' (at most 63 characters)`);
    }
    const factories = new Map<string, FieldFactory>();
    const manyToMany = new Map<string, ManyToManyDef>();
    const hooks: Record<HookKind, string[]> = { preSave: [], postSave: [], preDelete: [], postDelete: [] };
    for (const proto of chain(cls)) {
      const own: Map<string, FieldFactory> | undefined = Reflect.getOwnMetadata(FIELDS_KEY, proto);
      if (own !== undefined) for (const [prop, factory] of own) factories.set(prop, factory);
      const ownM2m: Map<string, ManyToManyDef> | undefined = Reflect.getOwnMetadata(M2M_KEY, proto);
      if (ownM2m !== undefined) {
        for (const [prop, def] of ownM2m) {
          const copy = new ManyToManyDef(def.target, def.options);
          copy.name = prop;
          copy.modelName = name;
          manyToMany.set(prop, copy);
        }
      }
      const ownHooks: { kind: HookKind; method: string }[] | undefined = Reflect.getOwnMetadata(HOOKS_KEY, proto);
      if (ownHooks !== undefined) for (const h of ownHooks) if (!hooks[h.kind].includes(h.method)) hooks[h.kind].push(h.method);
    }
    const fields: Field[] = [];
    for (const [prop, factory] of factories) {
      const field = factory();
      field.attach(name, prop);
      fields.push(field);
    }
    const pks = fields.filter((f) => f.primaryKey);
    if (pks.length > 1) {
      throw new ConfigurationError(`${name} has several primary keys (${pks.map((f) => f.name).join(', ')}); declare at most one`);
    }
    if (pks.length === 1 && pks[0].nullable) throw new ConfigurationError(`${name}.${pks[0].name}: a primary key cannot be null`);
    if (pks.length === 0) {
      if (factories.has('id')) throw new ConfigurationError(`${name}.id is declared but is not the primary key; mark it { primaryKey: true } or rename it`);
      const id = new IntFieldDef();
      id.autoIncrement = true;
      id.attach(name, 'id');
      fields.unshift(id);
    } else {
      fields.splice(fields.indexOf(pks[0]), 1);
      fields.unshift(pks[0]);
    }
    const columns = new Set<string>();
    for (const f of fields) {
      if (columns.has(f.column)) throw new ConfigurationError(`${name}: two fields use the column '${f.column}'`);
      columns.add(f.column);
    }
    for (const prop of manyToMany.keys()) if (factories.has(prop)) throw new ConfigurationError(`${name}.${prop} is declared twice`);
    if (options.abstract !== true) refuseDefineSemantics(cls, name, [...factories.keys(), ...manyToMany.keys()]);
    const historical = (options as { [HISTORICAL_MODEL]?: boolean })[HISTORICAL_MODEL] === true;
    const meta = new ModelMeta({ cls, name, table, options, fields, hooks, manyToMany: [...manyToMany.values()], historical });
    checkFieldList(meta, meta.indexes, 'indexes');
    checkFieldList(meta, meta.uniqueTogether, 'uniqueTogether');
    for (const term of meta.ordering) {
      const field = term.startsWith('-') ? term.slice(1) : term;
      if (!meta.fieldNames.includes(field)) throw new ConfigurationError(`${name}: unknown field '${field}' in @model({ ordering })${suggestion(field, meta.fieldNames)}`);
    }
    registry.register(meta);
    if (!meta.abstract) {
      for (const field of fields) {
        if (field instanceof ForeignKeyDef) {
          installForwardAccessor(meta, field, () => {
            const relation = registry.get(cls).findRelation(field.name);
            return relation?.target;
          });
        }
      }
    }
    return cls;
  };
}
