/**
 * What every part of the benchmark shares: the workloads and their sizes, the deterministic data, the
 * one schema every entry reads and writes, and the `Entry` interface each library implements.
 */

export type Dialect = 'sqlite' | 'postgres';

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8', 'W9'] as const;
export type WorkloadId = (typeof WORKLOADS)[number];

export interface WorkloadInfo {
  readonly id: WorkloadId;
  readonly title: string;
  /** What one "operation" is (ops/s and µs added are per this unit). */
  readonly unit: string;
  /** The dataset the workload reads; writers get a fresh, empty (W1, W2) or seeded (W7) database. */
  readonly dataset: 'write-empty' | 'write-seeded' | 'read' | 'rel' | 'stream';
  /** The target for Oxen, in µs added per op over the raw driver on SQLite (null: none). */
  readonly targetUs: number | null;
}

export const WORKLOAD_INFO: Record<WorkloadId, WorkloadInfo> = {
  W1: { id: 'W1', title: 'insert one row at a time', unit: 'insert', dataset: 'write-empty', targetUs: 40 },
  W2: { id: 'W2', title: 'bulk insert 10,000 rows', unit: 'row', dataset: 'write-empty', targetUs: 5 },
  W3: { id: 'W3', title: 'find by primary key', unit: 'find', dataset: 'read', targetUs: 20 },
  W4: { id: 'W4', title: 'age >= 30 AND isActive ORDER BY name LIMIT 100', unit: 'query (100 rows)', dataset: 'read', targetUs: 60 },
  W5: { id: 'W5', title: 'fetch all 10,000 rows', unit: 'fetch (10k rows)', dataset: 'read', targetUs: 5000 },
  W6: { id: 'W6', title: '500 users with 10 posts each, eager loading', unit: 'fetch (500+5000 rows)', dataset: 'rel', targetUs: 5000 },
  W7: { id: 'W7', title: 'update one row by primary key', unit: 'update', dataset: 'write-seeded', targetUs: 40 },
  W8: { id: 'W8', title: 'filtered count: age = ? AND isActive', unit: 'count', dataset: 'read', targetUs: 40 },
  W9: { id: 'W9', title: 'stream every row with an iterator', unit: 'row', dataset: 'stream', targetUs: null },
};

/** How many operations each workload runs, and the dataset sizes. */
export interface Sizes {
  readonly ops: Record<WorkloadId, number>;
  readonly warmup: Record<WorkloadId, number>;
  /** Rows of the `read` dataset (W3, W4, W5, W8) and of the seeded write dataset (W7). */
  readonly readRows: number;
  /** Users and posts per user of the `rel` dataset (W6). */
  readonly relUsers: number;
  readonly postsPerUser: number;
  /** Rows of the `stream` dataset (W9). */
  readonly streamRows: number;
  /** Rows per statement when an entry must chunk a bulk insert itself (W2). */
  readonly bulkChunk: number;
}

export const FULL_SIZES: Sizes = {
  ops: { W1: 2000, W2: 10_000, W3: 5000, W4: 1000, W5: 20, W6: 20, W7: 2000, W8: 5000, W9: 1_000_000 },
  // As many warm-up operations as timed ones: the numbers are steady state (JIT done), as in a server
  // that has been up for a while. With 10 % the loop was still being optimised while timed.
  warmup: { W1: 2000, W2: 2000, W3: 5000, W4: 1000, W5: 5, W6: 5, W7: 2000, W8: 5000, W9: 0 },
  readRows: 10_000,
  relUsers: 500,
  postsPerUser: 10,
  streamRows: 1_000_000,
  bulkChunk: 1000,
};

export const QUICK_SIZES: Sizes = {
  ops: { W1: 300, W2: 2000, W3: 1000, W4: 200, W5: 3, W6: 3, W7: 300, W8: 1000, W9: 100_000 },
  warmup: { W1: 50, W2: 200, W3: 100, W4: 20, W5: 1, W6: 1, W7: 50, W8: 100, W9: 0 },
  readRows: 10_000,
  relUsers: 500,
  postsPerUser: 10,
  streamRows: 100_000,
  bulkChunk: 1000,
};

// ---------------------------------------------------------------------------------------------------
// Data: deterministic, so every entry sees exactly the same rows and the results can be cross-checked.

