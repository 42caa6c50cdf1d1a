import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Dialect as KyselyDialect, type Kysely } from 'kysely';
import type { Pool, PoolConfig } from 'pg';
import type { IntegrityErrorKind } from '../../errors/index.js';
import type { Field } from '../../fields/index.js';
import { assertNever } from '../../utils/index.js';
import type { DialectDriver, DialectFactory, DialectFeatures, DriverConfig, MappedError, ValueAdapter } from '../dialect.js';
import { postgresSql } from './sql-overrides.js';
import { columnTypeOf } from './column-types.js';
import { OxenPgDriver, type PgCursorConstructor } from './pg-driver.js';
import { IDENTITY, bigintToText, isNetworkError, jsonToDb, loadDriver, timeFromDb, toBigInt } from '../shared.js';
import { postgresSchemaDdl } from './schema-ddl.js';

/** PostgreSQL's capabilities. */
export const postgresFeatures: DialectFeatures = Object.freeze({
  supportsReturning: true,
  transactionalDdl: true,
  supportsIsolationLevels: true,
  supportsSelectForUpdate: true,
  maxParameters: 65535,
  singleConnection: false,
  alterTableAddsForeignKeys: true,
  arrayRows: true,
});

function adapter(field: Field): ValueAdapter {
  const kind = field.kind;
  switch (kind) {
    case 'json':
      // Always serialise: pg would turn a JS array into a PostgreSQL array literal.
      return { toDb: jsonToDb, fromDb: null };
    case 'bigint':
      return { toDb: bigintToText, fromDb: toBigInt };
    case 'time':
      return { toDb: null, fromDb: timeFromDb };
    case 'datetime':
      // Bound as ISO text: pg would write a Date in local time with the offset rounded to minutes,
      // shifting old instants by seconds in zones whose historical offset had seconds. Reads are Dates.
      return { toDb: (v) => (v as Date).toISOString(), fromDb: null };
    case 'char':
    case 'text':
    case 'int':
    case 'smallint':
    case 'float':
    case 'decimal': // numeric(p, s) reads back as a string with exactly s decimals
    case 'boolean':
    case 'date': // parsed as text (see the type parsers below)
    case 'uuid':
    case 'enum':
    case 'binary':
      return IDENTITY;
    default:
      return assertNever(kind, 'field kind');
  }
}

const CONSTRAINT_KINDS: Record<string, IntegrityErrorKind> = {
  '23505': 'unique',
  '23502': 'not_null',
  '23503': 'foreign_key',
  '23001': 'foreign_key',
  '23514': 'check',
};

function mapError(error: unknown): MappedError | undefined {
  const e = error as { code?: unknown; message?: unknown; constraint?: unknown; column?: unknown; detail?: unknown };
  if (e === null || typeof e !== 'object') return undefined;
  const message = String(e.message);
  const code = typeof e.code === 'string' ? e.code : '';
  const kind = CONSTRAINT_KINDS[code];
  if (kind !== undefined) {
    let columns: string[] | undefined;
    const key = typeof e.detail === 'string' ? /Key \(([^)]*)\)=/.exec(e.detail) : null;
    if (key !== null) columns = key[1].split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    else if (typeof e.column === 'string') columns = [e.column];
    return { type: 'integrity', message, kind, constraint: typeof e.constraint === 'string' ? e.constraint : undefined, columns };
  }
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '28P01' || code === '28000' || code === '3D000' || isNetworkError(error)) {
    return { type: 'connection', message };
  }
  if (/^[0-9A-Z]{5}$/.test(code)) return { type: 'operational', message };
  return undefined;
}

/** Creates the PostgreSQL dialect over a `pg` pool. */
export const createPostgresDialect: DialectFactory = async (config: DriverConfig): Promise<DialectDriver> => {
  const pg = await loadDriver('pg', async () => (await import('pg')).default);
  // Server-side cursors for iterator(): streaming in bounded memory. Optional: without pg-cursor
  // everything but iterator() works, and iterator() says what to install.
  const Cursor = await import('pg-cursor').then(
    (m) => m.default as unknown as PgCursorConstructor,
    () => null,
  );
  const { schema, sslmode, application_name, prepare } = config.params;
  const options: string[] = ['-c TimeZone=UTC'];
  if (schema !== undefined) options.push(`-c search_path=${schema}`);
  if (config.readOnly) options.push('-c default_transaction_read_only=on');
  const poolConfig: PoolConfig = {
    host: config.host,
    port: config.port,
    user: config.user,
    password: config.password,
    database: config.database,
    max: config.pool.max,
    min: config.pool.min,
    idleTimeoutMillis: config.pool.idleTimeoutMs,
    // Idle clients (and their idle timers) do not keep the process alive: a script that never calls
    // closeAll() still exits once its work is done.
    allowExitOnIdle: true,
    connectionTimeoutMillis: config.pool.acquireTimeoutMs + 100, // the engine times out first (its message is clearer); pg gives up just after
    maxLifetimeSeconds: config.pool.maxLifetimeMs > 0 ? Math.ceil(config.pool.maxLifetimeMs / 1000) : 0,
    application_name: application_name ?? 'oxen-orm',
    options: options.join(' '),
    ssl: sslmode === 'require' ? { rejectUnauthorized: false } : sslmode === 'verify-full' ? true : undefined,
    statement_timeout: config.statementTimeoutMs,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        // date: keep 'YYYY-MM-DD' text instead of a local-time Date.
        oid === 1082 ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  };
  const pool: Pool = new pg.Pool(poolConfig);
  // An idle client's error, and a checked-out client's error (e.g. pg_terminate_backend): without these
  // listeners the 'error' event would crash the process.
  pool.on('error', (error) => config.onBackgroundError(error));
  pool.on('connect', (client) => {
    client.on('error', (error) => config.onBackgroundError(error));
  });
  /** pg_cancel_backend for a statement that outlived its deadline, through a fresh connection (the pool may be full). */
  const cancel = async (pid: number): Promise<void> => {
    const client = new pg.Client({ ...poolConfig, connectionTimeoutMillis: config.pool.acquireTimeoutMs, query_timeout: config.pool.acquireTimeoutMs });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  const kyselyDialect: KyselyDialect = {
    createAdapter: () => new PostgresAdapter(),
    // Named prepared statements unless the URL says prepare=false (e.g. behind PgBouncer in transaction mode).
    createDriver: () => new OxenPgDriver({ pool, cursor: Cursor, prepare: prepare !== 'false', cancel }),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  };
  return {
    name: 'postgres',
    features: postgresFeatures,
    kyselyDialect,
    prepare: async () => undefined,
    poolStats: () => ({ size: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    columnType: columnTypeOf,
    autoIncrement: (c) => c.generatedByDefaultAsIdentity(),
    tableOptions: () => undefined,
    adapter,
    sql: postgresSql,
    mapError,
    // Any error aborts a PostgreSQL transaction until ROLLBACK (or ROLLBACK TO SAVEPOINT).
    abortsTransaction: () => true,
    schemaDdl: postgresSchemaDdl,
    async tableExists(db: Kysely<unknown>, table: string) {
      const r = await sql<{ n: string }>`select count(*) as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(db);
      return Number(r.rows[0]?.n ?? 0) > 0;
    },
    async dropTables(db: Kysely<unknown>, tables: readonly string[]) {
      for (const t of tables) await db.schema.dropTable(t).ifExists().cascade().execute();
    },
    async indexNames(db: Kysely<unknown>, table: string) {
      const r = await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = current_schema() and tablename = ${table}`.execute(db);
      return new Set(r.rows.map((x) => x.name));
    },
  };
};
