import { FieldError } from '../errors/index.js';
import type { Field, ForeignKeyDef, ManyToManyDef } from '../fields/index.js';
import { clip, suggestion } from '../utils/index.js';

/** Options of the `@model()` class decorator. */
export interface ModelOptions {
  /** The table name (default: snake_case of the class name). */
  table?: string;
  /** The connection alias the model reads and writes through (default: `'default'`). */
  connection?: string;
  /** Default ordering, e.g. `['-createdAt', 'name']`. */
  ordering?: readonly string[];
  /** Extra (non-unique) indexes over several fields, e.g. `[['lastName', 'firstName']]`. */
  indexes?: readonly (readonly string[])[];
  /** Unique constraints over several fields. */
  uniqueTogether?: readonly (readonly string[])[];
  /** An abstract model is not a table; concrete subclasses inherit its fields. */
  abstract?: boolean;
  /**
   * The class name this model had before a rename, for migrations (being built): they will write a rename of the
   * model (and of its table, when the table name follows the class name) instead of a drop and a create.
   */
  renamedFrom?: string;
  /**
   * Named CHECK constraints. `sql` is a boolean SQL expression over the table's columns, written by you
   * (trusted code, like `runSql` in a migration; never user input), or one expression per dialect.
   */
  checks?: readonly CheckConstraint[];
  /** `false`: migrations leave this table alone (it is created and changed outside Oxen). Default true. */
  managed?: boolean;
}

/** A named CHECK constraint of a model (`@model({ checks: [...] })`). */
export interface CheckConstraint {
  /** The constraint's name (letters, digits and `_`). */
  readonly name: string;
  /** The condition, e.g. `"age >= 0"`, or one per dialect: `{ sqlite: '...', postgres: '...', mysql: '...' }`. */
  readonly sql: string | Readonly<Partial<Record<'sqlite' | 'postgres' | 'mysql', string>>>;
}

/** The lifecycle hooks a model declares with `@PreSave()` etc.: method names, in declaration order. */
export interface ModelHooks {
  readonly preSave: readonly string[];
  readonly postSave: readonly string[];
  readonly preDelete: readonly string[];
  readonly postDelete: readonly string[];
}

/** The kinds of relation a model can have. */
export type RelationKind = 'fk' | 'o2o' | 'reverse_fk' | 'reverse_o2o' | 'm2m' | 'reverse_m2m';

/** A join table of a many-to-many relation, seen from one side. */
export interface ThroughInfo {
  readonly meta: ModelMeta;
  /** The through table's foreign key to the side the relation starts from. */
  readonly source: ForeignKeyDef;
  /** The through table's foreign key to the other side. */
  readonly target: ForeignKeyDef;
}

/** A relation, seen from the model that has the accessor. */
export interface Relation {
  readonly name: string;
  readonly kind: RelationKind;
  /** The model with the accessor. */
  readonly model: ModelMeta;
  /** The model on the other end. */
  readonly target: ModelMeta;
  /** True when the accessor yields many instances. */
  readonly many: boolean;
  /** Forward: the foreign key on `model`; reverse: the foreign key on `target`. */
  readonly fk?: ForeignKeyDef;
  /** Many-to-many: the join table. */
  readonly through?: ThroughInfo;
}

/** The class of a model, as metadata sees it (no dependency on the `Model` base class). */
export type ModelClassLike = abstract new (...args: never[]) => object;

/**
 * Everything Oxen knows about one model: table, fields, primary key, options. Read-only; exposed as
 * `Author.meta`.
 */