/** A user as every entry receives it for writing. */
export interface UserInput {
  name: string;
  email: string;
  age: number;
  isActive: boolean;
  createdAt: Date;
}

const EPOCH = Date.UTC(2024, 0, 1);

/** The i-th user (1-based); its primary key in a seeded dataset is i. */
export function userAt(i: number): UserInput {
  // A multiplicative scramble makes the names' order unrelated to the ids, so ORDER BY name sorts.
  const key = (i * 7919) % 1_000_003;
  return {
    name: `user ${String(key).padStart(7, '0')}`,
    email: `user${i}@example.com`,
    age: 18 + ((i * 37) % 60),
    isActive: i % 3 !== 0,
    createdAt: new Date(EPOCH + i * 61_001),
  };
}

/** A user written by a write workload (distinct from the seeded ones). */
export function newUser(i: number): UserInput {
  const u = userAt(i);
  return { ...u, email: `new${i}@example.com` };
}

export interface PostInput {
  userId: number;
  title: string;
  published: boolean;
}

/** The k-th post (0-based) of user u (1-based). Post ids in the seeded dataset are (u-1)*perUser+k+1. */
export function postAt(u: number, k: number): PostInput {
  return { userId: u, title: `post ${u}-${k}`, published: (u + k) % 2 === 0 };
}

/** The W4 predicate, in JS, for cross-checking: `age >= 30 AND isActive`. */
export function matchesW4(u: UserInput): boolean {
  return u.age >= 30 && u.isActive;
}

/**
 * The W8 predicate: `age = a AND isActive`, with `a` cycling through 18..77 (new parameters for the same
 * query shape). Indexed, so the database's own work (~25 µs on SQLite) does not drown the ORM's.
 */
export function matchesW8(u: UserInput, age: number): boolean {
  return u.age === age && u.isActive;
}

/** The age the i-th W8 count asks for. */
export function w8Age(i: number): number {
  return 18 + (i % 60);
}

