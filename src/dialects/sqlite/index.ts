import { SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql, type Dialect as KyselyDialect, type Kysely } from 'kysely';
import type { IntegrityErrorKind } from '../../errors/index.js';
import type { EnumFieldDef, Field } from '../../fields/index.js';
import { assertNever, clip } from '../../utils/index.js';
import type { DialectDriver, DialectFactory, DialectFeatures, DriverConfig, MappedError, ValueAdapter } from '../dialect.js';
import { sqliteSql } from './sql-overrides.js';
import { IDENTITY, decimalFromDb, jsonContainsValue, intToBoolean, jsonFromText, jsonToDb, loadDriver, toBigInt } from '../shared.js';
import { OxenSqliteDriver, SQLITE_BUSY_WAIT_MS, isSqliteBusy } from './sqlite-driver.js';
import { registerDecimalAggregates, registerDecimalArithmetic } from './decimal-aggregates.js';
import { sqliteSchemaDdl } from './schema-ddl.js';

/** SQLite's capabilities. */
export const sqliteFeatures: DialectFeatures = Object.freeze({
  supportsReturning: true,
  transactionalDdl: true,
  supportsIsolationLevels: false,
  supportsSelectForUpdate: false,
  maxParameters: 32766,
  singleConnection: true,
  alterTableAddsForeignKeys: false,
  // Generated keys are INTEGER PRIMARY KEY columns, i.e. the rowid that lastInsertRowid reports.
  insertIdOfOneRow: true,
  // Measured: per-row cost is flat from about 100 rows per statement; 500 keeps each statement small.
  bulkInsertRows: 500,
  arrayRows: true,
});

function columnType(declared: Field): string {
  const field = declared.storage; // a foreign key's column is typed like the target's primary key
  const kind = field.kind;
  switch (kind) {
    case 'char':
    case 'text':
    case 'decimal': // exact: kept as text with a fixed number of decimal places
    case 'datetime': // ISO-8601 UTC text with milliseconds: sorts chronologically
    case 'date':
    case 'time':
    case 'uuid':
    case 'json':
      return 'text';
    case 'int':
    case 'smallint':
    case 'boolean':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'float':
      return 'real';
    case 'enum':
      return (field as EnumFieldDef).numeric ? 'integer' : 'text';
    case 'binary':
      return 'blob';
    default:
      return assertNever(kind, 'field kind');
  }
}

function adapter(field: Field): ValueAdapter {
  const kind = field.kind;
  switch (kind) {
    case 'boolean':
      return { toDb: (v) => (v ? 1 : 0), fromDb: intToBoolean };
    case 'datetime':
      return { toDb: (v) => (v as Date).toISOString(), fromDb: (v) => new Date(v as string) };
    case 'json':
      return { toDb: jsonToDb, fromDb: jsonFromText };
    case 'bigint':
      return { toDb: null, fromDb: toBigInt };
    case 'decimal':
      return { toDb: null, fromDb: decimalFromDb(field) };
    case 'char':
    case 'text':
    case 'int':
    case 'smallint':
    case 'float':
    case 'date':
    case 'time':
    case 'uuid':
    case 'enum':
    case 'binary':
      return IDENTITY;
    default:
      return assertNever(kind, 'field kind');
  }
}

const CONSTRAINT_KINDS: Record<string, IntegrityErrorKind> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_TRIGGER: 'foreign_key',
};

function mapError(error: unknown): MappedError | undefined {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof e?.code !== 'string' || !e.code.startsWith('SQLITE_')) return undefined;
  const message = String(e.message);
  const kind = CONSTRAINT_KINDS[e.code];
  if (kind !== undefined) {
    // "UNIQUE constraint failed: authors.email, authors.name"
    const after = message.split('failed: ')[1];
    const columns = after === undefined ? undefined : after.split(',').map((c) => c.trim().split('.').pop() as string);
    return { type: 'integrity', message, kind, columns: kind === 'foreign_key' ? undefined : columns };
  }
  return { type: 'operational', message };
}

