/**
 * Oxen, from `OXEN_DIST`: the working tree's (or `--oxen-ref REF`'s) src/ compiled with the repository's
 * tsc into bench/.oxen-build/ by run.ts, i.e. the JavaScript users run. Without `OXEN_DIST` (a child
 * started by hand, or `--oxen-tsx`), the working tree's `../../src/index.js` through tsx.
 *
 * Workloads that need an API Oxen does not have yet are n/a and are picked up automatically when the
 * API lands: W2 uses `Model.bulkCreate` when it exists; W6 uses `ForeignKey` + `prefetchRelated`
 * (the API.md §4 shapes) when they exist.
 */
import { pathToFileURL } from 'node:url';
import { pgUrl, type Entry, type PostLike, type Target, type UserLike, type WorkloadId } from '../lib/common.js';

type Oxen = typeof import('../../src/index.js');
const oxen: Oxen = await import(process.env.OXEN_DIST ? pathToFileURL(process.env.OXEN_DIST).href : '../../src/index.js');
const { BooleanField, CharField, DateTimeField, IntField, Model, closeAll, connect, model, transaction } = oxen;

@model({ table: 'users' })
class User extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255 }) email!: string;
  @IntField() age!: number;
  @BooleanField({ column: 'is_active' }) isActive!: boolean;
  @DateTimeField({ column: 'created_at' }) createdAt!: Date;
}

type AnyFn = (...args: any[]) => any;
const api = oxen as unknown as Record<string, unknown>;

/** Post with a ForeignKey to User, when Oxen has relations (API.md §2); otherwise null with the reason. */
function definePost(): { Post: unknown; reason: null } | { Post: null; reason: string } {
  const ForeignKey = api.ForeignKey as AnyFn | undefined;
  const qsProto = (oxen.QuerySet as unknown as { prototype: Record<string, unknown> }).prototype;
  if (typeof ForeignKey !== 'function' || typeof qsProto.prefetchRelated !== 'function') return { Post: null, reason: 'relations not implemented' };
  try {
    class Post extends Model {
      declare id: number;
      declare userId: number;
      title!: string;
      published!: boolean;
    }
    CharField({ maxLength: 200 })(Post.prototype, 'title');
    BooleanField()(Post.prototype, 'published');
    ForeignKey(() => User, { relatedName: 'posts', onDelete: 'CASCADE', column: 'user_id' })(Post.prototype, 'user');
    model({ table: 'posts' })(Post);
    return { Post, reason: null };
  } catch (error) {
    return { Post: null, reason: `relations present but the model failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

const post = definePost();

export async function createEntry(target: Target): Promise<Entry> {
  await connect(target.dialect === 'sqlite' ? `sqlite://${target.file!}` : pgUrl(target));
  const na: Partial<Record<WorkloadId, string>> = {};
  const bulkCreate = (User as unknown as Record<string, unknown>).bulkCreate as AnyFn | undefined;
  if (typeof bulkCreate !== 'function') na.W2 = 'bulkCreate not implemented';
  if (post.reason !== null) na.W6 = post.reason;

  const entry: Entry = {
    na,
    async insertOne(u) {
      return User.create({ name: u.name, email: u.email, age: u.age, isActive: u.isActive, createdAt: u.createdAt });
    },
    async findByPk(id) {
      return User.get({ id });
    },
    async filtered() {
      return User.filter({ age__gte: 30, isActive: true }).orderBy('name').limit(100);
    },
    async all() {
      return User.all();
    },
    async updateOne(id, age, isActive) {
      await User.filter({ id }).update({ age, isActive });
    },
    async count(age) {
      return User.filter({ age, isActive: true }).count();
    },
    async stream(chunkSize, onRow) {
      for await (const u of User.all().iterator({ chunkSize })) onRow(u);
    },
    async close() {
      await closeAll();
    },
  };
  if (typeof bulkCreate === 'function') {
    entry.bulkInsert = async (rows) => {
      await transaction(async () => {
        await bulkCreate.call(User, rows);
      });
    };
  }
  if (post.Post !== null) {
    entry.eager = async () => {
      const users = (await (User.all() as unknown as { prefetchRelated(...r: string[]): PromiseLike<UserLike[]> }).prefetchRelated('posts')) as unknown as (UserLike & { posts: { all(): PromiseLike<PostLike[]> } })[];
      const out: { user: UserLike; posts: PostLike[] }[] = [];
      for (const user of users) out.push({ user, posts: await user.posts.all() });
      return out;
    };
  }
  return entry;
}
