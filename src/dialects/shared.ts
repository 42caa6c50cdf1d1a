import { ConfigurationError } from '../errors/index.js';
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

/** Replaces each `?` outside quotes and comments with `make(n)` (n from 1). */
export function rewritePlaceholders(text: string, make: (n: number) => string): string {
  let out = '';
  let n = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== null) {
      out += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    if (c === '?') {
      out += make(++n);
      continue;
    }
    out += c;
  }
  return out;
}

/** EXPLAIN rows as lines: each row's values joined by tabs. */
export function planLines(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => Object.values(r).map((v) => (v === null ? '' : String(v))).join('\t')).join('\n');
}
