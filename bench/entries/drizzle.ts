/**
 * Drizzle ORM with its query builder (not `.prepare()`d: the way most application code is written) and
 * its relational query API for W6. SQLite over better-sqlite3 (DateTime as ISO text through a
 * `customType`, Drizzle's documented way for a text date); PostgreSQL over a pg Pool.
 */
import Database from 'better-sqlite3';
import { and, asc, eq, gte, relations } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { boolean, pgTable, serial, timestamp, integer as pgInteger, varchar } from 'drizzle-orm/pg-core';
import { customType, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import pg from 'pg';
import { SQLITE_PRAGMAS, type Entry, type Target, type UserLike } from '../lib/common.js';
import { pgConfig } from '../lib/datasets.js';

const isoDate = customType<{ data: Date; driverData: string }>({
  dataType: () => 'text',
  toDriver: (value) => value.toISOString(),
  fromDriver: (value) => new Date(value),
});

const sUsers = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  email: text('email').notNull(),
  age: integer('age').notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull(),
  createdAt: isoDate('created_at').notNull(),
});
const sPosts = sqliteTable('posts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  userId: integer('user_id').notNull(),
  title: text('title').notNull(),
  published: integer('published', { mode: 'boolean' }).notNull(),
});
const sUsersRelations = relations(sUsers, ({ many }) => ({ posts: many(sPosts) }));
const sPostsRelations = relations(sPosts, ({ one }) => ({ user: one(sUsers, { fields: [sPosts.userId], references: [sUsers.id] }) }));

const pUsers = pgTable('users', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 100 }).notNull(),
  email: varchar('email', { length: 255 }).notNull(),
  age: pgInteger('age').notNull(),
  isActive: boolean('is_active').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
const pPosts = pgTable('posts', {
  id: serial('id').primaryKey(),
  userId: pgInteger('user_id').notNull(),
  title: varchar('title', { length: 200 }).notNull(),
  published: boolean('published').notNull(),
});
const pUsersRelations = relations(pUsers, ({ many }) => ({ posts: many(pPosts) }));
const pPostsRelations = relations(pPosts, ({ one }) => ({ user: one(pUsers, { fields: [pPosts.userId], references: [pUsers.id] }) }));

export async function createEntry(target: Target): Promise<Entry> {
  return target.dialect === 'sqlite' ? sqliteEntry(target.file!) : postgresEntry(target);
}

const na = { W9: 'no streaming API for SQLite or node-postgres (iterator() exists only for the MySQL drivers)' };

function sqliteEntry(file: string): Entry {
  const client = new Database(file);
  for (const p of SQLITE_PRAGMAS) client.pragma(p);
  const db = drizzleSqlite({ client, schema: { users: sUsers, posts: sPosts, sUsersRelations, sPostsRelations } });
  const users = sUsers;
  return {
    na,
    async insertOne(u) {
      const [row] = await db.insert(users).values(u).returning({ id: users.id });
      return { ...u, id: row.id };
    },
    async bulkInsert(rows, chunk) {
      // better-sqlite3 transactions are synchronous in Drizzle.
      db.transaction((tx) => {
        for (let i = 0; i < rows.length; i += chunk) tx.insert(users).values(rows.slice(i, i + chunk)).run();
      });
    },
    async findByPk(id) {
      return (await db.select().from(users).where(eq(users.id, id)))[0] as UserLike;
    },
    async filtered() {
      return db.select().from(users).where(and(gte(users.age, 30), eq(users.isActive, true))).orderBy(asc(users.name)).limit(100);
    },
    async all() {
      return db.select().from(users);
    },
    async eager() {
      const list = await db.query.users.findMany({ with: { posts: true } });
      return list.map((user) => ({ user, posts: user.posts }));
    },
    async updateOne(id, age, isActive) {
      await db.update(users).set({ age, isActive }).where(eq(users.id, id));
    },
    async count(age) {
      return db.$count(users, and(eq(users.age, age), eq(users.isActive, true)));
    },
    async close() {
      client.close();
    },
  };
}

async function postgresEntry(target: Target): Promise<Entry> {
  const pool = new pg.Pool({ ...pgConfig(target), max: 10 });
  const db = drizzlePg({ client: pool, schema: { users: pUsers, posts: pPosts, pUsersRelations, pPostsRelations } });
  const users = pUsers;
  return {
    na,
    async insertOne(u) {
      const [row] = await db.insert(users).values(u).returning({ id: users.id });
      return { ...u, id: row.id };
    },
    async bulkInsert(rows, chunk) {
      await db.transaction(async (tx) => {
        for (let i = 0; i < rows.length; i += chunk) await tx.insert(users).values(rows.slice(i, i + chunk));
      });
    },
    async findByPk(id) {
      return (await db.select().from(users).where(eq(users.id, id)))[0] as UserLike;
    },
    async filtered() {
      return db.select().from(users).where(and(gte(users.age, 30), eq(users.isActive, true))).orderBy(asc(users.name)).limit(100);
    },
    async all() {
      return db.select().from(users);
    },
    async eager() {
      const list = await db.query.users.findMany({ with: { posts: true } });
      return list.map((user) => ({ user, posts: user.posts }));
    },
    async updateOne(id, age, isActive) {
      await db.update(users).set({ age, isActive }).where(eq(users.id, id));
    },
    async count(age) {
      return db.$count(users, and(eq(users.age, age), eq(users.isActive, true)));
    },
    async close() {
      await pool.end();
    },
  };
}
