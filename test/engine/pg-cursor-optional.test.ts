/**
 * pg-cursor is optional at connect time: with the package missing (simulated by a module mock that
 * fails to load), connect() to PostgreSQL succeeds and every query but iterator() works; iterator()
 * fails with a ConfigurationError that names the package to install. PostgreSQL only: the other
 * dialects do not use pg-cursor (their iterator() is covered by test/query/iterator-writes.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CharField, ConfigurationError, Model, connect, disconnect, model, syncSchema } from '../../src/index.js';
import { dialectStatus, testUrl } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

vi.mock('pg-cursor', () => {
  throw new Error("Cannot find package 'pg-cursor'");
});

@model({ table: 'pgc_item', connection: 'nocursor' })
class Item extends Model {
  @CharField({ maxLength: 20 }) name!: string;
}

const status = dialectStatus('postgres');

describe.runIf(status.available)('PostgreSQL without pg-cursor', () => {
  beforeAll(async () => {
    await connect(await testUrl('postgres'), { alias: 'nocursor' });
    await syncSchema({ using: 'nocursor', models: [Item] });
    await Item.all().delete();
    await Item.create({ name: 'a' });
  });
  afterAll(async () => {
    await disconnect('nocursor');
  });

  it('connects and runs queries', async () => {
    expect(await Item.filter({ name: 'a' }).count()).toBe(1);
    expect((await Item.all()).map((i) => i.name)).toEqual(['a']);
  });

  it('iterator() names the missing package', async () => {
    const error = await rejection(
      (async () => {
        for await (const item of Item.all().iterator()) void item;
      })(),
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('iterator() on PostgreSQL streams through a server-side cursor and needs the pg-cursor package: npm install pg-cursor');
  });
});
