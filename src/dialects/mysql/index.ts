import { CompiledQuery, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, sql, type Dialect as KyselyDialect, type Kysely } from 'kysely';
import type { IntegrityErrorKind } from '../../errors/index.js';
import type { CharFieldDef, DecimalFieldDef, EnumFieldDef, Field } from '../../fields/index.js';
import { assertNever } from '../../utils/index.js';
import type { DialectDriver, DialectFactory, DialectFeatures, DriverConfig, MappedError, ValueAdapter } from '../dialect.js';
import { createMysqlSql } from './sql-overrides.js';
import { OxenMysqlDriver } from './mysql-driver.js';
import { IDENTITY, assertBindable, intToBoolean, isNetworkError, jsonFromText, jsonToDb, loadDriver, rewritePlaceholders, timeFromDb, toBigInt } from '../shared.js';
import { mysqlSchemaDdl } from './schema-ddl.js';

/** MySQL's and MariaDB's capabilities (the subset both share). */
export const mysqlFeatures: DialectFeatures = Object.freeze({
  supportsReturning: false,
  transactionalDdl: false,
  supportsIsolationLevels: true,
  supportsSelectForUpdate: true,
  maxParameters: 65535,
  singleConnection: false,
  alterTableAddsForeignKeys: true,
  insertIdOfOneRow: true,
});

/** Strict writes (no silent truncation), no zero dates, UTC session time. */
const SESSION_SETUP =
  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'";

function columnType(declared: Field): string {
  const field = declared.storage; // a foreign key's column is typed like the target's primary key
  const kind = field.kind;
  switch (kind) {
    case 'char':
      return `varchar(${(field as CharFieldDef).maxLength})`;
    case 'text':
      return 'longtext';
    case 'int':
      return 'int';
    case 'smallint':
      return 'smallint';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'double';
    case 'decimal': {
      const d = field as DecimalFieldDef;
      return `decimal(${d.maxDigits}, ${d.decimalPlaces})`;
    }
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'datetime(3)';
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'uuid':
      return 'char(36)';
    case 'json':
      return 'json';
    case 'enum':
      return (field as EnumFieldDef).numeric ? 'int' : 'varchar(255)';
    case 'binary':
      return 'longblob';
    default:
      return assertNever(kind, 'field kind');
  }
}

function adapter(field: Field): ValueAdapter {
  const kind = field.kind;
  switch (kind) {
    case 'boolean':
      return { toDb: null, fromDb: intToBoolean };
    case 'json':
      return { toDb: jsonToDb, fromDb: jsonFromText };
    case 'bigint':
      return { toDb: null, fromDb: toBigInt };
    case 'time':
      return { toDb: null, fromDb: timeFromDb };
    case 'char':
    case 'text':
    case 'int':
    case 'smallint':
    case 'float':
    case 'decimal': // DECIMAL(p, s) reads back as a string with exactly s decimals
    case 'datetime': // DATETIME(3) read and written in UTC (timezone 'Z')
    case 'date': // dateStrings: ['DATE']
    case 'uuid':
    case 'enum':
    case 'binary':
      return IDENTITY;
    default:
      return assertNever(kind, 'field kind');
  }
}

const CONSTRAINT_KINDS: Record<number, IntegrityErrorKind> = {
  1062: 'unique',
  1586: 'unique',
  1048: 'not_null',
  1364: 'not_null',
  1451: 'foreign_key',
  1452: 'foreign_key',
  1216: 'foreign_key',
  1217: 'foreign_key',
  3819: 'check',
  4025: 'check',
};

const CONNECTION_ERRNOS = new Set([1040, 1045, 1049, 1129, 1130, 1152, 1153, 1158, 1159, 1160, 1161, 2002, 2003, 2006, 2013, 1927]);

/**
 * MySQL quotes the offending value in some constraint messages (`Duplicate entry 'a@x.io' for key
 * 'users.email'`, `Incorrect integer value: 'x' for column …`); Oxen's errors never carry values, so
 * the value becomes `<redacted>` and the key or column name stays.
 */
