/**
 * Oxen: an active-record ORM for TypeScript with Django-style models, QuerySets and signals over
 * SQLite, PostgreSQL and MySQL/MariaDB, built on Kysely.
 *
 * @packageDocumentation
 */
export * from './errors/index.js';
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
  type ConnectOptions,
  type ConnectionSpec,
  type PoolOptions,
  type OxenLogger,
  type LogFunction,
  type ConnectionMetrics,
  type ParsedUrl,
  type TransactionOptions,
  type TransactionContext,
  type IsolationLevel,
} from './engine/index.js';
export type { DialectName, DialectFeatures } from './dialects/index.js';
export type { LatencySummary } from './engine/monitor.js';
