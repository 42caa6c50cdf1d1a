/**
 * Sequelize 6 (Model.init classes). Its SQLite dialect only runs on node-sqlite3 (`sqlite3`), a
 * different, asynchronous driver from better-sqlite3: its SQLite numbers include that driver's cost.
 * PostgreSQL through pg.
 */
import { DataTypes, Model, Op, Sequelize } from 'sequelize';
import { SQLITE_PRAGMAS, type Entry, type Target, type UserLike } from '../lib/common.js';

class SUser extends Model {
  declare id: number;
  declare name: string;
  declare email: string;
  declare age: number;
  declare isActive: boolean;
  declare createdAt: Date;
  declare posts?: SPost[];
}

class SPost extends Model {
  declare id: number;
  declare title: string;
  declare published: boolean;
  declare userId: number;
}

interface SqliteConnection {
  run(sql: string, cb: (err: Error | null) => void): void;
}

export async function createEntry(target: Target): Promise<Entry> {
  const sqlite = target.dialect === 'sqlite';
  const common = { logging: false as const, benchmark: false };
  const sequelize = sqlite
    ? new Sequelize({ ...common, dialect: 'sqlite', storage: target.file! })
    : new Sequelize({
        ...common,
        dialect: 'postgres',
        host: target.pg!.host,
        port: target.pg!.port,
        username: target.pg!.user,
        password: target.pg!.password,
        database: target.pg!.database,
        pool: { max: 10 },
      });
  if (sqlite) {
    // Sequelize's SQLite dialect opens one connection, plus one per transaction, and runs no
    // afterConnect hooks for them: give every new connection the same pragmas as the other entries.
    const manager = sequelize.connectionManager as unknown as { getConnection(options?: unknown): Promise<SqliteConnection> };
    const getConnection = manager.getConnection.bind(manager);
    const prepared = new WeakSet<object>();
    manager.getConnection = async (options?: unknown) => {
      const connection = await getConnection(options);
      if (!prepared.has(connection)) {
        prepared.add(connection);
        for (const p of SQLITE_PRAGMAS) await new Promise<void>((resolve, reject) => connection.run(`PRAGMA ${p}`, (err) => (err ? reject(err) : resolve())));
      }
      return connection;
    };
  }

  SUser.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: { type: DataTypes.STRING(100), allowNull: false },
      email: { type: DataTypes.STRING(255), allowNull: false },
      age: { type: DataTypes.INTEGER, allowNull: false },
      isActive: { type: DataTypes.BOOLEAN, allowNull: false, field: 'is_active' },
      createdAt: { type: DataTypes.DATE, allowNull: false, field: 'created_at' },
    },
    { sequelize, tableName: 'users', timestamps: false },
  );
  SPost.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      title: { type: DataTypes.STRING(200), allowNull: false },
      published: { type: DataTypes.BOOLEAN, allowNull: false },
      userId: { type: DataTypes.INTEGER, allowNull: false, field: 'user_id' },
    },
    { sequelize, tableName: 'posts', timestamps: false },
  );
  SUser.hasMany(SPost, { as: 'posts', foreignKey: 'userId' });
  SPost.belongsTo(SUser, { as: 'user', foreignKey: 'userId' });
  await sequelize.authenticate();

  return {
    na: { W9: 'no streaming API' },
    async insertOne(u) {
      return SUser.create({ ...u });
    },
    async bulkInsert(rows, chunk) {
      await sequelize.transaction(async (transaction) => {
        for (let i = 0; i < rows.length; i += chunk) await SUser.bulkCreate(rows.slice(i, i + chunk) as never[], { transaction });
      });
    },
    async findByPk(id) {
      return (await SUser.findByPk(id)) as UserLike;
    },
    async filtered() {
      return SUser.findAll({ where: { age: { [Op.gte]: 30 }, isActive: true }, order: [['name', 'ASC']], limit: 100 });
    },
    async all() {
      return SUser.findAll();
    },
    async eager() {
      const list = await SUser.findAll({ include: [{ model: SPost, as: 'posts' }] });
      return list.map((user) => ({ user, posts: user.posts ?? [] }));
    },
    async updateOne(id, age, isActive) {
      await SUser.update({ age, isActive }, { where: { id } });
    },
    async count(age) {
      return SUser.count({ where: { age, isActive: true } });
    },
    async close() {
      await sequelize.close();
    },
  };
}