function redactValues(message: string): string {
  return message
    .replace(/^Duplicate entry '[\s\S]*' for key/, 'Duplicate entry <redacted> for key')
    .replace(/^(Incorrect [\w ]+ value: )'[\s\S]*'( for column)/, '$1<redacted>$2');
}

function mapError(error: unknown): MappedError | undefined {
  const e = error as { errno?: unknown; message?: unknown; sqlMessage?: unknown };
  if (e === null || typeof e !== 'object') return undefined;
  const message = redactValues(String(e.sqlMessage ?? e.message));
  const errno = typeof e.errno === 'number' ? e.errno : -1;
  const kind = CONSTRAINT_KINDS[errno];
  if (kind !== undefined) {
    let constraint: string | undefined;
    let columns: string[] | undefined;
    const key = /for key '([^']+)'/.exec(message);
    if (key !== null) constraint = key[1].split('.').pop();
    const column = /(?:Column|Field) '([^']+)'/.exec(message);
    if (column !== null) columns = [column[1]];
    const check = /CONSTRAINT [`']?([^`'\s]+)[`']?/.exec(message);
    if (kind === 'check' && check !== null) constraint = check[1];
    return { type: 'integrity', message, kind, constraint, columns };
  }
  if (CONNECTION_ERRNOS.has(errno) || isNetworkError(error)) return { type: 'connection', message };
  if (errno > 0) return { type: 'operational', message };
  return undefined;
}

/**
 * mysql2's `queryFormat`: mysql2 puts parameters into the SQL text on the client, so each `?` outside
 * literals, quoted identifiers and comments gets its escaped value (primitives, Dates and Buffers only);
 * `??` there is a literal `?`. A `?` without a value is left as it is.
 */
function queryFormat(this: { escape(value: unknown): string }, text: string, values: readonly unknown[] | undefined): string {
  if (text.indexOf('?') === -1) return text;
  const list = values ?? [];
  return rewritePlaceholders(
    text,
    (n) => {
      if (n > list.length) return '?';
      assertBindable(list[n - 1], n - 1);
      return this.escape(list[n - 1]);
    },
    true,
  );
}

/** What `exitOnIdle` touches of a mysql2 pool: its events, and the timer that closes idle connections. */
interface IdlePool {
  on(event: 'acquire' | 'release', listener: (connection: { stream?: { ref?(): void; unref?(): void } }) => void): unknown;
  _removeIdleTimeoutConnections?: () => void;
  _removeIdleTimeoutConnectionsTimer?: { unref?(): void };
}

/**
 * Idle pooled connections must not keep the process alive (as pg's `allowExitOnIdle`): a connection's
 * socket is unref'd while it sits in the pool and ref'd again when it is checked out, and the timer
 * mysql2 re-arms every second to close idle connections is unref'd each time. A script that never calls
 * closeAll() then exits once its work is done.
 */
function exitOnIdle(pool: IdlePool): void {
  pool.on('release', (connection) => connection.stream?.unref?.());
  pool.on('acquire', (connection) => connection.stream?.ref?.());
  const rearm = pool._removeIdleTimeoutConnections;
  if (typeof rearm !== 'function') return;
  pool._removeIdleTimeoutConnections = function (this: IdlePool) {
    rearm.call(this);
    this._removeIdleTimeoutConnectionsTimer?.unref?.();
  };
  pool._removeIdleTimeoutConnectionsTimer?.unref?.();
}

