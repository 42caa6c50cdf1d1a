/**
 * Oxen: an active-record ORM for TypeScript with Django-style models, QuerySets and signals over
 * SQLite, PostgreSQL and MySQL/MariaDB, built on Kysely.
 *
 * @packageDocumentation
 */

export * from './errors/index.js';

// Connections and transactions
export {
  connect,
  getConnection,
  closeAll,
  disconnect,
  listConnections,
  defaultUrl,
  parseUrl,
  transaction,
  onCommit,
  inTransaction,
  Connection,
  DEADLINE_GRACE_MS,
  type ConnectOptions,
  type ConnectionSpec,
  type PoolOptions,
  type OxenLogger,
  type LogFunction,
  type ConnectionMetrics,
  type ParsedUrl,
  type TransactionOptions,
  type TransactionContext,
  type TransactionCallback,
  type IsolationLevel,
} from './engine/index.js';
export type { LatencySummary } from './engine/monitor.js';
export { MESSAGE_INPUT_LIMIT } from './utils/index.js';
export { detector, metricsText, LatencySketch, NPlusOneDetector, type NPlusOneFinding, type NPlusOneMode, type NPlusOneOption, type LogOption, type StatementEntry, type StatementLogFunction } from './engine/index.js';
export type { DialectName, DialectFeatures } from './dialects/index.js';

// Models and fields
export { Model, RelatedManager, type ModelStatic } from './model/index.js';
export {
  model,
  registry,
  ModelMeta,
  type ModelClassLike,
  type RegisteredModel,
  CharField,
  TextField,
  IntField,
  BigIntField,
  SmallIntField,
  FloatField,
  DecimalField,
  BooleanField,
  DateTimeField,
  DateField,
  TimeField,
  UUIDField,
  JSONField,
  EnumField,
  BinaryField,
  ForeignKey,
  OneToOne,
  ManyToMany,
  PreSave,
  PostSave,
  PreDelete,
  PostDelete,
  type ModelOptions,
  type CheckConstraint,
  type ModelHooks,
  type Relation,
  type RelationKind,
  type ThroughInfo,
} from './metadata/index.js';
export {
  Field,
  InvalidValue,
  CharFieldDef,
  TextFieldDef,
  IntFieldDef,
  BigIntFieldDef,
  SmallIntFieldDef,
  FloatFieldDef,
  DecimalFieldDef,
  BooleanFieldDef,
  DateTimeFieldDef,
  DateFieldDef,
  TimeFieldDef,
  UUIDFieldDef,
  JSONFieldDef,
  EnumFieldDef,
  BinaryFieldDef,
  ForeignKeyDef,
  ManyToManyDef,
  type ForeignKeyOptions,
  type ManyToManyOptions,
  type OnDelete,
  type ModelThunk,
  type FieldKind,
  type FieldOptions,
  type FieldDefault,
  type CharFieldOptions,
  type DecimalFieldOptions,
  type DateTimeFieldOptions,
  type UUIDFieldOptions,
  type JsonValue,
  type EnumLike,
} from './fields/index.js';

// Querying
export { QuerySet, Q, F, type FilterArg, type PrefetchArg } from './query/queryset/index.js';
export type * from './query/queryset/types.js';
export type { FilterOf, OrderKey, CreateInput, UpdateInput, Page, FieldNames, LookupsOf, LookupValue, ValueKey, ValueOf, ValuesRow, Annotated, AnnotationValue, ScalarFieldNames, ForwardRelationNames, ManyRelationNames, PkOf } from './query/queryset/index.js';
export { QExpression, FExpression, type FOperand, type QTree, Aggregate, Count, Sum, Avg, Min, Max, type FilterSpec, type AggregateFunction, type AggregateOptions, type AggregateSource, type AnnotationSpec } from './query/filter/index.js';
export { registerLookup, lookupNames, type Lookup, type LookupInput } from './query/lookups/index.js';
export type { Predicate, FilterNode, LhsPath, Operand, TransformName, ExpressionNode, ComparisonOperator, ArithmeticOperator } from './query/filter/index.js';

// Persistence and signals
export type { SaveOptions, DeleteOptions, BulkCreateOptions, BulkUpdateOptions } from './persistence/index.js';
export {
  signals,
  preSave,
  postSave,
  preDelete,
  postDelete,
  Signal,
  type SaveSignalPayload,
  type DeleteSignalPayload,
  type SignalErrorEvent,
  type SignalHandler,
  type Sender,
} from './signals/index.js';

// Schema
export { syncSchema, dropSchema, type SchemaOptions, type SyncResult, type SchemaDrift } from './schema/index.js';
/**
 * Kysely's `sql` template tag, re-exported so that raw SQL needs no direct kysely import: values are
 * bound, `sql.ref`/`sql.table` quote identifiers. Run it with `getConnection().kysely` or `tx.kysely`.
 *
 * @example
 * ```ts
 * import { sql, getConnection } from 'oxen-orm';
 * const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table('authors')}`.execute(getConnection().kysely);
 * ```
 */
export { sql } from 'kysely';
