import { ConfigurationError } from '../errors/index.js';
import { isPlainObject, redactParameters } from '../utils/index.js';

/** The part of the engine's logger the diagnostics write to (config.ts's `Log` has this shape). */
export interface Reporter {
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

/** One statement as the SQL log sees it (after it ran). */
export interface StatementEntry {
  /** The connection alias. */
  readonly alias: string;
  /** The SQL text sent to the database. */
  readonly sql: string;
  /** The parameters: described (`string(5)`, `number`) unless `log: { params: true }`. */
  readonly parameters: readonly unknown[];
  /** Milliseconds from sending the statement to its result (or error). */
  readonly durationMs: number;
  /** Rows returned (a SELECT) or affected (a write); null when unknown or when it failed. */
  readonly rows: number | null;
  /** 0 outside a transaction, 1 in a transaction, 2+ inside savepoints. */
  readonly depth: number;
  /** The error message when the statement failed. */
  readonly error?: string;
}

/** A function that receives every statement. */
export type StatementLogFunction = (entry: StatementEntry) => void;

/**
 * The `log` option of `connect()`: `true` or `'queries'` (every statement, pretty on a TTY and one JSON
 * line otherwise, to standard error), a function, or `{ params?, to? }` to show parameter values or send
 * the entries to a function. `false` turns the log off even when `OXEN_LOG=queries` is set.
 */
export type LogOption = boolean | 'queries' | StatementLogFunction | { params?: boolean; to?: StatementLogFunction };

const LOG_KEYS = ['params', 'to'];
const LOG_MODES = ['queries'];

/** The resolved log: where entries go and whether parameter values are shown. */
export interface StatementLog {
  readonly params: boolean;
  readonly write: StatementLogFunction;
}

/** Checks the `log` option; a bad one is a ConfigurationError naming the accepted forms. */
export function checkLogOption(value: unknown): void {
  if (value === undefined || typeof value === 'boolean' || typeof value === 'function') return;
  if (typeof value === 'string') {
    if (LOG_MODES.includes(value)) return;
    throw new ConfigurationError(`Unknown log mode '${value}': use log: true, 'queries', a function, or { params: true }`);
  }
  if (!isPlainObject(value)) throw new ConfigurationError("Option log must be true, 'queries', a function, or { params?: boolean, to?: function }");
  for (const key of Object.keys(value)) {
    if (!LOG_KEYS.includes(key)) throw new ConfigurationError(`Unknown log option '${key}': use { params?: boolean, to?: function }`);
  }
  const o = value as { params?: unknown; to?: unknown };
  if (o.params !== undefined && typeof o.params !== 'boolean') throw new ConfigurationError('Option log.params must be a boolean');
  if (o.to !== undefined && typeof o.to !== 'function') throw new ConfigurationError('Option log.to must be a function');
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, ' ').trim();
}

/** Writes an entry for a person reading a terminal: alias, depth, duration, rows, SQL and parameters. */
export function prettyLine(entry: StatementEntry): string {
  const depth = entry.depth === 0 ? '' : ` tx${entry.depth}`;
  const rows = entry.rows === null ? '' : ` ${entry.rows} row${entry.rows === 1 ? '' : 's'}`;
  const params = entry.parameters.length === 0 ? '' : ` -- ${JSON.stringify(printable(entry.parameters))}`;
  const error = entry.error === undefined ? '' : ` !! ${entry.error}`;
  return `[oxen ${entry.alias}${depth}] ${entry.durationMs.toFixed(1)} ms${rows} ${oneLine(entry.sql)}${params}${error}`;
}

/** Parameters JSON can carry: bigints as strings, binary values described by their length. */
function printable(parameters: readonly unknown[]): unknown[] {
  return parameters.map((value) => (typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? `Buffer(${value.length})` : value));
}

/** One JSON object per statement, for log collectors. */
export function jsonLine(entry: StatementEntry): string {
  return JSON.stringify({ ...entry, parameters: printable(entry.parameters), durationMs: Math.round(entry.durationMs * 1000) / 1000 });
}

function consoleWriter(): StatementLogFunction {
  const stream = process.stderr;
  return stream.isTTY === true ? (entry) => stream.write(`${prettyLine(entry)}\n`) : (entry) => stream.write(`${jsonLine(entry)}\n`);
}

/**
 * Resolves the `log` option (checked by `checkLogOption`), falling back on `OXEN_LOG=queries`. Returns
 * undefined when nothing is logged. A writer that throws never fails the statement: the error goes to
 * the connection's logger (`log.error`).
 */
export function resolveStatementLog(option: LogOption | undefined, logger: Reporter, env: string | undefined = process.env.OXEN_LOG): StatementLog | undefined {
  let value: LogOption | undefined = option;
  if (value === undefined && env !== undefined && env !== '') {
    if (env !== 'queries') logger.warn(`OXEN_LOG='${env}' is not a log mode; use OXEN_LOG=queries`);
    else value = 'queries';
  }
  if (value === undefined || value === false) return undefined;
  const params = typeof value === 'object' && value.params === true;
  const target = typeof value === 'function' ? value : typeof value === 'object' && value.to !== undefined ? value.to : consoleWriter();
  return {
    params,
    write: (entry) => {
      try {
        target(entry);
      } catch (error) {
        // The statement succeeded: report the writer's error instead of failing it.
        logger.error('the SQL log function threw (the statement itself succeeded)', { error, sql: entry.sql });
      }
    },
  };
}

/** The parameters as the log shows them. */
export function logParameters(log: StatementLog, parameters: readonly unknown[]): readonly unknown[] {
  return log.params ? parameters : redactParameters(parameters);
}
