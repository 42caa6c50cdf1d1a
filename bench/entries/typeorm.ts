/**
 * TypeORM (data-mapper repositories, decorated entity classes with explicit column types, so no
 * emitDecoratorMetadata is needed). SQLite through its better-sqlite3 driver; PostgreSQL through pg.
 */
import 'reflect-metadata';
import { Column, DataSource, Entity, JoinColumn, ManyToOne, MoreThanOrEqual, OneToMany, PrimaryGeneratedColumn, type Repository } from 'typeorm';
import { SQLITE_PRAGMAS, type Entry, type Target, type UserLike } from '../lib/common.js';

export async function createEntry(target: Target): Promise<Entry> {
  const sqlite = target.dialect === 'sqlite';

  @Entity('users')
  class TUser {
    @PrimaryGeneratedColumn() id!: number;
    @Column({ type: 'varchar', length: 100 }) name!: string;
    @Column({ type: 'varchar', length: 255 }) email!: string;
    @Column({ type: 'integer' }) age!: number;
    @Column({ type: 'boolean', name: 'is_active' }) isActive!: boolean;
    @Column({ type: sqlite ? 'datetime' : 'timestamptz', name: 'created_at' }) createdAt!: Date;
    @OneToMany(() => TPost, (p) => p.user) posts!: TPost[];
  }

  @Entity('posts')
  class TPost {
    @PrimaryGeneratedColumn() id!: number;
    @Column({ type: 'varchar', length: 200 }) title!: string;
    @Column({ type: 'boolean' }) published!: boolean;
    @ManyToOne(() => TUser, (u) => u.posts, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'user_id' }) user!: TUser;
  }

  const entities = [TUser, TPost];
  const ds = sqlite
    ? new DataSource({
        type: 'better-sqlite3',
        database: target.file!,
        entities,
        synchronize: false,
        logging: false,
        prepareDatabase: (db: { pragma(s: string): unknown }) => {
          for (const p of SQLITE_PRAGMAS) db.pragma(p);
        },
      })
    : new DataSource({
        type: 'postgres',
        host: target.pg!.host,
        port: target.pg!.port,
        username: target.pg!.user,
        password: target.pg!.password,
        database: target.pg!.database,
        entities,
        synchronize: false,
        logging: false,
      });
  await ds.initialize();
  const users: Repository<TUser> = ds.getRepository(TUser);
  const where = { age: MoreThanOrEqual(30), isActive: true };

  return {
    na: { W9: 'no entity streaming: QueryBuilder.stream() yields raw rows' },
    async insertOne(u) {
      return users.save(users.create(u));
    },
    async bulkInsert(rows, chunk) {
      await ds.transaction(async (m) => {
        for (let i = 0; i < rows.length; i += chunk) await m.insert(TUser, rows.slice(i, i + chunk));
      });
    },
    async findByPk(id) {
      return (await users.findOneBy({ id })) as UserLike;
    },
    async filtered() {
      return users.find({ where, order: { name: 'ASC' }, take: 100 });
    },
    async all() {
      return users.find();
    },
    async eager() {
      const list = await users.find({ relations: { posts: true } });
      return list.map((user) => ({ user, posts: user.posts }));
    },
    async updateOne(id, age, isActive) {
      await users.update({ id }, { age, isActive });
    },
    async count(age) {
      return users.countBy({ age, isActive: true });
    },
    async close() {
      if (ds.isInitialized) await ds.destroy();
    },
  };
}
