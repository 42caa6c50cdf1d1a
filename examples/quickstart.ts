/**
 * Oxen in one file: `npm run demo`. Two models on an embedded SQLite file, the schema, writes,
 * lookups, Q and F, counting and paging, a signal and a hook, and a transaction that rolls back.
 *
 * In your own project import from 'oxen-orm' instead of '../src/index.js'.
 */
import 'reflect-metadata';
import { rmSync } from 'node:fs';
import {
  BooleanField, CharField, DateTimeField, DecimalField, F, IntField, Model, PreSave, Q, closeAll, connect,
  getConnection, model, postSave, registry, syncSchema, transaction,
} from '../src/index.js';

const FILE = './oxen-demo.sqlite3';

@model({ table: 'authors', ordering: ['name'] })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255, unique: true }) email!: string;
  @IntField({ default: 0, min: 0 }) age!: number;
  @BooleanField({ default: true }) isActive!: boolean;
  @DateTimeField({ autoNowAdd: true }) createdAt!: Date;

  @PreSave() normalise(): void {
    this.email = this.email.trim().toLowerCase(); // runs before every INSERT/UPDATE
  }
}

@model() // table name: 'book' (snake_case of the class name)
class Book extends Model {
  declare id: number;
  @CharField({ maxLength: 200, index: true }) title!: string;
  @CharField({ maxLength: 255 }) authorEmail!: string; // a plain column; see examples/relations.ts for ForeignKey
  @DecimalField({ maxDigits: 8, decimalPlaces: 2 }) price!: string;
  @IntField({ default: 0 }) stock!: number;
}

const show = (label: string, value: unknown): void => console.log(`   ${label.padEnd(44)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
let sent = 0; // statements sent so far, from the connection's metrics
const step = (title: string): void => {
  const now = getConnection().metrics().queries;
  if (now > sent) console.log(`   (${now - sent} SQL statement${now - sent === 1 ? '' : 's'})`);
  sent = now;
  console.log(`\n== ${title}`);
};

async function main(): Promise<void> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(FILE + suffix, { force: true }); // a clean run every time
  console.log('\n== Connecting');
  const db = await connect(`sqlite://${FILE}`);
  show('connected', `${db.url} (dialect: ${db.dialect})`);

  step('Models');
  for (const { meta } of registry.models()) show(`${meta.name} → table '${meta.table}'`, meta.fieldNames.join(', '));
  const created = await syncSchema();
  show('syncSchema() created tables', created.tables);
  show('... and indexes', created.indexes);

  step('Signals');
  const fired: string[] = [];
  const off = postSave.connect(Author, ({ instance, created: isNew }) => {
    fired.push(`postSave ${isNew ? 'INSERT' : 'UPDATE'} ${instance.name}`);
  });
  show('postSave listener', 'connected to Author');

  step('Writing rows');
  const ann = await Author.create({ name: 'Ann Lee', email: '  ANN@Example.io ', age: 34 });
  show('create() → id', ann.id);
  show('@PreSave normalised the email', ann.email);
  const bob = Author.build({ name: 'Bob Stone', email: 'bob@example.io' });
  bob.age = 17;
  await bob.save(); // INSERT
  bob.age = 18;
  await bob.save({ updateFields: ['age'] }); // UPDATE "authors" SET "age" = ? WHERE "id" = ?
  show('build() + save() twice → age', bob.age);
  await Author.create({ name: 'Diana Prince', email: 'diana@example.io', age: 29, isActive: false });
  const temp = await Author.create({ name: 'Temp', email: 'temp@example.io' });
  show('delete() → rows deleted', await temp.delete());
  for (const [title, email, price, stock] of [
    ['Tides of Ann', 'ann@example.io', '12.5', 3],
    ['Bob at Sea', 'bob@example.io', '8', 0],
    ['Annals', 'ann@example.io', '30.00', 7],
  ] as const) {
    await Book.create({ title, authorEmail: email, price, stock });
  }
  show('Book prices are exact decimal strings', (await Book.all().orderBy('id')).map((b) => b.price));

  step('Queries');
  show('age__gte: 18', (await Author.filter({ age__gte: 18 })).map((a) => a.name));
  show("name__icontains: 'ANN'", (await Author.filter({ name__icontains: 'ANN' })).map((a) => a.name));
  show("exclude({ isActive: false })", (await Author.exclude({ isActive: false })).map((a) => a.name));
  const young = Q({ age__lt: 20 }).or({ name__startswith: 'D' });
  show("Q(age__lt: 20).or(name__startswith: 'D')", (await Author.filter(young)).map((a) => a.name));
  show('Book.filter({ stock__gt: 0 }).count()', await Book.filter({ stock__gt: 0 }).count());
  show("exists() for price__gte: '100'", await Book.filter({ price__gte: '100' }).exists());
  show("values('title', 'price')", await Book.all().orderBy('title').values('title', 'price'));
  const page = await Author.all().paginate({ page: 1, pageSize: 2 });
  show('paginate({ page: 1, pageSize: 2 })', { items: page.items.map((a) => a.name), total: page.total, pages: page.pages });
  show("update({ stock: F('stock').add(10) })", await Book.filter({ stock: 0 }).update({ stock: F('stock').add(10) }));
  show('Book stock now', await Book.all().orderBy('title').valuesList('stock', { flat: true }));
  show('compile() (no query sent)', Author.filter({ age__gte: 18 }).orderBy('-age').limit(5).compile().sql);

  step('Transactions');
  try {
    await transaction(async () => {
      await Author.create({ name: 'Eve', email: 'eve@example.io', age: 40 });
      show('inside: authors', await Author.count());
      throw new Error('payment failed'); // any throw rolls the transaction back
    });
  } catch (error) {
    show('rolled back because', (error as Error).message);
  }
  show('after: authors', await Author.count());
  const result = await transaction(async () => {
    const frank = await Author.create({ name: 'Frank', email: 'frank@example.io', age: 52 });
    return frank.name;
  });
  show('committed', result);

  step('Summary');
  off();
  show('signals fired', fired.length);
  for (const line of fired) console.log(`     - ${line}`);
  console.log('     (signals fire when the SQL runs: Eve\'s INSERT was rolled back later)');
  show('rows', { authors: await Author.count(), books: await Book.count() });
  show('SQL statements in total', getConnection().metrics().queries);
  show('database file', FILE);
  await closeAll();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await closeAll();
  process.exitCode = 1;
});
