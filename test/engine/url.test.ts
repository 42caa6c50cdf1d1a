/**
 * Connection URL parsing (pure: no database). Every accepted form, its defaults, and every rejection
 * with the message a user needs to fix it.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError, defaultUrl, parseUrl, type ParsedUrl } from '../../src/index.js';

type Expected = Partial<Omit<ParsedUrl, 'params'>> & { params?: Record<string, string> };

const ACCEPTED: readonly (readonly [string, Expected])[] = [
  ['sqlite://:memory:', { dialect: 'sqlite', filename: ':memory:', params: {} }],
  ['sqlite:///var/lib/app/data.db', { dialect: 'sqlite', filename: '/var/lib/app/data.db' }],
  ['sqlite://./data/app.db', { dialect: 'sqlite', filename: './data/app.db' }],
  ['sqlite://app.db', { dialect: 'sqlite', filename: 'app.db' }],
  ['sqlite:///tmp/my%20app.db', { dialect: 'sqlite', filename: '/tmp/my app.db' }],
  [
    'postgres://alice:pw@db.example.com:6543/app',
    { dialect: 'postgres', host: 'db.example.com', port: 6543, user: 'alice', password: 'pw', database: 'app', params: {} },
  ],
  ['postgresql://alice@db.example.com/app', { dialect: 'postgres', host: 'db.example.com', port: 5432, user: 'alice', database: 'app' }],
  ['POSTGRES://alice@h/app', { dialect: 'postgres', port: 5432, database: 'app' }],
  ['postgres://h/app', { dialect: 'postgres', host: 'h', user: undefined, password: undefined, database: 'app' }],
  ['postgres://alice@[::1]:5433/app', { dialect: 'postgres', host: '::1', port: 5433 }],
  ['postgres://alice@h/app?schema=tenant_1', { dialect: 'postgres', params: { schema: 'tenant_1' } }],
  [
    'postgres://alice@h/app?sslmode=require&application_name=worker',
    { dialect: 'postgres', params: { sslmode: 'require', application_name: 'worker' } },
  ],
  ['postgres://alice:p%40ss%2Fw0rd@h/app', { user: 'alice', password: 'p@ss/w0rd' }],
  ['mysql://root@127.0.0.1/shop', { dialect: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', database: 'shop', params: {} }],
  ['mariadb://root:secret@maria:3307/shop', { dialect: 'mysql', host: 'maria', port: 3307, password: 'secret', database: 'shop' }],
  ['mysql://root@h/my%20db', { database: 'my db' }],
];

describe('parseUrl: accepted URLs', () => {
  it.each(ACCEPTED)('%s', (url, expected) => {
    const parsed = parseUrl(url);
    for (const [key, value] of Object.entries(expected)) {
      expect(parsed[key as keyof ParsedUrl], key).toEqual(value);
    }
  });

  it('redacts the password in display and keeps the rest of the URL', () => {
    const parsed = parseUrl('postgres://alice:hunter2@db:5432/app?schema=s1');
    expect(parsed.password).toBe('hunter2');
    expect(parsed.display).toBe('postgres://alice:***@db:5432/app?schema=s1');
    expect(parseUrl('mysql://root:hunter2@h/app').display).toBe('mysql://root:***@h/app');
    expect(parseUrl('postgres://alice@h/app').display).toBe('postgres://alice@h/app');
  });

  it('defaults the port per dialect', () => {
    expect(parseUrl('postgres://u@h/db').port).toBe(5432);
    expect(parseUrl('postgresql://u@h/db').port).toBe(5432);
    expect(parseUrl('mysql://u@h/db').port).toBe(3306);
    expect(parseUrl('mariadb://u@h/db').port).toBe(3306);
  });
});

const REJECTED: readonly (readonly [string, string, RegExp])[] = [
  ['empty', '', /connection URL is empty/],
  ['blank', '   ', /connection URL is empty/],
  ['no scheme', 'not a url', /Malformed connection URL 'not a url': it has no scheme/],
  ['misspelt scheme', 'postgress://u@h/db', /Unknown database scheme 'postgress'.*did you mean 'postgres'\?.*Valid names: mariadb, mysql, postgres, postgresql, sqlite/],
  ['misspelt mysql', 'mysq://u@h/db', /Unknown database scheme 'mysq'.*did you mean 'mysql'\?/],
  ['unsupported scheme', 'mongodb://h/db', /Unknown database scheme 'mongodb'.*Valid names: mariadb, mysql, postgres, postgresql, sqlite/],
  ['host:port without scheme', 'localhost:5432/db', /Unknown database scheme 'localhost'/],
  ['sqlite with one slash', 'sqlite:/x.db', /Malformed SQLite URL 'sqlite:\/x\.db'/],
  ['sqlite without a file', 'sqlite://', /names no file/],
  ['sqlite with parameters', 'sqlite://./a.db?mode=ro', /SQLite URLs take no parameters \('\?mode=ro'/],
  ['port out of range', 'postgres://u@h:99999/db', /Malformed connection URL 'postgres:\/\/u@h:99999\/db'/],
  ['non-numeric port', 'mysql://u@h:abc/db', /Malformed connection URL/],
  ['port 0', 'postgres://u@h:0/db', /Invalid port in 'postgres:\/\/u@h:0\/db'/],
  ['unterminated IPv6 host', 'postgres://u@[::1/db', /Malformed connection URL/],
  ['no host', 'postgres:///db', /names no host/],
  ['no database (postgres)', 'postgres://u@h', /names no database: add it as the path, e\.g\. postgres:\/\/user@host:port\/mydb/],
  ['no database (trailing slash)', 'postgres://u@h:5432/', /names no database/],
  ['no database (mysql)', 'mysql://root@h:3306', /names no database: add it as the path, e\.g\. mysql:\/\//],
  ['a path, not a database', 'postgres://u@h/a/b', /names no database/],
  ['unknown postgres parameter', 'postgres://u@h/db?shema=x', /Unknown URL parameter 'shema'.*did you mean 'schema'\?.*Valid names: application_name, prepare, schema, sslmode/],
  ['any mysql parameter', 'mysql://u@h/db?schema=x', /Unknown URL parameter 'schema'.*mysql URLs take none/],
  ['schema that is not an identifier', 'postgres://u@h/db?schema=a;drop', /Invalid schema name 'a;drop'/],
  ['schema with a quote', 'postgres://u@h/db?schema=a%22b', /Invalid schema name 'a"b'/],
];

describe('parseUrl: rejected URLs', () => {
  it.each(REJECTED)('%s: %s', (_label, url, message) => {
    let caught: unknown;
    try {
      parseUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigurationError);
    expect((caught as Error).message).toMatch(message);
  });

  it('rejects a non-string', () => {
    expect(() => parseUrl(undefined as unknown as string)).toThrow(ConfigurationError);
    expect(() => parseUrl(42 as unknown as string)).toThrow(/connection URL is empty/);
  });
});

describe('defaultUrl', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('is DATABASE_URL when set', () => {
    vi.stubEnv('DATABASE_URL', 'postgres://app@db/app');
    expect(defaultUrl()).toBe('postgres://app@db/app');
  });

  it('is ./oxen.sqlite3 when DATABASE_URL is unset or blank', () => {
    vi.stubEnv('DATABASE_URL', undefined);
    expect(defaultUrl()).toBe('sqlite://./oxen.sqlite3');
    vi.stubEnv('DATABASE_URL', '  ');
    expect(defaultUrl()).toBe('sqlite://./oxen.sqlite3');
  });
});
