/**
 * connect(): option checking, aliases, the default URL, SQLite session settings, failures that must be
 * clear and fast, and passwords that must never reach an error message.
 */
import { SQLITE_BUSY_WAIT_MS } from '../../src/dialects/sqlite/sqlite-driver.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConfigurationError,
  ConnectionError,
  OxenError,
  closeAll,
  connect,
  disconnect,
  getConnection,
  listConnections,
  type ConnectOptions,
} from '../../src/index.js';
import { dialectStatus } from '../support/dialects.js';
import { timedRejection } from '../support/rejection.js';

const SECRET = 'Sup3r-S3cret-pw';

/** Everything a user could see of an error: message, stack, and the inspected cause chain. */
function visible(error: unknown): string {
  return `${String((error as Error)?.message)}\n${String((error as Error)?.stack)}\n${inspect(error, { depth: 10 })}`;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'oxen-connect-'));
}

afterEach(async () => {
  await closeAll();
  vi.unstubAllEnvs();
});

describe('connect(): options', () => {
  const BAD_OPTIONS: readonly (readonly [string, unknown, RegExp])[] = [
    ['unknown option', { poool: { max: 2 } }, /Unknown connect\(\) option 'poool'; did you mean 'pool'\?/],
    ['unknown option, listed names', { timeout: 5 }, /Unknown connect\(\) option 'timeout'.*Valid names: alias, log, logger, nPlusOne, pool, readOnly, slowQueryMs, statementDeadlineMs, statementTimeoutMs, tracing/],
    ['unknown pool option', { pool: { maxx: 3 } }, /Unknown pool option 'maxx'; did you mean 'max'\?/],
    ['unknown pool option (camel case)', { pool: { acquireTimeout: 3 } }, /Unknown pool option 'acquireTimeout'; did you mean 'acquireTimeoutMs'\?/],
    ['pool.max 0', { pool: { max: 0 } }, /pool\.max must be an integer of at least 1/],
    ['pool.max fractional', { pool: { max: 1.5 } }, /pool\.max must be an integer of at least 1/],
    ['negative acquire timeout', { pool: { acquireTimeoutMs: -1 } }, /pool\.acquireTimeoutMs must be a non-negative number, got -1/],
    ['string idle timeout', { pool: { idleTimeoutMs: '5s' } }, /pool\.idleTimeoutMs must be a non-negative number, got "5s"/],
    ['min above max', { pool: { min: 5, max: 2 } }, /pool\.min must not exceed pool\.max/],
    ['pool not an object', { pool: 5 }, /Option pool must be an object/],
    ['empty alias', { alias: '' }, /alias must be a non-empty string/],
    ['statement timeout NaN', { statementTimeoutMs: Number.NaN }, /statementTimeoutMs must be a non-negative number/],
    ['logger of the wrong type', { logger: 'console' }, /Option logger must be a function or an object/],
    ['readOnly as a string', { readOnly: 'yes' }, /Option readOnly must be a boolean/],
    ['options not an object', 'fast', /connect\(\) options must be an object/],
  ];

  it.each(BAD_OPTIONS)('%s → ConfigurationError naming it', async (_label, options, message) => {
    const { error } = await timedRejection(connect('sqlite://:memory:', options as ConnectOptions));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(message);
    expect(listConnections()).toEqual([]);
  });

  it('rejects options given next to a connection map', async () => {
    const untyped = connect as (...args: unknown[]) => Promise<unknown>;
    const { error } = await timedRejection(untyped({ a: 'sqlite://:memory:' }, {}));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/takes options inside each entry/);
  });

  it('checks the options of each entry of a connection map', async () => {
    const { error } = await timedRejection(connect({ a: { url: 'sqlite://:memory:', pool: { maxx: 1 } } as never }));
    expect((error as Error).message).toMatch(/Unknown pool option 'maxx'/);
  });
});

