/**
 * SQLite while another process holds the write lock: the wait happens on timers (the event loop keeps
 * running), and ends in `database is locked` naming the configured timeout.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CharField, Model, OperationalError, disconnect, connect, model, syncSchema, transaction } from '../../src/index.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'lk_row' })
class LockRow extends Model {
  declare id: number;
  @CharField({ maxLength: 20 }) label!: string;
}

/** A second process that takes the write lock (BEGIN IMMEDIATE), says 'locked', and commits on 'release'. */
function holdLock(file: string): { child: ChildProcess; locked: Promise<void>; release(): Promise<void> } {
  const script = `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.exec('begin immediate');
    db.prepare("insert into lk_row (label) values ('other')").run();
    process.stdout.write('locked\\n');
    process.stdin.on('data', () => { db.exec('commit'); db.close(); process.stdout.write('released\\n'); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['-e', script, file], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  const waiters: [string, () => void][] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const [word, resolve] of waiters) if (out.includes(word)) resolve();
  });
  const when = (word: string): Promise<void> => new Promise((resolve) => (out.includes(word) ? resolve() : waiters.push([word, resolve])));
  return {
    child,
    locked: when('locked'),
    async release() {
      child.stdin!.write('release\n');
      await when('released');
    },
  };
}

describe('SQLite: another process holds the write lock', () => {
  let dir: string;
  let file: string;
  let holder: ReturnType<typeof holdLock> | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let ticks = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oxen-lock-'));
    file = join(dir, 'lock.db');
    await connect(`sqlite://${file}`, { alias: 'default', pool: { acquireTimeoutMs: 1500 } });
    await syncSchema({ models: [LockRow] });
  });
  afterEach(() => {
    clearInterval(ticker);
    holder?.child.kill();
    holder = undefined;
  });
  afterAll(async () => {
    await disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A timer in this process that counts while a write waits: it stays at 0 if the event loop is blocked. */
  function startTicker(): void {
    ticks = 0;
    ticker = setInterval(() => ticks++, 5);
  }

  it('a write waits without blocking the event loop, then fails with database is locked naming the timeout', async () => {
    holder = holdLock(file);
    await holder.locked;
    startTicker();
    const e = await rejection(LockRow.create({ label: 'mine' }));
    const during = ticks;
    expect(e).toBeInstanceOf(OperationalError);
    expect(e.message).toMatch(/^database is locked: another connection or process held the lock for more than 1500 ms \(pool\.acquireTimeoutMs\)/);
    expect(during).toBeGreaterThan(10); // the timer kept firing while the write waited
    await holder.release();
    expect((await LockRow.all().orderBy('id').valuesList('label', { flat: true }))).toEqual(['other']);
  });

  it('a write and a transaction go through once the other process commits', async () => {
    holder = holdLock(file);
    await holder.locked;
    startTicker();
    const write = LockRow.create({ label: 'mine' });
    const tx = transaction(async () => {
      await LockRow.create({ label: 'in-tx' });
    });
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (ticks >= 5) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    await holder.release();
    await write;
    await tx;
    expect((await LockRow.all().orderBy('label').valuesList('label', { flat: true }))).toEqual(['in-tx', 'mine', 'other', 'other']);
  });
});