/** The primary keys W3 reads and W7 updates, in order: a deterministic scatter over 1..rows. */
export function pkSequence(count: number, rows: number): number[] {
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = ((i * 2_654_435_761) % rows) + 1;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The schema. One DDL per dialect, created by the harness (never by an ORM), identical for all entries.

export const SQLITE_DDL = [
  `CREATE TABLE users (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name VARCHAR(100) NOT NULL,
     email VARCHAR(255) NOT NULL,
     age INTEGER NOT NULL,
     is_active BOOLEAN NOT NULL,
     created_at DATETIME NOT NULL
   )`,
  `CREATE INDEX users_name ON users (name)`,
  `CREATE INDEX users_age ON users (age)`,
  `CREATE TABLE posts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     title VARCHAR(200) NOT NULL,
     published BOOLEAN NOT NULL
   )`,
  `CREATE INDEX posts_user_id ON posts (user_id)`,
];

export const POSTGRES_DDL = [
  `CREATE TABLE users (
     id SERIAL PRIMARY KEY,
     name VARCHAR(100) NOT NULL,
     email VARCHAR(255) NOT NULL,
     age INTEGER NOT NULL,
     is_active BOOLEAN NOT NULL,
     created_at TIMESTAMPTZ NOT NULL
   )`,
  `CREATE INDEX users_name ON users (name)`,
  `CREATE INDEX users_age ON users (age)`,
  `CREATE TABLE posts (
     id SERIAL PRIMARY KEY,
     user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     title VARCHAR(200) NOT NULL,
     published BOOLEAN NOT NULL
   )`,
  `CREATE INDEX posts_user_id ON posts (user_id)`,
];

/**
 * How each library stores a DateTime in a SQLite text/numeric column when it writes one itself. SQLite has
 * no date type, and the libraries disagree (Sequelize cannot read ISO text ending in `Z`; TypeORM cannot
 * read Sequelize's `+00:00` form; MikroORM stores epoch milliseconds), so each entry reads a dataset
 * holding the same instants in its own library's format: every library reads what it would have written.
 */
export type DateFormat = 'iso' | 'typeorm' | 'sequelize' | 'ms';

export const SQLITE_DATE_FORMAT: Record<EntryName, DateFormat> = {
  raw: 'iso',
  kysely: 'iso',
  oxen: 'iso',
  drizzle: 'iso',
  objection: 'iso',
  typeorm: 'typeorm',
  sequelize: 'sequelize',
  mikroorm: 'ms',
};

/** A Date in one of the SQLite storage formats (always UTC). */
export function formatSqliteDate(d: Date, format: DateFormat): string | number {
  switch (format) {
    case 'iso':
      return d.toISOString();
    case 'typeorm':
      return d.toISOString().replace('T', ' ').replace('Z', '');
    case 'sequelize':
      return `${d.toISOString().replace('T', ' ').replace('Z', '')} +00:00`;
    case 'ms':
      return d.getTime();
  }
}

/** The same pragmas for every SQLite entry (journal_mode=WAL is also persisted in the file). */
export const SQLITE_PRAGMAS = ['journal_mode = WAL', 'synchronous = NORMAL', 'foreign_keys = ON'];

// ---------------------------------------------------------------------------------------------------
// Entries.

/** Where a child's entry connects. */
export interface Target {
  readonly dialect: Dialect;
  /** SQLite: the database file. */
  readonly file?: string;
  /** PostgreSQL: connection parts. */
  readonly pg?: { readonly host: string; readonly port: number; readonly user: string; readonly password?: string; readonly database: string };
}

export function pgUrl(t: Target): string {
  const p = t.pg!;
  const auth = p.password ? `${encodeURIComponent(p.user)}:${encodeURIComponent(p.password)}` : encodeURIComponent(p.user);
  return `postgres://${auth}@${p.host}:${p.port}/${p.database}`;
}

/** A user as each library hydrates it: its own model object, with these properties. */
export interface UserLike {
  id: number;
  name: string;
  email: string;
  age: number;
  isActive: boolean;
  createdAt: Date;
}

export interface PostLike {
  id: number;
  title: string;
  published: boolean;
}

/**
 * One library's implementation of the workloads. A missing method is a workload the library cannot do;
 * `na` says why. Every method does one operation as an application would write it with that library.
 */
export interface Entry {
  /** W1: INSERT one row; resolves to the library's object for it, with its new primary key. */
  insertOne?(u: UserInput): Promise<{ id: number }>;
  /** W2: INSERT every row, in one transaction, as few statements as the library makes. */
  bulkInsert?(rows: UserInput[], chunk: number): Promise<void>;
  /** W3: the user with this primary key. */
  findByPk?(id: number): Promise<UserLike>;
  /** W4: `age >= 30 AND isActive ORDER BY name LIMIT 100`. */
  filtered?(): Promise<UserLike[]>;
  /** W5: every user. */
  all?(): Promise<UserLike[]>;
  /** W6: every user with its posts (eager loading); each user's posts are in `posts` (or the library's equivalent). */
  eager?(): Promise<{ user: UserLike; posts: PostLike[] }[]>;
  /** W7: UPDATE one row by primary key (age and isActive), without loading it first. */
  updateOne?(id: number, age: number, isActive: boolean): Promise<void>;
  /** W8: COUNT of `age = $age AND isActive`. */
  count?(age: number): Promise<number>;
  /** W9: every user through the library's streaming API; `onRow` is called per hydrated object. */
  stream?(chunkSize: number, onRow: (u: UserLike) => void): Promise<void>;
  /** Why a workload is not available. */
  readonly na?: Partial<Record<WorkloadId, string>>;
  close(): Promise<void>;
}

export type EntryFactory = (target: Target) => Promise<Entry>;

export const ENTRY_NAMES = ['raw', 'kysely', 'oxen', 'typeorm', 'sequelize', 'drizzle', 'mikroorm', 'objection'] as const;
export type EntryName = (typeof ENTRY_NAMES)[number];

export const ENTRY_LABELS: Record<EntryName, Record<Dialect, string>> = {
  raw: { sqlite: 'raw better-sqlite3', postgres: 'raw pg' },
  kysely: { sqlite: 'raw Kysely', postgres: 'raw Kysely' },
  oxen: { sqlite: 'Oxen', postgres: 'Oxen' },
  typeorm: { sqlite: 'TypeORM', postgres: 'TypeORM' },
  sequelize: { sqlite: 'Sequelize', postgres: 'Sequelize' },
  drizzle: { sqlite: 'Drizzle', postgres: 'Drizzle' },
  mikroorm: { sqlite: 'MikroORM', postgres: 'MikroORM' },
  objection: { sqlite: 'Objection', postgres: 'Objection' },
};
