/**
 * Signals, validation and transactions together.
 *
 *   npx tsx examples/signals-and-transactions.ts                       # SQLite in memory
 *   npx tsx examples/signals-and-transactions.ts postgres://root@127.0.0.1:5432/test
 *
 * A postSave handler writes an audit row (inside the caller's transaction, so it commits or rolls back
 * with it) and queues the welcome mail with onCommit (so no mail leaves for a customer that was rolled
 * back). Run it and read the output top to bottom.
 */
import 'reflect-metadata';
import { IsEmail } from 'class-validator';
import {
  CharField,
  F,
  IntField,
  IntegrityError,
  Model,
  PreSave,
  ValidationError,
  closeAll,
  connect,
  dropSchema,
  model,
  onCommit,
  postSave,
  preDelete,
  signals,
  syncSchema,
  transaction,
} from '../src/index.js';

@model({ table: 'example_customers' })
class Customer extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) name!: string;
  @CharField({ maxLength: 255, unique: true }) @IsEmail() email!: string;
  @IntField({ default: 0, min: 0 }) credits!: number;

  /** A hook: runs after validation, before the preSave listeners and the SQL. */
  @PreSave() normaliseEmail(): void {
    this.email = this.email.trim().toLowerCase();
  }
}

@model({ table: 'example_audit' })
class AuditEntry extends Model {
  declare id: number;
  @CharField({ maxLength: 200 }) message!: string;
}

/** Stands in for a mail server: what was "sent", in order. */
const outbox: string[] = [];

function sendWelcomeMail(customer: Customer): void {
  outbox.push(customer.email);
  console.log(`  mail sent to ${customer.email}`);
}

async function show(title: string): Promise<void> {
  const customers = await Customer.all().orderBy('email').values('email', 'credits');
  const audit = await AuditEntry.all().orderBy('id').valuesList('message', { flat: true });
  console.log(`  ${title}: customers=${JSON.stringify(customers)}`);
  console.log(`  audit=${JSON.stringify(audit)} outbox=${JSON.stringify(outbox)}`);
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? process.env.DATABASE_URL ?? 'sqlite://:memory:';
  await connect(url, {
    logger: (level, message) => {
      if (level === 'warn' || level === 'error') console.log(`  [oxen ${level}] ${message}`);
    },
  });
  await dropSchema({ models: [Customer, AuditEntry] });
  await syncSchema({ models: [Customer, AuditEntry] });
  console.log(`connected to ${url}`);

  // Signals: audit inside the write's transaction, mail only after COMMIT.
  postSave.connect(Customer, async ({ instance, created }) => {
    await AuditEntry.create({ message: `${created ? 'created' : 'updated'} ${instance.email}` });
    if (created) onCommit(() => sendWelcomeMail(instance));
  });
  preDelete.connect(Customer, ({ instance }) => {
    if (instance.credits > 0) throw new Error(`${instance.email} still has ${instance.credits} credits`);
  });
  signals.onError(({ error, signal, sender }) => {
    console.log(`  signals.onError: a ${signal} handler of ${sender.name} threw "${(error as Error).message}"; the write stands`);
  });

  console.log('\n1. Validation runs first: nothing reaches a signal or the database');
  try {
    await Customer.create({ name: 'Mallory', email: 'not-an-email', credits: -5 });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    console.log(`  ValidationError: ${JSON.stringify(error.errors)}`);
  }
  await show('after the invalid create');

  console.log('\n2. A committed transaction: audit rows commit with it, mails leave after COMMIT');
  await transaction(async () => {
    await Customer.create({ name: 'Ann', email: 'Ann@Example.com', credits: 50 });
    await Customer.create({ name: 'Bob', email: 'bob@example.com' });
    console.log(`  inside the transaction, mails sent so far: ${outbox.length}`);
  });
  await show('after COMMIT');

  console.log('\n3. A transaction that throws: everything rolls back, no mail leaves');
  try {
    await transaction(async () => {
      await Customer.create({ name: 'Cy', email: 'cy@example.com' });
      throw new Error('payment declined');
    });
  } catch (error) {
    console.log(`  transaction() re-threw: ${(error as Error).message}`);
  }
  await show('after ROLLBACK');

  console.log('\n4. A nested transaction is a savepoint: its failure rolls back only itself');
  await transaction(async () => {
    await Customer.create({ name: 'Dee', email: 'dee@example.com' });
    try {
      await transaction(() => Customer.create({ name: 'Ann again', email: 'ann@example.com' }));
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      console.log(`  the duplicate was rolled back to its savepoint (IntegrityError, kind '${error.kind}')`);
    }
  });
  await show('after the outer COMMIT');

  console.log('\n5. Moving credits: lock the rows, then let the database do the arithmetic with F()');
  await transaction(async () => {
    const [ann] = await Customer.filter({ email: 'ann@example.com' }).selectForUpdate();
    if (ann.credits < 20) throw new Error('not enough credits');
    await Customer.filter({ id: ann.id }).update({ credits: F('credits').sub(20) });
    await Customer.filter({ email: 'bob@example.com' }).update({ credits: F('credits').add(20) });
  });
  await show('after the transfer (QuerySet.update sends no signals: no audit rows)');

  console.log('\n6. A pre-signal that throws aborts the write; a post-signal that throws does not');
  const bob = await Customer.get({ email: 'bob@example.com' });
  try {
    await bob.delete();
  } catch (error) {
    console.log(`  delete refused by preDelete: ${(error as Error).message}`);
  }
  const off = postSave.connect(Customer, () => {
    throw new Error('analytics is down');
  });
  bob.name = 'Robert';
  await bob.save();
  off();
  console.log(`  save() resolved; stored name: ${(await Customer.get({ id: bob.id })).name}`);
  await show('at the end');

  await dropSchema({ models: [Customer, AuditEntry] });
  await closeAll();
}

main().catch(async (error: unknown) => {
  console.error(error);
  await closeAll();
  process.exitCode = 1;
});
