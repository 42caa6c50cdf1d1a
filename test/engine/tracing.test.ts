/**
 * OpenTelemetry on every dialect, through the in-memory span exporter of @opentelemetry/sdk-trace-base:
 * one client span per statement with the database conventions' attributes (`db.system`,
 * `db.namespace`, `db.operation.name`, `db.query.text` with placeholders, never values); a span per
 * transaction and per savepoint, the statements inside them as their children; failures marked as
 * errors; `tracing: false` makes no spans.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { CharField, IntegrityError, Model, connect, disconnect, model, transaction } from '../../src/index.js';
import { operationName } from '../../src/engine/tracing.js';
import { forEachDialect } from '../support/dialects.js';
import { rejection } from '../support/rejection.js';

@model({ table: 'trace_author' })
class Author extends Model {
  declare id: number;
  @CharField({ maxLength: 50, unique: true }) name!: string;
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  expect(trace.setGlobalTracerProvider(provider)).toBe(true);
});
afterAll(async () => {
  trace.disable();
  await provider.shutdown();
});

const DB_SYSTEM = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql' } as const;
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;

forEachDialect(
  'OpenTelemetry spans',
  (ctx) => {
    beforeEach(() => exporter.reset());

    it('one client span per statement, with the database conventions and no parameter values', async () => {
      await Author.filter({ name: 'Zed-secret' });
      const [span, ...rest] = exporter.getFinishedSpans();
      expect(rest).toEqual([]);
      expect(span.name).toBe('SELECT');
      expect(span.kind).toBe(2); // SpanKind.CLIENT
      const namespace = ctx.dialect === 'sqlite' ? ':memory:' : new URL(ctx.url).pathname.slice(1);
      expect(span.attributes).toMatchObject({ 'db.system': DB_SYSTEM[ctx.dialect], 'db.namespace': namespace, 'db.operation.name': 'SELECT' });
      expect(String(span.attributes['db.query.text'])).toMatch(/^select .*trace_author/);
      expect(String(span.attributes['db.query.text'])).not.toContain('Zed-secret');
      expect(span.status.code).toBe(0);
      expect(parentOf(span)).toBeUndefined();
    });

    it('a span per transaction and savepoint; statements inside are their children', async () => {
      await transaction(async () => {
        await Author.create({ name: 'Ann' });
        await transaction(async () => {
          await Author.create({ name: 'Bob' });
        });
      });
      const spans = exporter.getFinishedSpans();
      const tx = spans.find((s) => s.name === 'transaction')!;
      const sp = spans.find((s) => s.name === 'savepoint')!;
      expect(tx.attributes).toMatchObject({ 'db.system': DB_SYSTEM[ctx.dialect], 'oxen.transaction.depth': 1 });
      expect(sp.attributes['oxen.transaction.depth']).toBe(2);
      expect(parentOf(sp)).toBe(idOf(tx));
      const inserts = spans.filter((s) => s.name === 'INSERT');
      expect(inserts.map(parentOf)).toEqual([idOf(tx), idOf(sp)]);
      // Nothing is left unended and every statement span falls inside its parent's time.
      for (const insert of inserts) expect(insert.endTime[0] * 1e9 + insert.endTime[1]).toBeLessThanOrEqual(tx.endTime[0] * 1e9 + tx.endTime[1]);
      expect(spans.map((s) => s.name)).toEqual(expect.arrayContaining(['BEGIN', 'SAVEPOINT', 'RELEASE', 'COMMIT']));
    });

    it('a failed statement and the transaction it ended are marked as errors', async () => {
      await Author.create({ name: 'Ann' });
      exporter.reset();
      const error = await rejection(transaction(async () => Author.create({ name: 'Ann' })));
      expect(error).toBeInstanceOf(IntegrityError);
      const spans = exporter.getFinishedSpans();
      const failed = spans.find((s) => s.name === 'INSERT')!;
      expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
      expect(failed.attributes['error.type']).toBe('IntegrityError');
      const tx = spans.find((s) => s.name === 'transaction')!;
      expect(tx.status).toMatchObject({ code: 2 });
      expect(spans.map((s) => s.name)).toContain('ROLLBACK');
    });

    it('tracing: false makes no spans', async () => {
      const db = await connect(ctx.url, { alias: 'untraced', tracing: false });
      try {
        exporter.reset();
        await sql`select 1 as one`.execute(db.kysely);
        expect(exporter.getFinishedSpans()).toEqual([]);
      } finally {
        await disconnect('untraced');
      }
    });
  },
  { models: [Author] },
);

it('operationName: the first keyword, upper-cased', () => {
  expect(['select 1', '  insert into x', '(select 1) union (select 2)', 'with x as (select 1) select * from x', '', '123'].map(operationName)).toEqual([
    'SELECT',
    'INSERT',
    'SELECT',
    'WITH',
    'QUERY',
    'QUERY',
  ]);
});