describe('connect(): aliases', () => {
  it('opens "default" and finds it by alias', async () => {
    const db = await connect('sqlite://:memory:');
    expect(db.alias).toBe('default');
    expect(db.dialect).toBe('sqlite');
    expect(getConnection()).toBe(db);
    expect(getConnection('default')).toBe(db);
    expect(listConnections()).toEqual([db]);
  });

  it('refuses to open an alias twice', async () => {
    await connect('sqlite://:memory:', { alias: 'main' });
    const { error } = await timedRejection(connect('sqlite://:memory:', { alias: 'main' }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/A connection named 'main' is already open/);
  });

  it('names the open aliases when an unknown one is asked for', async () => {
    expect(() => getConnection()).toThrow(/No database connection 'default': call connect\(\) first/);
    await connect('sqlite://:memory:', { alias: 'reports' });
    expect(() => getConnection('report')).toThrow(ConfigurationError);
    expect(() => getConnection('report')).toThrow(/did you mean 'reports'\?/);
  });

  it('opens a map of connections; the first is the default unless one is named default', async () => {
    const db = await connect({ primary: 'sqlite://:memory:', replica: { url: 'sqlite://:memory:', readOnly: true } });
    expect(db.alias).toBe('primary');
    expect(getConnection()).toBe(getConnection('primary'));
    expect(getConnection('replica').readOnly).toBe(true);
    expect(getConnection('primary').readOnly).toBe(false);
    await closeAll();
    const second = await connect({ other: 'sqlite://:memory:', default: 'sqlite://:memory:' });
    expect(second.alias).toBe('default');
  });

  it('closes the entries it opened when a later entry of a map fails', async () => {
    const { error } = await timedRejection(connect({ first: 'sqlite://:memory:', second: 'nosuch://x' }));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(() => getConnection('first')).toThrow(ConfigurationError);
    expect(listConnections()).toEqual([]);
  });

  it('disconnect() closes one alias and is idempotent; closeAll() closes every one', async () => {
    const a = await connect('sqlite://:memory:', { alias: 'a' });
    const b = await connect('sqlite://:memory:', { alias: 'b' });
    await disconnect('a');
    await disconnect('a');
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    expect(() => getConnection('a')).toThrow(ConfigurationError);
    await closeAll();
    await closeAll();
    expect(b.closed).toBe(true);
    expect(listConnections()).toEqual([]);
  });

  it('a closed connection refuses statements with ConnectionError', async () => {
    const db = await connect('sqlite://:memory:');
    await db.close();
    const { error } = await timedRejection(db.healthCheck());
    expect(error).toBeInstanceOf(ConnectionError);
    expect(() => db.executor()).toThrow(/Connection 'default' is closed/);
  });

  it('an alias whose connect() failed can be opened again', async () => {
    await timedRejection(connect('postgres://u@127.0.0.1:1/db', { alias: 'retry', pool: { acquireTimeoutMs: 2000 }, logger: () => undefined }));
    expect(() => getConnection('retry')).toThrow(ConfigurationError);
    const db = await connect('sqlite://:memory:', { alias: 'retry' });
    expect(db.alias).toBe('retry');
  });
});

describe('connect() without arguments', () => {
  it('uses DATABASE_URL when set', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'from-env.db');
      vi.stubEnv('DATABASE_URL', `sqlite://${file}`);
      const db = await connect();
      expect(db.alias).toBe('default');
      expect(db.dialect).toBe('sqlite');
      expect(db.url).toBe(`sqlite://${file}`);
      await sql`create table t (a integer)`.execute(db.kysely);
      expect(existsSync(file)).toBe(true);
    } finally {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens ./oxen.sqlite3 in the working directory when DATABASE_URL is unset', async () => {
    const dir = tempDir();
    const cwd = process.cwd();
    vi.stubEnv('DATABASE_URL', undefined);
    process.chdir(dir);
    try {
      const db = await connect();
      expect(db.dialect).toBe('sqlite');
      expect(db.url).toBe('sqlite://./oxen.sqlite3');
      expect(existsSync(join(dir, 'oxen.sqlite3'))).toBe(true);
    } finally {
      await closeAll();
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLite session settings', () => {
  async function pragma(name: string): Promise<unknown> {
    const r = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(getConnection().kysely);
    return Object.values(r.rows[0] ?? {})[0];
  }

  it('a file database: foreign keys on, WAL journal, synchronous NORMAL, a short busy_timeout (the rest of the wait runs on timers)', async () => {
    const dir = tempDir();
    try {
      await connect(`sqlite://${join(dir, 'app.db')}`, { pool: { acquireTimeoutMs: 4321 } });
      expect(await pragma('foreign_keys')).toBe(1);
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1);
      expect(await pragma('busy_timeout')).toBe(SQLITE_BUSY_WAIT_MS);
      expect(await pragma('query_only')).toBe(0);
    } finally {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(':memory: has foreign keys on and the short busy_timeout', async () => {
    await connect('sqlite://:memory:');
    expect(await pragma('foreign_keys')).toBe(1);
    expect(await pragma('journal_mode')).toBe('memory');
    expect(await pragma('busy_timeout')).toBe(SQLITE_BUSY_WAIT_MS);
  });

  it('enforces foreign keys', async () => {
    const db = await connect('sqlite://:memory:');
    await sql`create table parent (id integer primary key)`.execute(db.kysely);
    await sql`create table child (id integer primary key, parent_id integer not null references parent (id))`.execute(db.kysely);
    const { error } = await timedRejection(sql`insert into child (parent_id) values (${42})`.execute(db.kysely));
    expect(error).toBeInstanceOf(OxenError);
    expect(error).toMatchObject({ name: 'IntegrityError', kind: 'foreign_key' });
  });

  it('SQLite always uses a single connection, whatever pool.max says', async () => {
    const db = await connect('sqlite://:memory:', { pool: { max: 8 } });
    expect(db.features.singleConnection).toBe(true);
    await db.healthCheck();
    expect(db.metrics().pool.size).toBe(1);
  });
});

describe('connection failures', () => {
  it('a refused port is a ConnectionError naming the redacted URL (postgres, mysql)', async () => {
    for (const url of [`postgres://app:${SECRET}@127.0.0.1:1/db`, `mysql://app:${SECRET}@127.0.0.1:1/db`]) {
      const { error, ms } = await timedRejection(connect(url, { alias: 'down', pool: { acquireTimeoutMs: 2000 }, logger: () => undefined }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/^Cannot connect 'down' to (postgres|mysql):\/\/app:\*\*\*@127\.0\.0\.1:1\/db: /);
      expect((error as Error).message).toMatch(/ECONNREFUSED/);
      expect(visible(error)).not.toContain(SECRET);
      expect(ms).toBeLessThan(2000 + 2000);
    }
  });

  it('an unreachable host is a ConnectionError within acquireTimeoutMs + 2000 ms (postgres, mysql)', async () => {
    const acquireTimeoutMs = 1000;
    // 192.0.2.0/24 (TEST-NET-1) is never routed: the connect either hangs until our timeout or fails at once.
    for (const url of [`postgres://app:${SECRET}@192.0.2.1:5432/db`, `mysql://app:${SECRET}@192.0.2.1:3306/db`]) {
      const { error, ms } = await timedRejection(connect(url, { alias: 'far', pool: { acquireTimeoutMs }, logger: () => undefined }));
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/^Cannot connect 'far' to /);
      expect(visible(error)).not.toContain(SECRET);
      expect(ms).toBeLessThan(acquireTimeoutMs + 2000);
    }
  });

  it('a server that accepts TCP but never answers is a ConnectionError within acquireTimeoutMs + 2000 ms (postgres, mysql)', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const acquireTimeoutMs = 1000;
    try {
      for (const scheme of ['postgres', 'mysql']) {
        const url = `${scheme}://app:${SECRET}@127.0.0.1:${port}/db`;
        // Event order instead of a duration lower bound: a timer at half the timeout fires before the rejection.
        let halfway = false;
        const timer = setTimeout(() => (halfway = true), acquireTimeoutMs / 2);
        const { error, ms } = await timedRejection(connect(url, { alias: 'mute', pool: { acquireTimeoutMs }, logger: () => undefined }));
        clearTimeout(timer);
        expect(halfway).toBe(true);
        expect(error).toBeInstanceOf(ConnectionError);
        expect((error as Error).message).toMatch(new RegExp(`^Cannot connect 'mute' to ${scheme}://app:\\*\\*\\*@127\\.0\\.0\\.1:${port}/db: `));
        expect(visible(error)).not.toContain(SECRET);
        expect(ms).toBeLessThan(acquireTimeoutMs + 2000);
        expect(() => getConnection('mute')).toThrow(ConfigurationError);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a malformed URL with a password never shows the password (message, stack, cause)', async () => {
    for (const url of [
      `postgres://app:${SECRET}@127.0.0.1:99999/db`,
      `mysql://app:${SECRET}@db:abc/shop`,
      `postgres://app:${SECRET}@[::1/db`,
      `postgres://app:${SECRET}@db/shop?shema=x`,
      `postgres://app:${SECRET}@db`,
      `mysql://app:${SECRET}@db/shop?ssl=1`,
    ]) {
      const { error } = await timedRejection(connect(url, { alias: 'bad' }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(visible(error)).not.toContain(SECRET);
      expect((error as Error).message).toContain('app:***@');
    }
  });

  it('a percent-encoded password is hidden in its encoded and decoded forms', async () => {
    const { error } = await timedRejection(connect('postgres://app:p%40ss%2Fw0rd-Xy@127.0.0.1:1/db', { logger: () => undefined, pool: { acquireTimeoutMs: 2000 } }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(visible(error)).not.toContain('p@ss/w0rd-Xy');
    expect(visible(error)).not.toContain('p%40ss%2Fw0rd-Xy');
  });

  it.runIf(dialectStatus('postgres').available)('postgres: an unknown role with a password is a ConnectionError without the password', async () => {
    const url = new URL(dialectStatus('postgres').url);
    url.username = 'oxen_no_such_role';
    url.password = SECRET;
    const { error } = await timedRejection(connect(url.toString(), { alias: 'who', logger: () => undefined }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/role "oxen_no_such_role" does not exist/);
    expect(visible(error)).not.toContain(SECRET);
  });

  it.runIf(dialectStatus('mysql').available)('mysql: a wrong password is a ConnectionError without the password', async () => {
    const url = new URL(dialectStatus('mysql').url);
    url.password = SECRET;
    const { error } = await timedRejection(connect(url.toString(), { alias: 'who', logger: () => undefined }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/Access denied/);
    expect(visible(error)).not.toContain(SECRET);
  });

  it.runIf(dialectStatus('postgres').available)('postgres: a missing database is a ConnectionError', async () => {
    const url = new URL(dialectStatus('postgres').url);
    url.pathname = '/oxen_no_such_database';
    url.search = '';
    const { error } = await timedRejection(connect(url.toString(), { alias: 'nodb', logger: () => undefined }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/database "oxen_no_such_database" does not exist/);
  });

  it.runIf(dialectStatus('mysql').available)('mysql: a missing database is a ConnectionError', async () => {
    const url = new URL(dialectStatus('mysql').url);
    url.pathname = '/oxen_no_such_database';
    const { error } = await timedRejection(connect(url.toString(), { alias: 'nodb', logger: () => undefined }));
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/Unknown database 'oxen_no_such_database'/);
  });
});
