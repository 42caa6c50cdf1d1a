/**
 * Without `@opentelemetry/api` (the optional peer made unresolvable here): connections open, statements
 * and transactions run, and no tracing is set up at all (`connection.tracing` is undefined, so the
 * statement hook does no span work).
 */
import { sql } from 'kysely';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { closeAll, connect, transaction } from '../../src/index.js';

vi.mock('@opentelemetry/api', () => {
  throw new Error("Cannot find package '@opentelemetry/api'");
});

describe('tracing without @opentelemetry/api', () => {
  afterAll(() => closeAll());

  it('connects, runs statements and transactions, and sets up no tracing', async () => {
    const db = await connect('sqlite://:memory:', { alias: 'no-otel' });
    expect(db.tracing).toBeUndefined();
    const result = await transaction({ using: 'no-otel' }, async (tx) => sql<{ v: number }>`select 5 as v`.execute(tx.kysely));
    expect(result.rows).toEqual([{ v: 5 }]);
    expect(db.metrics().queries).toBeGreaterThanOrEqual(3);
  });
});
