/**
 * transaction() / onCommit() / inTransaction() at the Kysely level, on every dialect: results, commit,
 * rollback re-throwing the same error, savepoints, onCommit ordering, concurrency.
 */
import { sql, type Kysely } from 'kysely';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  IntegrityError,
  connect,
  getConnection,
  inTransaction,
  onCommit,
  transaction,
} from '../../src/index.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

async function insert(db: Kysely<any>, n: number, label = 'x'): Promise<void> {
  await sql`insert into eng_tx (n, label) values (${n}, ${label})`.execute(db);
}

/** The `n` values in the table, sorted, read outside any transaction. */
async function values(alias = 'default'): Promise<number[]> {
  const r = await sql<{ n: number | string }>`select n from eng_tx order by n`.execute(getConnection(alias).kysely);
  return r.rows.map((row) => Number(row.n));
}

forEachDialect('engine: transactions', (ctx) => {
  beforeAll(async () => {
    await sql`create table eng_tx (n integer not null unique, label varchar(50) not null)`.execute(ctx.connection().kysely);
  });

  beforeEach(async () => {
    await sql`delete from eng_tx`.execute(ctx.connection().kysely);
  });

  describe('transaction()', () => {
    it("resolves to the callback's result (the same object)", async () => {
      const result = { id: 7 };
      await expect(transaction(() => result)).resolves.toBe(result);
      await expect(transaction(async () => 'async value')).resolves.toBe('async value');
    });

    it('commits the callback\'s writes', async () => {
      await transaction(async (tx) => {
        expect(tx.alias).toBe('default');
        expect(tx.depth).toBe(1);
        await insert(tx.kysely, 1);
        await insert(tx.kysely, 2);
      });
      expect(await values()).toEqual([1, 2]);
    });

    it('rolls back on a throw and re-throws the same error object', async () => {
      const boom = new Error('boom');
      const error = await rejection(
        transaction(async (tx) => {
          await insert(tx.kysely, 1);
          throw boom;
        }),
      );
      expect(error).toBe(boom);
      expect(await values()).toEqual([]);
    });

    it('re-throws a thrown non-Error value as is', async () => {
      const error = await rejection(
        transaction(async (tx) => {
          await insert(tx.kysely, 1);
          throw 'plain string';
        }),
      );
      expect(error).toBe('plain string');
      expect(await values()).toEqual([]);
    });

    it('a failing statement rolls back the earlier writes and rejects with the translated error', async () => {
      const error = await rejection(
        transaction(async (tx) => {
          await insert(tx.kysely, 1);
          await insert(tx.kysely, 1); // unique violation
        }),
      );
      expect(error).toBeInstanceOf(IntegrityError);
      expect(await values()).toEqual([]);
    });

    it('inTransaction() is true inside the callback only', async () => {
      expect(inTransaction()).toBe(false);
      const inside = await transaction(() => inTransaction());
      expect(inside).toBe(true);
      expect(inTransaction()).toBe(false);
    });

    it('rejects bad options with ConfigurationError', async () => {
      expect(await rejection(transaction({ isolation: 'serialisable' } as never, async () => 1))).toBeInstanceOf(ConfigurationError);
      expect(String(await rejection(transaction({ isolation: 'serialisable' } as never, async () => 1)))).toMatch(/did you mean 'serializable'\?/);
      expect(String(await rejection(transaction({ usin: 'default' } as never, async () => 1)))).toMatch(/Unknown transaction\(\) option 'usin'; did you mean 'using'\?/);
      expect(String(await rejection(transaction({} as never)))).toMatch(/needs a callback/);
      expect(await rejection(transaction({ using: 'nowhere' }, async () => 1))).toBeInstanceOf(ConfigurationError);
    });

    it('accepts every isolation level', async () => {
      for (const isolation of ['read uncommitted', 'read committed', 'repeatable read', 'serializable'] as const) {
        await transaction({ isolation }, async (tx) => {
          await insert(tx.kysely, isolation.length);
        });
      }
      expect(await values()).toEqual([12, 14, 15, 16]);
    });

    it.runIf(ctx.dialect === 'postgres')('postgres: the isolation level is applied to the transaction', async () => {
      const level = await transaction({ isolation: 'serializable' }, async (tx) => {
        const r = await sql<{ transaction_isolation: string }>`show transaction_isolation`.execute(tx.kysely);
        return r.rows[0].transaction_isolation;
      });
      expect(level).toBe('serializable');
    });

    it('a transaction on another alias leaves the default alias outside any transaction', async () => {
      await connect(ctx.url, { alias: 'other' });
      const seen = await transaction({ using: 'other' }, async (tx) => {
        expect(tx.alias).toBe('other');
        return [inTransaction('other'), inTransaction('default')];
      });
      expect(seen).toEqual([true, false]);
    });
  });

  describe('nested transaction() (savepoints)', () => {
    it('an inner throw rolls back only the savepoint; the outer work commits', async () => {
      const inner = new Error('inner');
      await transaction(async (tx) => {
        await insert(tx.kysely, 1);
        const error = await rejection(
          transaction(async (sp) => {
            expect(sp.depth).toBe(2);
            await insert(sp.kysely, 2);
            throw inner;
          }),
        );
        expect(error).toBe(inner);
        await insert(tx.kysely, 3);
      });
      expect(await values()).toEqual([1, 3]);
    });

    it('a released savepoint commits with the outer transaction', async () => {
      const result = await transaction(async (tx) => {
        await insert(tx.kysely, 1);
        return transaction(async (sp) => {
          await insert(sp.kysely, 2);
          return transaction(async (sp2) => {
            expect(sp2.depth).toBe(3);
            await insert(sp2.kysely, 3);
            return 'deep';
          });
        });
      });
      expect(result).toBe('deep');
      expect(await values()).toEqual([1, 2, 3]);
    });

    it('an outer throw rolls back released savepoints too', async () => {
      await rejection(
        transaction(async (tx) => {
          await insert(tx.kysely, 1);
          await transaction(async (sp) => insert(sp.kysely, 2));
          throw new Error('outer');
        }),
      );
      expect(await values()).toEqual([]);
    });

    it('a failed statement inside a savepoint can be recovered from (the outer transaction stays usable)', async () => {
      await transaction(async (tx) => {
        await insert(tx.kysely, 1);
        const error = await rejection(transaction(async (sp) => insert(sp.kysely, 1)));
        expect(error).toBeInstanceOf(IntegrityError);
        await insert(tx.kysely, 2);
      });
      expect(await values()).toEqual([1, 2]);
    });
  });

  describe('onCommit()', () => {
    it('runs after the commit, in registration order, outside the transaction', async () => {
      const events: string[] = [];
      const result = await transaction(async (tx) => {
        await insert(tx.kysely, 1);
        onCommit(() => {
          events.push(`first:${inTransaction()}`);
        });
        onCommit(async () => {
          events.push(`second:${(await values()).join(',')}`);
        });
        events.push('callback done');
        return 'ok';
      });
      expect(result).toBe('ok');
      expect(events).toEqual(['callback done', 'first:false', 'second:1']);
    });

    it('does not run after a rollback', async () => {
      const events: string[] = [];
      await rejection(
        transaction(async () => {
          onCommit(() => events.push('ran'));
          throw new Error('rollback');
        }),
      );
      expect(events).toEqual([]);
    });

    it('drops the callbacks of a rolled-back savepoint and keeps those of a released one until the outer commit', async () => {
      const events: string[] = [];
      await transaction(async () => {
        await rejection(
          transaction(async () => {
            onCommit(() => events.push('rolled back savepoint'));
            throw new Error('inner');
          }),
        );
        await transaction(async () => {
          onCommit(() => events.push('released savepoint'));
        });
        expect(events).toEqual([]);
      });
      expect(events).toEqual(['released savepoint']);
    });

    it('runs at once outside a transaction', () => {
      const events: string[] = [];
      onCommit(() => events.push('now'));
      expect(events).toEqual(['now']);
    });

    it('a throwing callback is logged; the transaction stays committed and later callbacks still run', async () => {
      const logged: string[] = [];
      await connect(ctx.url, { alias: 'cb', logger: (level, message) => logged.push(`${level}: ${message}`) });
      await sql`delete from eng_tx`.execute(getConnection('cb').kysely).catch(() => undefined);
      const events: string[] = [];
      const result = await transaction({ using: 'cb' }, async () => {
        onCommit(() => {
          throw new Error('callback failed');
        }, 'cb');
        onCommit(() => events.push('after'), 'cb');
        return 'committed';
      });
      expect(result).toBe('committed');
      expect(events).toEqual(['after']);
      expect(logged).toContain('error: an onCommit callback threw (the transaction stays committed)');
    });
  });

  describe('concurrency', () => {
    it('20 concurrent transactions of 10 inserts, one throwing, leave exactly 190 rows', async () => {
      const runs = Array.from({ length: 20 }, (_, t) =>
        transaction(async (tx) => {
          for (let i = 0; i < 10; i++) {
            await insert(tx.kysely, t * 100 + i, `t${t}`);
            if (t === 13 && i === 6) throw new Error('transaction 13 fails');
          }
          return t;
        }),
      );
      const settled = await Promise.allSettled(runs);
      expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
      expect((settled[13] as PromiseRejectedResult).reason).toMatchObject({ message: 'transaction 13 fails' });
      const rows = await values();
      expect(rows).toHaveLength(190);
      expect(rows.some((n) => n >= 1300 && n < 1400)).toBe(false);
      const r = await sql<{ label: string; c: number | string }>`select label, count(*) as c from eng_tx group by label`.execute(ctx.connection().kysely);
      expect(r.rows).toHaveLength(19);
      expect(r.rows.every((row) => Number(row.c) === 10)).toBe(true);
    });

    it('each concurrent transaction sees only its own uncommitted rows', async () => {
      const counts = await Promise.all(
        Array.from({ length: 5 }, (_, t) =>
          transaction(async (tx) => {
            await insert(tx.kysely, t, `t${t}`);
            const r = await sql<{ c: number | string }>`select count(*) as c from eng_tx where label = ${`t${t}`}`.execute(tx.kysely);
            return Number(r.rows[0].c);
          }),
        ),
      );
      expect(counts).toEqual([1, 1, 1, 1, 1]);
      expect(await values()).toEqual([0, 1, 2, 3, 4]);
    });
  });
});
