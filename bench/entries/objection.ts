/**
 * Objection 3 over knex 3 (client better-sqlite3 for SQLite, pg for PostgreSQL). Models map columns with
 * `snakeCaseMappers()` and convert SQLite's 0/1 and ISO text in `$parseDatabaseJson`/`$formatDatabaseJson`,
 * Objection's documented hooks for it (Objection itself has no column types).
 * On SQLite Objection refuses array inserts ("batch insert only works with Postgresql and SQL Server"),
 * so W2 formats each row with the model's `$toDatabaseJson()` and inserts the chunks through
 * `Model.knexQuery()`, Objection's escape hatch to knex, 500 rows per statement (knex writes a SQLite
 * multi-row INSERT as INSERT ... SELECT ... UNION ALL, which SQLite caps at 500 terms).
 */
import knexFactory from 'knex';
import { Model, snakeCaseMappers, type Pojo } from 'objection';
import { SQLITE_PRAGMAS, type Entry, type Target, type UserLike } from '../lib/common.js';

let SQLITE = true;

class OPost extends Model {
  static override tableName = 'posts';
  static override columnNameMappers = snakeCaseMappers();
  id!: number;
  title!: string;
  published!: boolean;
  userId!: number;

  override $parseDatabaseJson(json: Pojo): Pojo {
    json = super.$parseDatabaseJson(json);
    if (SQLITE) json.published = json.published === 1;
    return json;
  }
}

class OUser extends Model {
  static override tableName = 'users';
  static override columnNameMappers = snakeCaseMappers();
  static override relationMappings = () => ({
    posts: { relation: Model.HasManyRelation, modelClass: OPost, join: { from: 'users.id', to: 'posts.user_id' } },
  });
  id!: number;
  name!: string;
  email!: string;
  age!: number;
  isActive!: boolean;
  createdAt!: Date;
  posts?: OPost[];

  override $parseDatabaseJson(json: Pojo): Pojo {
    json = super.$parseDatabaseJson(json);
    if (SQLITE) {
      if (json.isActive !== undefined) json.isActive = json.isActive === 1;
      if (json.createdAt !== undefined) json.createdAt = new Date(json.createdAt as string);
    }
    return json;
  }

  override $formatDatabaseJson(json: Pojo): Pojo {
    if (SQLITE) {
      if (json.createdAt instanceof Date) json.createdAt = json.createdAt.toISOString();
      if (typeof json.isActive === 'boolean') json.isActive = json.isActive ? 1 : 0;
    }
    return super.$formatDatabaseJson(json);
  }
}

export async function createEntry(target: Target): Promise<Entry> {
  SQLITE = target.dialect === 'sqlite';
  const knex = SQLITE
    ? knexFactory({
        client: 'better-sqlite3',
        connection: { filename: target.file! },
        useNullAsDefault: true,
        pool: {
          afterCreate: (conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) => {
            for (const p of SQLITE_PRAGMAS) conn.pragma(p);
            done(null, conn);
          },
        },
      })
    : knexFactory({ client: 'pg', connection: { host: target.pg!.host, port: target.pg!.port, user: target.pg!.user, password: target.pg!.password, database: target.pg!.database }, pool: { min: 0, max: 10 } });
  Model.knex(knex);

  return {
    na: { W9: 'no streaming API for models (knex .stream() yields raw rows)' },
    async insertOne(u) {
      return OUser.query().insert(u);
    },
    async bulkInsert(rows, chunkSize) {
      // knex writes a multi-row INSERT on SQLite as INSERT ... SELECT ... UNION ALL, which SQLite caps at 500 terms.
      const chunk = SQLITE ? Math.min(chunkSize, 500) : chunkSize;
      await OUser.transaction(async (trx) => {
        for (let i = 0; i < rows.length; i += chunk) {
          const part = rows.slice(i, i + chunk);
          if (SQLITE) await OUser.knexQuery().transacting(trx).insert(part.map((r) => OUser.fromJson(r).$toDatabaseJson()));
          else await OUser.query(trx).insert(part);
        }
      });
    },
    async findByPk(id) {
      return (await OUser.query().findById(id)) as UserLike;
    },
    async filtered() {
      return OUser.query().where('age', '>=', 30).where('is_active', true).orderBy('name').limit(100);
    },
    async all() {
      return OUser.query();
    },
    async eager() {
      const list = await OUser.query().withGraphFetched('posts');
      return list.map((user) => ({ user, posts: user.posts ?? [] }));
    },
    async updateOne(id, age, isActive) {
      await OUser.query().findById(id).patch({ age, isActive });
    },
    async count(age) {
      return OUser.query().where('age', age).where('is_active', true).resultSize();
    },
    async close() {
      await knex.destroy();
    },
  };
}
