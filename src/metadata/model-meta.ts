import { FieldError } from '../errors/index.js';
import type { Field } from '../fields/index.js';
import { suggestion } from '../utils/index.js';

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
}

/** The lifecycle hooks a model declares with `@PreSave()` etc.: method names, in declaration order. */
export interface ModelHooks {
  readonly preSave: readonly string[];
  readonly postSave: readonly string[];
  readonly preDelete: readonly string[];
  readonly postDelete: readonly string[];
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

  constructor(init: {
    cls: ModelClassLike;
    name: string;
    table: string;
    options: ModelOptions;
    fields: readonly Field[];
    hooks: ModelHooks;
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
    Object.freeze(this);
  }

  /** The field named `name` (a property name, or `pk`), or a {@link FieldError} listing the valid names. */
  field(name: string): Field {
    if (name === 'pk') return this.pk;
    const f = this.fieldMap.get(name);
    if (f === undefined) {
      throw new FieldError(`Unknown field '${name}' on ${this.name}${suggestion(name, this.fieldNames)}`, { model: this.name, field: name });
    }
    return f;
  }

  /** The field named `name`, or undefined. */
  findField(name: string): Field | undefined {
    if (name === 'pk') return this.pk;
    return this.fieldMap.get(name);
  }
}
