/**
 * Model-level transactions on every dialect: model calls joining `transaction()` implicitly, rollback
 * re-throwing the same error, nested savepoints, onCommit, `using` and `isolation`, statement counts,
 * signals running inside the transaction, DDL inside a transaction, and statements of other async
 * contexts never joining. (Kysely-level transaction tests live in test/engine/transaction.test.ts.)
 */
import 'reflect-metadata';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CharField,
  IntField,
  IntegrityError,
  Model,
  OperationalError,
  TransactionError,
  closeAll,
  connect,
  disconnect,
  getConnection,
  inTransaction,
  model,
  onCommit,
  postSave,
  preSave,
  syncSchema,
  transaction,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'txn_account' })
class Account extends Model {
  declare id: number;
  @CharField({ maxLength: 50, unique: true }) owner!: string;
  @IntField({ default: 0 }) balance!: number;
}

@model({ table: 'txn_audit' })
class Audit extends Model {
  declare id: number;
  @CharField({ maxLength: 100 }) event!: string;
}

/** Never in the suite's schema: created (or not) by the DDL tests. */
@model({ table: 'txn_ddl_probe' })
class DdlProbe extends Model {
  @CharField({ maxLength: 10 }) label!: string;
}

const MODELS = [Account, Audit];

async function owners(using?: string): Promise<string[]> {
  const qs = using === undefined ? Account.all() : Account.using(using);
  return (await qs.orderBy('owner').valuesList('owner', { flat: true })) as string[];
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

forEachDialect(
  'transactions with models',
  (ctx) => {
    const server = ctx.dialect !== 'sqlite';
    const offs: (() => void)[] = [];

    afterEach(() => {
      for (const off of offs.splice(0)) off();
    });

    /** A second alias on the same database (PostgreSQL/MySQL only: SQLite's :memory: is per connection). */
    async function peer(): Promise<string> {
      if (!getConnectionOrNull('txn_peer')) await connect(ctx.url, { alias: 'txn_peer' });
      return 'txn_peer';
    }

    describe('model calls join implicitly', () => {
      it('creates inside transaction() commit together, are visible inside, and the result is returned', async () => {
        const result = await transaction(async (tx) => {
          expect(tx.depth).toBe(1);
          expect(inTransaction()).toBe(true);
          const a = await Account.create({ owner: 'ann', balance: 10 });
          await Account.create({ owner: 'bob', balance: 20 });
          expect(await Account.count()).toBe(2);
          if (server) expect(await owners(await peer())).toEqual([]); // not committed yet
          return a;
        });
        expect(result).toBeInstanceOf(Account);
        expect(result.owner).toBe('ann');
        expect(await owners()).toEqual(['ann', 'bob']);
        if (server) expect(await owners(await peer())).toEqual(['ann', 'bob']);
      });

      it('save(), delete(), QuerySet.update()/delete() and raw() inside join the transaction and roll back with it', async () => {
        const kept = await Account.create({ owner: 'kept', balance: 1 });
        const doomed = await Account.create({ owner: 'doomed', balance: 2 });
        const boom = new Error('undo everything');
        const error = await rejection(
          transaction(async () => {
            kept.balance = 100;
            await kept.save();
            await doomed.delete();
            await Account.filter({ owner: 'kept' }).update({ owner: 'renamed' });
            await Account.create({ owner: 'new' });
            expect(await Account.raw('SELECT * FROM txn_account WHERE owner = ?', ['new'])).toHaveLength(1);
            await Account.filter({ owner: 'new' }).delete();
            throw boom;
          }),
        );
        expect(error).toBe(boom);
        const rows = await Account.all().orderBy('owner').values('owner', 'balance');
        expect(rows).toEqual([
          { owner: 'doomed', balance: 2 },
          { owner: 'kept', balance: 1 },
        ]);
      });

      it('a throw after several creates rolls all of them back and re-throws the same error object', async () => {
        const boom = new Error('boom');
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'a' });
            await Account.create({ owner: 'b' });
            throw boom;
          }),
        );
        expect(error).toBe(boom);
        expect(await Account.count()).toBe(0);
      });

      it('a failing statement (unique violation) rejects with IntegrityError and rolls back the earlier creates', async () => {
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'dup' });
            await Account.create({ owner: 'other' });
            await Account.create({ owner: 'dup' });
          }),
        );
        expect(error).toBeInstanceOf(IntegrityError);
        expect((error as IntegrityError).kind).toBe('unique');
        expect(await Account.count()).toBe(0);
      });

      it('a statement from another async context never joins an open transaction', async () => {
        const inside = deferred();
        const outsideIssued = deferred();
        const boom = new Error('rolled back');
        const outside: { create?: Promise<Account> } = {};
        const tx = transaction(async () => {
          await Account.create({ owner: 'in-tx' });
          inside.resolve();
          await outsideIssued.promise;
          if (server) {
            // PostgreSQL/MySQL: the outside create runs on another pooled connection and commits while this transaction is open.
            await outside.create;
            expect(await owners(await peer())).toEqual(['outside']);
          } else {
            // SQLite: one connection; the outside create queues behind this transaction instead of joining it.
            await vi.waitFor(() => expect(getConnection().metrics().pool.waiting).toBe(1));
          }
          throw boom;
        });
        await inside.promise;
        expect(inTransaction()).toBe(false);
        outside.create = Account.create({ owner: 'outside' });
        outsideIssued.resolve();
        expect(await rejection(tx)).toBe(boom);
        await outside.create;
        expect(await owners()).toEqual(['outside']);
      });
    });

    describe('nested transactions are savepoints', () => {
      it('an inner throw rolls back only the inner part; the outer commits', async () => {
        const inner = new Error('inner');
        await transaction(async () => {
          await Account.create({ owner: 'outer-1' });
          const error = await rejection(
            transaction(async (sp) => {
              expect(sp.depth).toBe(2);
              await Account.create({ owner: 'inner' });
              expect(await Account.count()).toBe(2);
              throw inner;
            }),
          );
          expect(error).toBe(inner);
          expect(await Account.count()).toBe(1);
          await Account.create({ owner: 'outer-2' });
        });
        expect(await owners()).toEqual(['outer-1', 'outer-2']);
      });

      it('a failing statement inside a savepoint can be recovered from on every dialect', async () => {
        await transaction(async () => {
          await Account.create({ owner: 'first' });
          const error = await rejection(transaction(() => Account.create({ owner: 'first' })));
          expect(error).toBeInstanceOf(IntegrityError);
          await Account.create({ owner: 'second' });
        });
        expect(await owners()).toEqual(['first', 'second']);
      });

      it('a successful inner part commits only with the outer; an outer throw rolls back both', async () => {
        const outer = new Error('outer');
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'o' });
            const r = await transaction(async () => {
              await Account.create({ owner: 'i' });
              return transaction(async (sp) => {
                expect(sp.depth).toBe(3);
                await Account.create({ owner: 'ii' });
                return 'deep';
              });
            });
            expect(r).toBe('deep');
            if (server) expect(await owners(await peer())).toEqual([]);
            throw outer;
          }),
        );
        expect(error).toBe(outer);
        expect(await Account.count()).toBe(0);
      });

      it('nested transactions started concurrently take turns and keep their own savepoints', async () => {
        const settled = await transaction(async () => {
          await Account.create({ owner: 'base' });
          return Promise.allSettled(
            [1, 2, 3, 4, 5].map((i) =>
              transaction(async () => {
                await Account.create({ owner: `n${i}` });
                await sleep(6 - i); // later ones would finish first if they interleaved
                await Account.create({ owner: `n${i}b` });
                if (i === 3) throw new Error('third fails');
                return i;
              }),
            ),
          );
        });
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        expect(await owners()).toEqual(['base', 'n1', 'n1b', 'n2', 'n2b', 'n4', 'n4b', 'n5', 'n5b']);
      });

      it('a nested transaction cannot change the isolation level (TransactionError); the same level is accepted', async () => {
        await transaction({ isolation: 'serializable' }, async () => {
          await transaction({ isolation: 'serializable' }, () => Account.create({ owner: 'same level' }));
          const error = await rejection(transaction({ isolation: 'read committed' }, async () => 1));
          expect(error).toBeInstanceOf(TransactionError);
          expect((error as Error).message).toMatch(/a savepoint cannot change the isolation level/);
        });
        const error = await rejection(transaction(() => transaction({ isolation: 'serializable' }, async () => 1)));
        expect(error).toBeInstanceOf(TransactionError);
        expect((error as Error).message).toMatch(/opened with the database's default level/);
        expect(await owners()).toEqual(['same level']);
      });
    });

    describe('onCommit()', () => {
      it('runs after the outermost COMMIT (its writes visible outside), in registration order, including callbacks of released savepoints', async () => {
        const events: string[] = [];
        await transaction(async () => {
          const a = await Account.create({ owner: 'committed' });
          onCommit(async () => {
            events.push(`first: inTransaction=${inTransaction()}, owners=${(await owners()).join(',')}`);
          });
          await transaction(async () => {
            onCommit(() => events.push(`from savepoint: ${a.owner}`));
          });
          events.push('savepoint released');
          onCommit(() => events.push('third'));
          events.push('callback returns');
        });
        expect(events).toEqual(['savepoint released', 'callback returns', 'first: inTransaction=false, owners=committed', 'from savepoint: committed', 'third']);
      });

      it('never runs after a ROLLBACK, and a rolled-back savepoint drops its callbacks', async () => {
        const events: string[] = [];
        await rejection(
          transaction(async () => {
            onCommit(() => events.push('outer'));
            await transaction(async () => {
              onCommit(() => events.push('released savepoint of a rolled-back transaction'));
            });
            throw new Error('rollback');
          }),
        );
        await transaction(async () => {
          await rejection(
            transaction(async () => {
              onCommit(() => events.push('rolled-back savepoint'));
              throw new Error('inner');
            }),
          );
          onCommit(() => events.push('kept'));
        });
        expect(events).toEqual(['kept']);
      });

      it('outside any transaction runs at once', () => {
        const events: string[] = [];
        onCommit(() => events.push('now'));
        events.push('after onCommit returned');
        expect(events).toEqual(['now', 'after onCommit returned']);
      });

      it('work done in a callback runs outside the transaction (it commits on its own)', async () => {
        await transaction(async () => {
          await Account.create({ owner: 'main' });
          onCommit(async () => {
            await Audit.create({ event: `after commit: inTransaction=${inTransaction()}` });
          });
        });
        expect(await Audit.all().valuesList('event', { flat: true })).toEqual(['after commit: inTransaction=false']);
      });

      it('without `using` it waits for the innermost transaction of the context, whatever its alias', async () => {
        await connect(ctx.url, { alias: 'txn_cb' });
        const events: string[] = [];
        await transaction({ using: 'txn_cb' }, async () => {
          onCommit(() => events.push('txn_cb committed'));
          events.push('inside');
        });
        expect(events).toEqual(['inside', 'txn_cb committed']);
        await disconnect('txn_cb');
      });
    });

    describe('transaction(options, fn)', () => {
      it('using: the transaction runs on that alias; model calls join it through using()/{ using }', async () => {
        await connect(ctx.url, { alias: 'txn_other' });
        if (!server) await syncSchema({ models: MODELS, using: 'txn_other' });
        try {
          const boom = new Error('other rolls back');
          const error = await rejection(
            transaction({ using: 'txn_other' }, async (tx) => {
              expect(tx.alias).toBe('txn_other');
              expect([inTransaction('txn_other'), inTransaction()]).toEqual([true, false]);
              await Account.create({ owner: 'on-other' }, { using: 'txn_other' });
              expect(await Account.using('txn_other').filter({ owner: 'on-other' }).count()).toBe(1);
              await Account.create({ owner: 'on-default' }); // the default alias is not in a transaction
              throw boom;
            }),
          );
          expect(error).toBe(boom);
          expect(await Account.using('txn_other').filter({ owner: 'on-other' }).count()).toBe(0);
          expect(await Account.filter({ owner: 'on-default' }).count()).toBe(1);
        } finally {
          if (!server) await getConnection('txn_other').kysely.schema.dropTable('txn_account').ifExists().execute();
          await disconnect('txn_other');
        }
      });

      it("isolation: 'serializable' is accepted (on SQLite every transaction is serializable)", async () => {
        const owner = await transaction({ isolation: 'serializable' }, async () => (await Account.create({ owner: 'serial' })).owner);
        expect(owner).toBe('serial');
        expect(await owners()).toEqual(['serial']);
      });

      it.runIf(server)("isolation: 'repeatable read' keeps a snapshot; 'read committed' sees other commits", async () => {
        const other = await peer();
        await Account.create({ owner: 'existing' });
        const seen = await transaction({ isolation: 'repeatable read' }, async () => {
          const first = await Account.count();
          await Account.create({ owner: 'committed elsewhere' }, { using: other });
          return [first, await Account.count()];
        });
        expect(seen).toEqual([1, 1]);
        const seen2 = await transaction({ isolation: 'read committed' }, async () => {
          const first = await Account.count();
          await Account.create({ owner: 'committed elsewhere 2' }, { using: other });
          return [first, await Account.count()];
        });
        expect(seen2).toEqual([2, 3]);
      });
    });

    describe('statement counts (db.metrics().queries)', () => {
      const delta = async (fn: () => Promise<unknown>): Promise<number> => {
        const before = getConnection().metrics().queries;
        await fn().catch(() => undefined);
        return getConnection().metrics().queries - before;
      };

      it('BEGIN, INSERT, COMMIT: 3 statements', async () => {
        expect(await delta(() => transaction(() => Account.create({ owner: 'x' })))).toBe(3);
      });

      it('a released savepoint adds SAVEPOINT and RELEASE; a rolled-back one also ROLLBACK TO', async () => {
        expect(
          await delta(() =>
            transaction(async () => {
              await Account.create({ owner: 'a' });
              await transaction(() => Account.create({ owner: 'b' }));
            }),
          ),
        ).toBe(6);
        expect(
          await delta(() =>
            transaction(async () => {
              await Account.create({ owner: 'c' });
              await transaction(async () => {
                await Account.create({ owner: 'd' });
                throw new Error('inner');
              }).catch(() => undefined);
            }),
          ),
        ).toBe(7);
      });

      it('a throw: BEGIN, INSERT, ROLLBACK', async () => {
        expect(
          await delta(() =>
            transaction(async () => {
              await Account.create({ owner: 'y' });
              throw new Error('no');
            }),
          ),
        ).toBe(3);
      });

      it("isolation adds a statement only where the dialect sets it separately (MySQL's SET TRANSACTION)", async () => {
        const expected = ctx.dialect === 'mysql' ? 4 : 3;
        expect(await delta(() => transaction({ isolation: 'serializable' }, () => Account.create({ owner: 'z' })))).toBe(expected);
      });
    });

    describe('signals inside a transaction', () => {
      it('handlers run inside it: their writes commit with it', async () => {
        offs.push(
          postSave.connect(Account, async ({ instance, created }) => {
            expect(inTransaction()).toBe(true);
            await Audit.create({ event: `${created ? 'created' : 'updated'} ${instance.owner}` });
          }),
        );
        await transaction(async () => {
          await Account.create({ owner: 'ann' });
          await Account.create({ owner: 'bob' });
        });
        expect(await Audit.all().orderBy('event').valuesList('event', { flat: true })).toEqual(['created ann', 'created bob']);
      });

      it('a throwing preSave handler rolls back everything of the transaction when the error is not caught', async () => {
        const refused = new Error('refused');
        offs.push(
          postSave.connect(Account, async ({ instance }) => {
            await Audit.create({ event: `created ${instance.owner}` });
          }),
        );
        offs.push(
          preSave.connect(Account, ({ instance }) => {
            if (instance.owner === 'mallory') throw refused;
          }),
        );
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'ann' });
            await Account.create({ owner: 'bob' });
            await Account.create({ owner: 'mallory' });
            await Account.create({ owner: 'never' });
          }),
        );
        expect(error).toBe(refused);
        expect(await Account.count()).toBe(0);
        expect(await Audit.count()).toBe(0);
      });

      it('a throwing preSave handler that is caught aborts only that write', async () => {
        offs.push(
          preSave.connect(Account, ({ instance }) => {
            if (instance.owner === 'mallory') throw new Error('refused');
          }),
        );
        await transaction(async () => {
          await Account.create({ owner: 'ann' });
          await rejection(Account.create({ owner: 'mallory' }));
          await Account.create({ owner: 'bob' });
        });
        expect(await owners()).toEqual(['ann', 'bob']);
      });

      it('post-commit work registered by a handler with onCommit runs only if the transaction commits', async () => {
        const mails: string[] = [];
        offs.push(
          postSave.connect(Account, ({ instance, created }) => {
            if (created) onCommit(() => mails.push(`welcome ${instance.owner}`));
          }),
        );
        await transaction(async () => {
          await Account.create({ owner: 'ann' });
          expect(mails).toEqual([]);
        });
        await rejection(
          transaction(async () => {
            await Account.create({ owner: 'bob' });
            throw new Error('rolled back');
          }),
        );
        await Account.create({ owner: 'cy' }); // no transaction: onCommit runs at once
        expect(mails).toEqual(['welcome ann', 'welcome cy']);
      });
    });

    describe('DDL inside a transaction', () => {
      it.runIf(ctx.dialect === 'mysql')('mysql: syncSchema() inside transaction() is refused with TransactionError; the earlier writes roll back', async () => {
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'before ddl' });
            await syncSchema({ models: [DdlProbe] });
          }),
        );
        expect(error).toBeInstanceOf(TransactionError);
        expect((error as Error).message).toMatch(/cannot run inside a transaction/);
        expect(await Account.count()).toBe(0);
        expect(await rejection(DdlProbe.count())).toBeInstanceOf(OperationalError); // the table was never created
      });

      it.runIf(ctx.dialect !== 'mysql')('transactional DDL: syncSchema() inside a transaction that throws leaves no table behind', async () => {
        const boom = new Error('undo the DDL');
        const error = await rejection(
          transaction(async () => {
            await Account.create({ owner: 'before ddl' });
            const result = await syncSchema({ models: [DdlProbe] });
            expect(result.tables).toEqual(['txn_ddl_probe']);
            await DdlProbe.create({ label: 'inside' });
            throw boom;
          }),
        );
        expect(error).toBe(boom);
        expect(await Account.count()).toBe(0);
        expect(await rejection(DdlProbe.count())).toBeInstanceOf(OperationalError);
      });
    });

    describe("the default alias as a synonym (connect({ main: url }))", () => {
      it("transaction(), nested transactions, onCommit() and inTransaction() see the same transaction under 'default' and its own name", async () => {
        await closeAll();
        await connect({ txn_main: ctx.url });
        try {
          expect(getConnection().alias).toBe('txn_main');
          if (!server) await syncSchema({ models: MODELS });
          const events: string[] = [];
          await transaction(async (tx) => {
            expect(tx.alias).toBe('txn_main');
            expect([inTransaction(), inTransaction('txn_main')]).toEqual([true, true]);
            await Account.create({ owner: 'outer' });
            await rejection(
              transaction({ using: 'txn_main' }, async (sp) => {
                expect(sp.depth).toBe(2);
                await Account.create({ owner: 'inner' });
                throw new Error('inner');
              }),
            );
            onCommit(() => events.push('default'), 'default');
            onCommit(() => events.push('txn_main'), 'txn_main');
            expect(events).toEqual([]);
          });
          expect(events).toEqual(['default', 'txn_main']);
          expect(await owners()).toEqual(['outer']);
          // Code that looks the transaction up under either name finds it, e.g. syncSchema()'s DDL guard on MySQL.
          if (ctx.dialect === 'mysql') {
            const error = await rejection(transaction(() => syncSchema({ models: [DdlProbe] })));
            expect(error).toBeInstanceOf(TransactionError);
            expect(await rejection(DdlProbe.count())).toBeInstanceOf(OperationalError);
          }
        } finally {
          await closeAll();
          await connect(ctx.url);
          if (!server) await syncSchema({ models: MODELS });
        }
      });
    });
  },
  { models: MODELS },
);

function getConnectionOrNull(alias: string): boolean {
  try {
    getConnection(alias);
    return true;
  } catch {
    return false;
  }
}