/** A RegExp for the REGEXP function; a bad pattern's error repeats it only up to the message bound. */
function compileRegex(pattern: string, flags: string): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '') : String(error);
    throw new Error(`invalid regular expression '${clip(pattern)}': ${reason}`);
  }
}

/** Creates the SQLite dialect for a file or `:memory:`. */
export const createSqliteDialect: DialectFactory = async (config: DriverConfig): Promise<DialectDriver> => {
  const Database = (await loadDriver('better-sqlite3', async () => (await import('better-sqlite3')).default));
  const filename = config.filename ?? ':memory:';
  const isFile = filename !== ':memory:' && filename !== '';
  const driver = new OxenSqliteDriver({
    beginStatement: 'begin immediate',
    lockWaitMs: config.pool.acquireTimeoutMs,
    open: async () => {
      // SQLite's own busy wait blocks the event loop: keep it short (the driver retries on timers).
      const db = new Database(filename, { timeout: SQLITE_BUSY_WAIT_MS });
      db.pragma('foreign_keys = ON');
      if (isFile) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      if (config.readOnly) db.pragma('query_only = ON');
      db.pragma(`busy_timeout = ${SQLITE_BUSY_WAIT_MS}`);
      // Unicode-aware case folding (SQLite's own lower/upper fold ASCII only).
      db.function('lower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
      db.function('upper', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toUpperCase() : v));
      const regexes = new Map<string, RegExp>();
      db.function('oxen_regexp', { deterministic: true }, (value: unknown, pattern: unknown, flags: unknown) => {
        if (value === null || pattern === null) return null;
        const key = `${String(flags)}/${String(pattern)}`;
        let re = regexes.get(key);
        if (re === undefined) {
          re = compileRegex(String(pattern), `u${String(flags)}`);
          if (regexes.size > 256) regexes.clear();
          regexes.set(key, re);
        }
        return re.test(String(value)) ? 1 : 0;
      });
      db.function('oxen_json_contains', { deterministic: true }, (doc: unknown, value: unknown) => {
        if (doc === null || value === null) return null;
        return jsonContainsValue(JSON.parse(String(doc)), JSON.parse(String(value))) ? 1 : 0;
      });
      registerDecimalAggregates(db);
      registerDecimalArithmetic(db);
      return db;
    },
  });
  const kyselyDialect: KyselyDialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  return {
    name: 'sqlite',
    features: sqliteFeatures,
    kyselyDialect,
    prepare: async () => undefined,
    poolStats: () => driver.stats(),
    columnType,
    autoIncrement: (c) => c.autoIncrement(),
    tableOptions: () => undefined,
    adapter,
    sql: sqliteSql,
    mapError,
    deferWhenBusy: isSqliteBusy,
    // SQLite undoes only the failing statement, except after these, which may end the transaction.
    abortsTransaction: (error) => /^SQLITE_(FULL|IOERR|NOMEM|INTERRUPT|CORRUPT)/.test(String((error as { code?: unknown })?.code)),
    schemaDdl: sqliteSchemaDdl,
    async tableExists(db: Kysely<unknown>, table: string) {
      const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name = ${table}`.execute(db);
      return Number(r.rows[0]?.n ?? 0) > 0;
    },
    async dropTables(db: Kysely<unknown>, tables: readonly string[]) {
      // Foreign-key checks off on the (single) connection while dropping, so order and cycles don't matter.
      await db.connection().execute(async (c) => {
        await sql`pragma foreign_keys = off`.execute(c);
        try {
          for (const t of tables) await c.schema.dropTable(t).ifExists().execute();
        } finally {
          await sql`pragma foreign_keys = on`.execute(c);
        }
      });
    },
    async indexNames(db: Kysely<unknown>, table: string) {
      const r = await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db);
      return new Set(r.rows.map((x) => x.name));
    },
  };
};

