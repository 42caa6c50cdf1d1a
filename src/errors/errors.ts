/**
 * The Oxen error tree. Every error the ORM throws is an {@link OxenError}; driver errors of the three
 * databases are mapped into this tree once, at the engine boundary, with the original kept as `cause`.
 *
 * @module
 */

/** What an error knows about where it happened. Every member is optional. */
export interface OxenErrorContext {
  /** The model class name involved, e.g. `'Author'`. */
  readonly model?: string;
  /** The field (property) name involved, e.g. `'email'`. */
  readonly field?: string;
  /** The SQL statement that failed, as sent to the database. */
  readonly sql?: string;
  /** The statement's parameters, redacted: each value is replaced by a description of its type. */
  readonly parameters?: readonly string[];
  /** The original error (a driver error, a validator error, ...). */
  readonly cause?: unknown;
  /** A write lost its connection before the server's answer: it may or may not have been applied. */
  readonly outcomeUnknown?: boolean;
}

/**
 * The root of every error Oxen throws.
 *
 * @example
 * ```ts
 * try { await Author.create({ name: 'Ann' }); }
 * catch (e) { if (e instanceof OxenError) console.error(e.message, e.sql); }
 * ```
 */
export class OxenError extends Error {
  /** The model class name involved, where known. */
  readonly model?: string;
  /** The field involved, where known. */
  readonly field?: string;
  /** The failed SQL, where a statement was sent. */
  readonly sql?: string;
  /** The failed statement's parameters, redacted (types only, never values). */
  readonly parameters?: readonly string[];

  constructor(message: string, context: OxenErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    if (context.model !== undefined) this.model = context.model;
    if (context.field !== undefined) this.field = context.field;
    if (context.sql !== undefined) this.sql = context.sql;
    if (context.parameters !== undefined) this.parameters = context.parameters;
  }
}

/** A bad connection URL, an unknown option, a malformed model definition: fix the configuration. */
export class ConfigurationError extends OxenError {}

/**
 * The database could not be reached, a connection could not be acquired in time, or the connection was
 * lost (or given up after its statement deadline) while a statement ran.
 */
export class ConnectionError extends OxenError {
  /**
   * True when the connection was lost while a write was pending outside a transaction (or during
   * COMMIT): the server may have applied it or not. Read the row back before retrying a write that is
   * not idempotent. Absent when nothing can have been written (a read, or a transaction that was
   * still open: the server rolls it back).
   */
  readonly outcomeUnknown?: true;

  constructor(message: string, context: OxenErrorContext = {}) {
    super(message, context);
    if (context.outcomeUnknown === true) this.outcomeUnknown = true;
  }
}

/** Per-field validation messages: `{ email: ['must be an email'] }`. */
export type ValidationErrors = Record<string, string[]>;

/**
 * A value failed validation before anything was sent to the database. `errors` lists every failing
 * field with its messages.
 */
export class ValidationError extends OxenError {
  /** Every failing field with its messages. */
  readonly errors: ValidationErrors;

  constructor(message: string, errors: ValidationErrors, context: OxenErrorContext = {}) {
    super(message, context);
    this.errors = errors;
  }

  /** Builds the error with a message that lists every failing field. */
  static of(modelName: string, errors: ValidationErrors): ValidationError {
    const parts = Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join('; ')}`);
    return new ValidationError(`${modelName} is not valid: ${parts.join(' | ')}`, errors, { model: modelName });
  }
}

/** Which database constraint an {@link IntegrityError} reports. */
export type IntegrityErrorKind = 'unique' | 'foreign_key' | 'not_null' | 'check';

/** Extra detail for an {@link IntegrityError}. */
export interface IntegrityErrorDetails extends OxenErrorContext {
  readonly kind: IntegrityErrorKind;
  readonly constraint?: string;
  readonly columns?: readonly string[];
}

/** The database rejected a write because of a constraint (unique, foreign key, not null, check). */
export class IntegrityError extends OxenError {
  /** Which kind of constraint failed. */
  readonly kind: IntegrityErrorKind;
  /** The constraint's name, where the database reports it. */
  readonly constraint?: string;
  /** The columns involved, where the database reports them. */
  readonly columns?: readonly string[];

  constructor(message: string, details: IntegrityErrorDetails) {
    super(message, details);
    this.kind = details.kind;
    if (details.constraint !== undefined) this.constraint = details.constraint;
    if (details.columns !== undefined) this.columns = details.columns;
  }
}

/** `get()` found no row. Each model has its own subclass: `Author.DoesNotExist`. */
export class DoesNotExist extends OxenError {}

/** `get()` found more than one row. Each model has its own subclass: `Author.MultipleObjectsReturned`. */
export class MultipleObjectsReturned extends OxenError {}

/** An unknown field, lookup or identifier was used in a query. The message lists the valid names. */
export class FieldError extends OxenError {}

/** A relation was read before it was loaded; the message says how to load it. */
export class RelationNotLoadedError extends OxenError {}

/** The database failed to run a statement for a reason other than a constraint (syntax, timeout, lock, lost connection). */
export class OperationalError extends OxenError {}

/** A transaction could not be started, committed or rolled back, or was used wrongly. */
export class TransactionError extends OxenError {}

/**
 * A migration could not be made, applied or rolled back: a refusal (a change that needs an answer the
 * command could not ask for, an irreversible migration), an edited applied file, or an operation that
 * failed. The message names the migration file, the operation and the fix.
 */
export class MigrationError extends OxenError {}
/** The N+1 detector (`nPlusOne: 'raise'`) found a relation loaded once per instance of one result; the message names the fix. */
export class NPlusOneError extends OxenError {}
