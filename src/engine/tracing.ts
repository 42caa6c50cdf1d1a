/**
 * OpenTelemetry spans through `@opentelemetry/api`, an optional peer dependency: it is imported once,
 * lazily, when the first connection opens; when it is not installed no span code runs at all. Only the
 * few members Oxen calls are typed here, so Oxen's own types never require the package.
 */

/** The span members Oxen uses. @internal */
export interface TraceSpan {
  isRecording(): boolean;
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(endTime?: number): void;
}

/** The tracer members Oxen uses. @internal */
export interface Tracer {
  startSpan(name: string, options: { kind?: number; startTime?: number; attributes?: Record<string, string | number | boolean> }, context?: unknown): TraceSpan;
}

interface OtelApi {
  trace: {
    getTracer(name: string, version?: string): Tracer;
    setSpan(context: unknown, span: TraceSpan): unknown;
  };
  context: { active(): unknown };
}

/** What spans of one connection need. @internal */
export interface Tracing {
  readonly tracer: Tracer;
  /** The parent context of a new span: `parent` when given, else the active context. */
  parent(parent: TraceSpan | undefined): unknown;
  /** Attributes every span of the connection carries (`db.system`, `db.namespace`). */
  readonly attributes: Readonly<Record<string, string>>;
}

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

let loading: Promise<OtelApi | undefined> | undefined;

/** Imports `@opentelemetry/api` once; undefined when it is not installed. */
function loadApi(): Promise<OtelApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (module) => module as unknown as OtelApi,
    () => undefined,
  );
  return loading;
}

/** The `db.system` value of OpenTelemetry's database conventions for a dialect. */
const DB_SYSTEM: Record<string, string> = { sqlite: 'sqlite', postgres: 'postgresql', mysql: 'mysql' };

/**
 * Tracing for one connection, or undefined when `@opentelemetry/api` is absent or `enabled` is false.
 * Without a registered tracer provider the API's spans are non-recording no-ops.
 */
export async function loadTracing(enabled: boolean, dialect: string, namespace: string | undefined): Promise<Tracing | undefined> {
  if (!enabled) return undefined;
  const api = await loadApi();
  if (api === undefined) return undefined;
  const attributes: Record<string, string> = { 'db.system': DB_SYSTEM[dialect] ?? dialect };
  if (namespace !== undefined) attributes['db.namespace'] = namespace;
  return {
    tracer: api.trace.getTracer('oxen-orm'),
    parent: (span) => (span === undefined ? api.context.active() : api.trace.setSpan(api.context.active(), span)),
    attributes,
  };
}

/** `SELECT`, `INSERT`, `BEGIN`, ...: the first keyword of a statement (`db.operation.name`). */
export function operationName(sql: string): string {
  const m = /^\s*(?:\(\s*)*([A-Za-z]+)/.exec(sql);
  return m === null ? 'QUERY' : m[1].toUpperCase();
}

/** Records one finished statement as a client span (its start and end times given, in performance.now() ms). */
export function statementSpan(tracing: Tracing, parent: TraceSpan | undefined, sql: string, startedAt: number, endedAt: number, error: unknown): void {
  const operation = operationName(sql);
  const span = tracing.tracer.startSpan(operation, { kind: SPAN_KIND_CLIENT, startTime: startedAt, attributes: tracing.attributes }, tracing.parent(parent));
  // Without an SDK (or when sampled out) the span records nothing: skip building its attributes.
  if (span.isRecording()) {
    span.setAttribute('db.operation.name', operation);
    span.setAttribute('db.query.text', sql);
    if (error !== undefined) failSpan(span, error);
  }
  span.end(endedAt);
}

/** Starts the span of a transaction (depth 1) or savepoint (2+), a child of `parent` or of the active context. */
export function transactionSpan(tracing: Tracing, parent: TraceSpan | undefined, depth: number): TraceSpan {
  return tracing.tracer.startSpan(
    depth === 1 ? 'transaction' : 'savepoint',
    { kind: SPAN_KIND_CLIENT, attributes: { ...tracing.attributes, 'oxen.transaction.depth': depth } },
    tracing.parent(parent),
  );
}

/** Marks a span as failed with the error's class and message. */
export function failSpan(span: TraceSpan, error: unknown): void {
  span.setAttribute('error.type', error instanceof Error ? error.constructor.name : typeof error);
  span.setStatus({ code: STATUS_ERROR, message: error instanceof Error ? error.message : String(error) });
}
