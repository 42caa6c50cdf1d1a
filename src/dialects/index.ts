export * from './dialect.js';
export { assertBindable, shortName } from './shared.js';
export { createSqliteDialect, sqliteFeatures } from './sqlite/index.js';
export { createPostgresDialect, postgresFeatures } from './postgres/index.js';
export { createMysqlDialect, mysqlFeatures } from './mysql/index.js';
