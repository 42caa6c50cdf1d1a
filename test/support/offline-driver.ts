/**
 * Dialect drivers that never contact a server: created from each dialect's factory with a config whose
 * pools connect lazily, so SQL can be compiled (and compared) without a database. A new driver also
 * has an empty compiled-statement cache, which makes it the reference for "a fresh compile".
 */
import { createMysqlDialect, createPostgresDialect, createSqliteDialect, type DialectDriver, type DialectName, type DriverConfig } from '../../src/dialects/index.js';

const FACTORIES = { sqlite: createSqliteDialect, postgres: createPostgresDialect, mysql: createMysqlDialect };

/** A driver config for a server that is never contacted. */
export function offlineConfig(dialect: DialectName): DriverConfig {
  return {
    dialect,
    filename: ':memory:',
    host: '127.0.0.1',
    port: 1,
    database: 'offline',
    params: {},
    pool: { min: 0, max: 1, acquireTimeoutMs: 1000, idleTimeoutMs: 1000, maxLifetimeMs: 0 },
    readOnly: false,
    onBackgroundError: () => undefined,
  };
}

/** A new driver of `dialect` that never connects. */
export function offlineDriver(dialect: DialectName): Promise<DialectDriver> {
  return FACTORIES[dialect](offlineConfig(dialect));
}
