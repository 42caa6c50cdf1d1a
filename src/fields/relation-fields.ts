import { ConfigurationError } from '../errors/index.js';
import { Field, type FieldKind, type FieldOptions } from './field.js';

/** What happens to referencing rows when the referenced row is deleted. */
export type OnDelete = 'CASCADE' | 'SET_NULL' | 'RESTRICT' | 'SET_DEFAULT' | 'NO_ACTION';

/** A lazy reference to a model class: `() => Author` (allows cycles and forward references). */
export type ModelThunk = () => abstract new (...args: never[]) => object;

/** Options of `@ForeignKey` and `@OneToOne`. */
export interface ForeignKeyOptions extends Omit<FieldOptions<unknown>, 'choices' | 'min' | 'max'> {
  /** The name of the reverse accessor on the target (default: `bookSet` for a ForeignKey on Book; `book` for a OneToOne). */
  relatedName?: string;
  /** What deleting the target does to this row (default `'CASCADE'`). */
  onDelete?: OnDelete;
}

/** A function that returns the class, not the class itself (calling a class without `new` throws). */
function isThunk(target: unknown): boolean {
  return typeof target === 'function' && !/^class[\s{]/.test(Function.prototype.toString.call(target));
}

function targetName(target: unknown): string {
  return typeof target === 'function' && target.name !== '' ? target.name : 'Model';
}

const ON_DELETE: readonly OnDelete[] = ['CASCADE', 'SET_NULL', 'RESTRICT', 'SET_DEFAULT', 'NO_ACTION'];

/**
 * A foreign key: a column holding the target's primary key (property `<name>Id`), plus the `<name>`
 * accessor for the related instance. Its storage kind is the target primary key's, known once the
 * lazy target is resolved.
 */
export class ForeignKeyDef extends Field<unknown> {
  readonly isRelation = true as const;
  readonly target: ModelThunk;
  readonly oneToOne: boolean;
  readonly onDelete: OnDelete;
  readonly relatedName: string | undefined;
  #targetPk: Field | undefined;

  constructor(target: ModelThunk, options: ForeignKeyOptions = {}, oneToOne = false) {
    super(options as FieldOptions<unknown> & Record<string, unknown>, ['relatedName', 'onDelete']);
    if (!isThunk(target)) throw new ConfigurationError(`ForeignKey/OneToOne take a lazy target: ForeignKey(() => ${targetName(target)}, { ... })`);
    if (options.onDelete !== undefined && !ON_DELETE.includes(options.onDelete)) {
      throw new ConfigurationError(`onDelete must be one of ${ON_DELETE.join(', ')}, got '${String(options.onDelete)}'`);
    }
    if (options.onDelete === 'SET_NULL' && options.null !== true) throw new ConfigurationError("onDelete: 'SET_NULL' needs { null: true }");
    if (options.onDelete === 'SET_DEFAULT' && options.default === undefined) throw new ConfigurationError("onDelete: 'SET_DEFAULT' needs a default");
    if (options.relatedName !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.relatedName)) {
      throw new ConfigurationError(`relatedName '${options.relatedName}' is not a usable property name`);
    }
    this.target = target;
    this.oneToOne = oneToOne;
    this.onDelete = options.onDelete ?? 'CASCADE';
    this.relatedName = options.relatedName;
  }

  override attach(modelName: string, name: string): void {
    super.attach(modelName, name);
    this.attname = `${name}Id`;
    this.column = this.options.column ?? this.attname;
  }

  /** Records the target's primary key once the target is resolved. */
  resolve(targetPk: Field): void {
    this.#targetPk = targetPk;
  }

  /** True once the lazy target was resolved. */
  get resolved(): boolean {
    return this.#targetPk !== undefined;
  }

  /** The target's primary-key field. */
  get targetPk(): Field {
    if (this.#targetPk === undefined) {
      throw new ConfigurationError(`The target of ${this.modelName}.${this.name} is not resolved yet: is the related model defined and decorated with @model()?`);
    }
    return this.#targetPk;
  }

  /** The target primary key: its column type (length, precision, enum values) is this column's. */
  override get storage(): Field {
    return this.targetPk.storage;
  }

  /** The storage kind of the column: the target primary key's. */
  get kind(): FieldKind {
    return this.targetPk.kind;
  }

  override get unique(): boolean {
    return this.oneToOne || this.options.unique === true;
  }

  clean(value: unknown): unknown {
    return this.targetPk.clean(value);
  }
}

/** Options of `@ManyToMany`. */
export interface ManyToManyOptions {
  /** The reverse accessor on the target (default `<model>Set`, e.g. `bookSet`). */
  relatedName?: string;
  /** A model with two foreign keys (to this model and to the target) to use as the join table. */
  through?: ModelThunk;
  /** The join table's name when Oxen creates it (default `<table>_<name>`). */
  table?: string;
}

/** A many-to-many relation: no column; a join table (automatic or `through`). */
export class ManyToManyDef {
  readonly target: ModelThunk;
  readonly options: Readonly<ManyToManyOptions>;
  name = '';
  modelName = '';
  constructor(target: ModelThunk, options: ManyToManyOptions = {}) {
    if (!isThunk(target)) throw new ConfigurationError(`ManyToMany takes a lazy target: ManyToMany(() => ${targetName(target)}, { ... })`);
    for (const key of Object.keys(options)) {
      if (!['relatedName', 'through', 'table'].includes(key)) throw new ConfigurationError(`Unknown ManyToMany option '${key}'; valid: relatedName, through, table`);
    }
    this.target = target;
    this.options = Object.freeze({ ...options });
  }
}
