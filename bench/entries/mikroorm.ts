/**
 * MikroORM 6 (the last major that runs on Node 20; v7 needs Node 22.17+), entities as classes with an
 * EntitySchema (no decorator metadata needed), one forked EntityManager per operation (a request-scoped
 * identity map, as MikroORM recommends). SQLite through @mikro-orm/better-sqlite (the same
 * better-sqlite3 driver as the baseline; @mikro-orm/sqlite 6 runs on node-sqlite3); PostgreSQL through
 * @mikro-orm/postgresql. MikroORM 6 stores SQLite datetimes as epoch milliseconds.
 */
import { Collection, EntitySchema } from '@mikro-orm/core';
import { SQLITE_PRAGMAS, type Entry, type Target, type UserLike } from '../lib/common.js';

class MUser {
  id!: number;
  name!: string;
  email!: string;
  age!: number;
  isActive!: boolean;
  createdAt!: Date;
  posts = new Collection<MPost>(this);
}

class MPost {
  id!: number;
  title!: string;
  published!: boolean;
  user!: MUser;
}

const UserSchema = new EntitySchema<MUser>({
  class: MUser,
  tableName: 'users',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    name: { type: 'string', length: 100 },
    email: { type: 'string', length: 255 },
    age: { type: 'number' },
    isActive: { type: 'boolean', fieldName: 'is_active' },
    createdAt: { type: 'Date', fieldName: 'created_at' },
    posts: { kind: '1:m', entity: () => MPost, mappedBy: 'user' },
  },
});

const PostSchema = new EntitySchema<MPost>({
  class: MPost,
  tableName: 'posts',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    title: { type: 'string', length: 200 },
    published: { type: 'boolean' },
    user: { kind: 'm:1', entity: () => MUser, fieldName: 'user_id' },
  },
});

export async function createEntry(target: Target): Promise<Entry> {
  const common = { entities: [UserSchema, PostSchema], debug: false, allowGlobalContext: false };
  let orm;
  if (target.dialect === 'sqlite') {
    const { MikroORM } = await import('@mikro-orm/better-sqlite');
    orm = await MikroORM.init({ ...common, dbName: target.file! });
    const connection = orm.em.getConnection();
    for (const p of SQLITE_PRAGMAS) await connection.execute(`pragma ${p}`);
  } else {
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const p = target.pg!;
    orm = await MikroORM.init({ ...common, host: p.host, port: p.port, user: p.user, password: p.password, dbName: p.database, pool: { max: 10 } });
  }
  const em = () => orm.em.fork();

  return {
    na: { W9: 'no streaming API in v6 (em.stream() arrives in v7, which needs Node 22)' },
    async insertOne(u) {
      const e = em();
      const user = e.create(MUser, u);
      await e.flush();
      return user;
    },
    async bulkInsert(rows, chunk) {
      await em().transactional(async (e) => {
        for (let i = 0; i < rows.length; i += chunk) await e.insertMany(MUser, rows.slice(i, i + chunk));
      });
    },
    async findByPk(id) {
      return (await em().findOneOrFail(MUser, id)) as UserLike;
    },
    async filtered() {
      return em().find(MUser, { age: { $gte: 30 }, isActive: true }, { orderBy: { name: 'asc' }, limit: 100 });
    },
    async all() {
      return em().find(MUser, {});
    },
    async eager() {
      const list = await em().find(MUser, {}, { populate: ['posts'] });
      return list.map((user) => ({ user, posts: user.posts.getItems() }));
    },
    async updateOne(id, age, isActive) {
      await em().nativeUpdate(MUser, { id }, { age, isActive });
    },
    async count(age) {
      return em().count(MUser, { age, isActive: true });
    },
    async close() {
      await orm.close(true);
    },
  };
}