/** Creates the MySQL/MariaDB dialect over a `mysql2` pool. */
export const createMysqlDialect: DialectFactory = async (config: DriverConfig): Promise<DialectDriver> => {
  const mysql = await loadDriver('mysql2', async () => (await import('mysql2')).default);
  const pool = mysql.createPool({
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    connectionLimit: config.pool.max,
    maxIdle: Math.max(config.pool.min, 1),
    idleTimeout: config.pool.idleTimeoutMs,
    connectTimeout: config.pool.acquireTimeoutMs,
    waitForConnections: true,
    queueLimit: 0,
    supportBigNumbers: true,
    bigNumberStrings: true,
    timezone: 'Z',
    dateStrings: ['DATE'],
    jsonStrings: true,
    decimalNumbers: false,
    multipleStatements: false,
    charset: 'utf8mb4_unicode_ci',
    queryFormat,
  });
  /** KILL QUERY for a statement that outlived its deadline, through a fresh connection (the pool may be full). */
  const cancel = (threadId: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = mysql.createConnection({ host: config.host, port: config.port, user: config.user, password: config.password, connectTimeout: config.pool.acquireTimeoutMs });
      c.on('error', () => undefined);
      const timer = setTimeout(() => c.destroy(), config.pool.acquireTimeoutMs);
      c.query(`KILL QUERY ${Math.trunc(threadId)}`, (error) => {
        clearTimeout(timer);
        c.destroy();
        if (error) reject(error);
        else resolve();
      });
    });
  pool.on('connection', (connection) => {
    connection.on('error', (error: unknown) => config.onBackgroundError(error));
  });
  exitOnIdle(pool);
  let collation = 'utf8mb4_bin';
  let mariaDb = true;
  const timeoutMs = config.statementTimeoutMs;
  const kyselyDialect: KyselyDialect = {
    createAdapter: () => new MysqlAdapter(),
    createDriver: () =>
      new OxenMysqlDriver({
        pool: pool as never,
        cancel,
        onCreateConnection: async (connection) => {
          await connection.executeQuery(CompiledQuery.raw(SESSION_SETUP));
          if (config.readOnly) await connection.executeQuery(CompiledQuery.raw('SET SESSION TRANSACTION READ ONLY'));
          if (timeoutMs !== undefined) {
            try {
              await connection.executeQuery(CompiledQuery.raw(`SET SESSION max_statement_time = ${timeoutMs / 1000}`));
            } catch {
              await connection.executeQuery(CompiledQuery.raw(`SET SESSION max_execution_time = ${Math.trunc(timeoutMs)}`));
            }
          }
        },
      }),
    createIntrospector: (db) => new MysqlIntrospector(db),
    createQueryCompiler: () => new MysqlQueryCompiler(),
  };
  const internals = pool as unknown as { _allConnections?: { length: number }; _freeConnections?: { length: number }; _connectionQueue?: { length: number } };
  return {
    name: 'mysql',
    features: mysqlFeatures,
    kyselyDialect,
    async prepare(db: Kysely<unknown>) {
      const r = await sql<{ v: string }>`select version() as v`.execute(db);
      // NO PAD binary collations: case-sensitive, and trailing spaces are significant (as elsewhere).
      mariaDb = /mariadb/i.test(r.rows[0]?.v ?? '');
      collation = mariaDb ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
    },
    poolStats: () => ({
      size: internals._allConnections?.length ?? 0,
      idle: internals._freeConnections?.length ?? 0,
      waiting: internals._connectionQueue?.length ?? 0,
    }),
    columnType,
    autoIncrement: (c) => c.autoIncrement(),
    tableOptions: () => `ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=${collation}`,
    adapter,
    sql: createMysqlSql(() => mariaDb),
    mapError,
    // A deadlock (1213) rolls the whole transaction back; a lost connection ends it too.
    abortsTransaction: (error) => (error as { errno?: unknown })?.errno === 1213 || isNetworkError(error),
    schemaDdl: mysqlSchemaDdl,
    async tableExists(db: Kysely<unknown>, table: string) {
      const r = await sql<{ n: string }>`select count(*) as n from information_schema.tables where table_schema = database() and table_name = ${table}`.execute(db);
      return Number(r.rows[0]?.n ?? 0) > 0;
    },
    async dropTables(db: Kysely<unknown>, tables: readonly string[]) {
      await db.connection().execute(async (c) => {
        await sql`set foreign_key_checks = 0`.execute(c);
        try {
          for (const t of tables) await c.schema.dropTable(t).ifExists().execute();
        } finally {
          await sql`set foreign_key_checks = 1`.execute(c);
        }
      });
    },
    async indexNames(db: Kysely<unknown>, table: string) {
      const r = await sql<{ name: string }>`select distinct index_name as name from information_schema.statistics where table_schema = database() and table_name = ${table}`.execute(db);
      return new Set(r.rows.map((x) => x.name));
    },
  };
};
