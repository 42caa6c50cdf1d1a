import { ConfigurationError, FieldError } from '../errors/index.js';
import type { DecimalFieldDef, Field } from '../fields/index.js';
import { normalizeTime } from '../utils/index.js';
import type { ValueAdapter } from './dialect.js';

/** Identity in both directions. */
export const IDENTITY: ValueAdapter = Object.freeze({ toDb: null, fromDb: null });

export const jsonToDb = (v: unknown): unknown => JSON.stringify(v);
export const jsonFromText = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : v);
export const toBigInt = (v: unknown): unknown => (typeof v === 'bigint' ? v : BigInt(v as string | number));
export const bigintToText = (v: unknown): unknown => (typeof v === 'bigint' ? v.toString() : v);
export const intToBoolean = (v: unknown): unknown => (typeof v === 'boolean' ? v : Number(v) !== 0);
export const timeFromDb = (v: unknown): unknown => normalizeTime(String(v));

/** Reads a decimal with exactly the field's decimal places. */
export function decimalFromDb(field: Field): (v: unknown) => unknown {
  const f = field as DecimalFieldDef;
  return (v) => f.format(v as string | number);
}

/** Loads an optional peer dependency, or says how to install it. */
export async function loadDriver<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new ConfigurationError(`The '${name}' driver is not installed; run: npm install ${name}`, { cause: error });
  }
}

/** An index or constraint name that fits every dialect's 63-character limit. */
export function shortName(name: string): string {
  if (name.length <= 63) return name;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(31, h) + name.charCodeAt(i)) | 0;
  return `${name.slice(0, 54)}_${(h >>> 0).toString(16).padStart(8, '0')}`;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'PROTOCOL_CONNECTION_LOST', 'ER_ACCESS_DENIED_ERROR', 'ER_BAD_DB_ERROR']);
const NETWORK_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Connection lost|closed state|socket hang up|Client has encountered a connection error/i;

/** Socket-level failures that every driver reports in its own words: a lost or refused connection. */
export function isNetworkError(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; fatal?: unknown };
  if (e === null || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return typeof e.message === 'string' && NETWORK_MESSAGES.test(e.message);
}

/** `$."a"[1]."b"`: a JSON path for SQLite and MySQL, with keys quoted (it is bound, never spliced into SQL). */
export function jsonPathText(path: readonly (string | number)[]): string {
  let out = '$';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `.${JSON.stringify(p)}`;
  return out;
}

/** Escapes LIKE metacharacters with '!' as the escape character (same SQL text on every dialect). */
export function escapeLike(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/** PostgreSQL's `@>` containment, in JS (for SQLite's registered function). */
export function jsonContainsValue(document: unknown, value: unknown): boolean {
  if (Array.isArray(value)) {
    if (!Array.isArray(document)) return false;
    return value.every((v) => document.some((d) => jsonContainsValue(d, v)));
  }
  if (value !== null && typeof value === 'object') {
    if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
    const doc = document as Record<string, unknown>;
    return Object.keys(value).every((k) => Object.prototype.hasOwnProperty.call(doc, k) && jsonContainsValue(doc[k], (value as Record<string, unknown>)[k]));
  }
  return document === value;
}

/**
 * Replaces each `?` placeholder with `make(n)` (n from 1). A `?` inside a string literal (`'…'`, `''`
 * doubled), a quoted identifier (`"…"`, `` `…` ``), a `-- …` line comment or a block comment is left
 * alone; `??` outside them stands for a literal `?` (PostgreSQL's JSON key operator: `data ?? 'key'`).
 * PostgreSQL (default): block comments nest, `$tag$…$tag$` strings are skipped. `mysql`: backslash
 * escapes inside quotes, and `# …` line comments.
 */
export function rewritePlaceholders(text: string, make: (n: number) => string, mysql = false): string {
  let out = '';
  let n = 0;
  let i = 0;
  const length = text.length;
  while (i < length) {
    const c = text[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < length) {
        if (mysql && text[j] === '\\' && c !== '`') j += 2;
        else if (text[j] === c) {
          if (text[j + 1] === c) j += 2; // doubled quote: still inside
          else break;
        } else j++;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if ((c === '-' && text[i + 1] === '-') || (mysql && c === '#')) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? length : end;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < length && depth > 0) {
        if (!mysql && text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      out += text.slice(i, j);
      i = j;
    } else if (!mysql && c === '$' && (i === 0 || !/[\w$]/.test(text[i - 1]))) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 64));
      const end = tag === null ? -1 : text.indexOf(tag[0], i + tag[0].length);
      const stop = tag === null ? i + 1 : end === -1 ? length : end + tag[0].length;
      out += text.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      if (text[i + 1] === '?') {
        out += '?';
        i += 2;
      } else {
        out += make(++n);
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * Refuses a statement parameter that a driver could turn into SQL text instead of binding it: anything
 * but a string, number, bigint, boolean, null, undefined, Date or Buffer/Uint8Array (mysql2 pastes an
 * object's `toSqlString()`, expands arrays into lists and objects into `key = value` pairs).
 */
export function assertBindable(value: unknown, index: number): void {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw unbindable(value, index);
    return;
  }
  if (value instanceof Date || value instanceof Uint8Array) return;
  throw unbindable(value, index);
}

function unbindable(value: unknown, index: number): FieldError {
  const kind = Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
  return new FieldError(
    `Parameter ${index + 1} is ${kind}: statement parameters must be strings, numbers, bigints, booleans, null, Dates or Buffers. ` +
      'Pass one parameter per placeholder (JSON.stringify() objects for a JSON column).',
  );
}

/** EXPLAIN rows as lines: each row's values joined by tabs. */
export function planLines(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => Object.values(r).map((v) => (v === null ? '' : String(v))).join('\t')).join('\n');
}