export class ModelMeta {
  /** The model class. */
  readonly cls: ModelClassLike;
  /** The class name. */
  readonly name: string;
  /** The table name. */
  readonly table: string;
  /** The connection alias, when the model is pinned to one. */
  readonly connection: string | undefined;
  /** Default ordering terms. */
  readonly ordering: readonly string[];
  /** Multi-field indexes. */
  readonly indexes: readonly (readonly string[])[];
  /** Multi-field unique constraints. */
  readonly uniqueTogether: readonly (readonly string[])[];
  /** Abstract models have no table. */
  readonly abstract: boolean;
  /** Every field, primary key first, then in declaration order (base classes first). */
  readonly fields: readonly Field[];
  /** The primary-key field. */
  readonly pk: Field;
  /** Lifecycle hook method names. */
  readonly hooks: ModelHooks;
  /** Fields by property name. */
  readonly fieldMap: ReadonlyMap<string, Field>;
  /** Fields by column name. */
  readonly byColumn: ReadonlyMap<string, Field>;
  /** Column names, in field order. */
  readonly columns: readonly string[];
  /** Property names, in field order. */
  readonly fieldNames: readonly string[];
  /** Many-to-many relations declared on this model. */
  readonly manyToMany: readonly ManyToManyDef[];
  /** Relations by accessor name (forward, reverse and many-to-many), filled when the registry resolves them. */
  readonly relations: Map<string, Relation> = new Map();
  /** True for join tables Oxen generated for a ManyToMany. */
  readonly autoCreated: boolean;
  /** The class name the model had before a rename (`@model({ renamedFrom })`). */
  readonly renamedFrom: string | undefined;
  /** Named CHECK constraints. */
  readonly checks: readonly CheckConstraint[];
  /** False when migrations must leave the table alone. */
  readonly managed: boolean;
  /** True for the historical models a data migration works with (not listed by the registry). */
  readonly historical: boolean;
  readonly #byAttname: ReadonlyMap<string, Field>;

  constructor(init: {
    cls: ModelClassLike;
    name: string;
    table: string;
    options: ModelOptions;
    fields: readonly Field[];
    hooks: ModelHooks;
    manyToMany?: readonly ManyToManyDef[];
    autoCreated?: boolean;
    historical?: boolean;
  }) {
    this.cls = init.cls;
    this.name = init.name;
    this.table = init.table;
    this.connection = init.options.connection;
    this.ordering = Object.freeze([...(init.options.ordering ?? [])]);
    this.indexes = Object.freeze((init.options.indexes ?? []).map((i) => Object.freeze([...i])));
    this.uniqueTogether = Object.freeze((init.options.uniqueTogether ?? []).map((i) => Object.freeze([...i])));
    this.abstract = init.options.abstract === true;
    this.fields = Object.freeze([...init.fields]);
    this.pk = init.fields.find((f) => f.primaryKey) as Field;
    this.hooks = init.hooks;
    this.fieldMap = new Map(init.fields.map((f) => [f.name, f]));
    this.byColumn = new Map(init.fields.map((f) => [f.column, f]));
    this.columns = Object.freeze(init.fields.map((f) => f.column));
    this.fieldNames = Object.freeze(init.fields.map((f) => f.name));
    this.manyToMany = Object.freeze([...(init.manyToMany ?? [])]);
    this.autoCreated = init.autoCreated === true;
    this.renamedFrom = init.options.renamedFrom;
    this.checks = Object.freeze((init.options.checks ?? []).map((c) => Object.freeze({ ...c })));
    this.managed = init.options.managed !== false;
    this.historical = init.historical === true;
    this.#byAttname = new Map(init.fields.filter((f) => f.attname !== f.name).map((f) => [f.attname, f]));
    Object.freeze(this);
  }

  /** The field named `name` (a property name, or `pk`), or a {@link FieldError} listing the valid names. */
  field(name: string): Field {
    if (name === 'pk') return this.pk;
    const f = this.fieldMap.get(name);
    if (f === undefined) {
      throw new FieldError(`Unknown field '${clip(name)}' on ${this.name}${suggestion(name, this.fieldNames)}`, { model: this.name, field: name });
    }
    return f;
  }

  /** The field named `name` (or holding the column property `name`, e.g. `authorId`), or undefined. */
  findField(name: string): Field | undefined {
    if (name === 'pk') return this.pk;
    return this.fieldMap.get(name) ?? this.#byAttname.get(name);
  }

  /** The relation named `name`, or undefined. */
  findRelation(name: string): Relation | undefined {
    return this.relations.get(name);
  }

  /** Every name a filter may start with: fields, column properties, relations, `pk`. */
  get queryNames(): string[] {
    return ['pk', ...this.fieldNames, ...this.#byAttname.keys(), ...[...this.relations.keys()].filter((r) => !this.fieldMap.has(r))];
  }
}
