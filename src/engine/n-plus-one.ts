import { fileURLToPath } from 'node:url';
import { relative, sep } from 'node:path';
import { ConfigurationError, NPlusOneError } from '../errors/index.js';
import { registry, SIBLINGS, type ModelMeta, type RelationReads } from '../metadata/index.js';
import { isPlainObject, suggestion } from '../utils/index.js';
import type { Reporter } from './statement-log.js';

/** What the N+1 detector does with a finding: throw `NPlusOneError`, log once per callsite, or nothing. */
export type NPlusOneMode = 'raise' | 'warn' | 'off';

/** The `nPlusOne` option of `connect()`: a mode, or a mode with an allow-list and a threshold. */
export type NPlusOneOption =
  | NPlusOneMode
  | {
      /** Default: `'warn'` unless NODE_ENV is `production`, where it is `'off'`. */
      mode?: NPlusOneMode;
      /** How many members of one result must load a relation on demand before it is reported (default 2, at least 2). */
      threshold?: number;
      /** `'Book.author'` (a model's relation) or a callsite (`'src/report.ts:42'`, `'src/report.ts'`) never reported. */
      allow?: readonly string[];
    };

/** The detector's resolved settings for one connection. @internal */
export interface NPlusOneSettings {
  readonly mode: NPlusOneMode;
  readonly threshold: number;
  readonly allowRelations: ReadonlySet<string>;
  readonly allowCallsites: readonly string[];
  readonly log: Reporter;
}

/** One thing the detector found (see `detector.report()`). */
export interface NPlusOneFinding {
  /** `'n+1'`: a relation loaded once per instance; `'unused-eager-load'`: selectRelated/prefetchRelated never read. */
  readonly kind: 'n+1' | 'unused-eager-load';
  /** The model whose instances the relation belongs to. */
  readonly model: string;
  /** The relation's name. */
  readonly relation: string;
  /** N+1: lazy loads seen at this callsite so far; unused eager loading: the queries that loaded it unread. */
  readonly count: number;
  /** The user's `file:line` (the first stack frame outside Oxen), or `'<unknown>'`. */
  readonly callsite: string;
  /** The change that fixes it, e.g. `selectRelated('author')`. */
  readonly fix: string;
  /** A sentence saying all of the above. */
  readonly message: string;
}

const MODES: NPlusOneMode[] = ['raise', 'warn', 'off'];
const OPTION_KEYS = ['mode', 'threshold', 'allow'];

/** Checks the `nPlusOne` option and resolves it (allow-list entries against the registered models). @internal */
export function resolveNPlusOne(option: unknown, log: Reporter, nodeEnv: string | undefined = process.env.NODE_ENV): NPlusOneSettings {
  const fallback: NPlusOneMode = nodeEnv === 'production' ? 'off' : 'warn';
  if (option === undefined) return { mode: fallback, threshold: 2, allowRelations: new Set(), allowCallsites: [], log };
  if (typeof option === 'string') {
    if (!MODES.includes(option as NPlusOneMode)) throw new ConfigurationError(`Unknown nPlusOne mode '${option}'${suggestion(option, MODES)}`);
    return { mode: option as NPlusOneMode, threshold: 2, allowRelations: new Set(), allowCallsites: [], log };
  }
  if (!isPlainObject(option)) throw new ConfigurationError("Option nPlusOne must be 'raise', 'warn', 'off' or { mode, threshold, allow }");
  for (const key of Object.keys(option)) {
    if (!OPTION_KEYS.includes(key)) throw new ConfigurationError(`Unknown nPlusOne option '${key}'${suggestion(key, OPTION_KEYS)}`);
  }
  const o = option as { mode?: unknown; threshold?: unknown; allow?: unknown };
  if (o.mode !== undefined && !MODES.includes(o.mode as NPlusOneMode)) {
    throw new ConfigurationError(`Unknown nPlusOne mode '${String(o.mode)}'${suggestion(String(o.mode), MODES)}`);
  }
  if (o.threshold !== undefined && (typeof o.threshold !== 'number' || !Number.isInteger(o.threshold) || o.threshold < 2)) {
    throw new ConfigurationError(`Option nPlusOne.threshold must be an integer of at least 2, got ${JSON.stringify(o.threshold)}`);
  }
  if (o.allow !== undefined && (!Array.isArray(o.allow) || o.allow.some((a) => typeof a !== 'string' || a === ''))) {
    throw new ConfigurationError("Option nPlusOne.allow must be an array of 'Model.relation' or 'file:line' strings");
  }
  const allowRelations = new Set<string>();
  const allowCallsites: string[] = [];
  for (const entry of (o.allow ?? []) as string[]) {
    const m = /^([A-Za-z_$][\w$]*)\.([A-Za-z_$][\w$]*)$/.exec(entry);
    if (m === null) {
      allowCallsites.push(entry);
      continue;
    }
    const metas = registry.metas();
    const meta = metas.find((x) => x.name === m[1]);
    if (meta === undefined) throw new ConfigurationError(`nPlusOne.allow: no model '${m[1]}'${suggestion(m[1], metas.map((x) => x.name))}`);
    if (meta.findRelation(m[2]) === undefined) {
      throw new ConfigurationError(`nPlusOne.allow: ${meta.name} has no relation '${m[2]}'. Relations: ${[...meta.relations.keys()].sort().join(', ')}`);
    }
    allowRelations.add(entry);
  }
  return { mode: (o.mode as NPlusOneMode | undefined) ?? fallback, threshold: (o.threshold as number | undefined) ?? 2, allowRelations, allowCallsites, log };
}

/** Oxen's own source folder: stack frames inside it are skipped when looking for the user's line. */
const OXEN_DIR = fileURLToPath(new URL('..', import.meta.url));
const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):\d+\)?$/;

/** The first stack frame outside Oxen, node internals and node_modules, as `path:line` relative to the working directory. */
export function userCallsite(stack: string | undefined): string {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = FRAME.exec(line.trim());
    if (m === null) continue;
    let file = m[1];
    if (file.startsWith('file://')) file = fileURLToPath(file);
    if (file.startsWith('node:') || file.startsWith(OXEN_DIR) || file.includes(`${sep}node_modules${sep}`)) continue;
    return `${relative(process.cwd(), file)}:${m[2]}`;
  }
  return '<unknown>';
}

/** The current stack, captured but not formatted yet (V8 formats `stack` on first read, the costly part). */
function captureStack(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const trace = new Error();
  Error.stackTraceLimit = limit;
  return trace;
}

function captureCallsite(): string {
  return userCallsite(captureStack().stack);
}

type MutableFinding = { -readonly [K in keyof NPlusOneFinding]: NPlusOneFinding[K] };

/** The eager loads of one query, and which of them were read. */
interface EagerRecord {
  readonly model: string;
  readonly unread: Set<string>;
  readonly fixes: ReadonlyMap<string, string>;
  /** Where the query ran; formatted into a callsite only when something is reported. */
  readonly trace: Error;
  readonly log: Reporter;
  done: boolean;
}

const MAX_EAGER_RECORDS = 1000;

/**
 * The N+1 detector: every finding of every connection, by callsite. Instances read by one multi-row
 * query share a sibling set; a relation loaded on demand for `threshold` members of one set is a
 * finding. `report()` returns the findings as data.
 *
 * @example
 * ```ts
 * await connect(url, { nPlusOne: 'raise' });        // in tests: throw NPlusOneError at the second load
 * for (const b of await Book.all()) await b.load('author');
 * detector.report();   // [{ kind: 'n+1', model: 'Book', relation: 'author', count: 2, callsite: 'src/x.ts:12', ... }]
 * ```
 */
export class NPlusOneDetector {
  readonly #findings = new Map<string, MutableFinding>();
  #eager: EagerRecord[] = [];
  /** In 'warn' mode an unread eager load is logged when its result is garbage-collected. */
  readonly #collected = new FinalizationRegistry<EagerRecord>((record) => this.#unused(record));

  /** Every finding so far: N+1 loads, then eager loads whose relation was never read (which are then logged in 'warn' mode). */
  report(): NPlusOneFinding[] {
    for (const record of this.#eager) this.#unused(record);
    this.#eager = this.#eager.filter((r) => !r.done);
    return [...this.#findings.values()].map((f) => ({ ...f }));
  }

  /** Forgets every finding (for example between tests). */
  reset(): void {
    this.#findings.clear();
    for (const record of this.#eager) record.done = true;
    this.#eager = [];
  }

  /** A relation was loaded on demand for `instance`. @internal */
  lazyLoad(set: SiblingSet, instance: object, relation: string): void {
    const entry = set.loads.get(relation);
    if (entry === undefined) {
      set.loads.set(relation, { members: new Set([instance]), finding: undefined });
      return;
    }
    entry.members.add(instance);
    const settings = set.settings;
    if (entry.members.size < settings.threshold) return;
    if (entry.finding === null) return;
    if (entry.finding !== undefined) {
      entry.finding.count++;
      if (settings.mode === 'raise') throw new NPlusOneError(entry.finding.message, { model: set.meta.name });
      return;
    }
    const name = `${set.meta.name}.${relation}`;
    const callsite = captureCallsite();
    if (settings.allowRelations.has(name) || settings.allowCallsites.some((a) => callsite === a || callsite.startsWith(`${a}:`) || callsite.endsWith(a))) {
      entry.finding = null;
      return;
    }
    const key = `n+1 ${name} ${callsite}`;
    let finding = this.#findings.get(key);
    const isNew = finding === undefined;
    if (finding === undefined) {
      const fix = fixFor(set.meta, relation);
      finding = {
        kind: 'n+1',
        model: set.meta.name,
        relation,
        count: 0,
        callsite,
        fix,
        message: `N+1 detected on ${name} at ${callsite}: the relation is loaded on demand for each ${set.meta.name} of one query (${set.size} instances). Load it with that query: ${fix}.`,
      };
      this.#findings.set(key, finding);
    }
    finding.count += entry.members.size;
    entry.finding = finding;
    if (settings.mode === 'raise') throw new NPlusOneError(finding.message, { model: set.meta.name });
    if (isNew && settings.mode === 'warn') settings.log.warn(finding.message, { model: finding.model, relation, callsite });
  }

  /** Starts watching the eager loads of one query ('warn' mode). @internal */
  watchEager(set: SiblingSet, names: readonly string[], log: Reporter): EagerRecord {
    const fixes = new Map(names.map((n) => [n, removalFor(set.meta, n)]));
    const record: EagerRecord = { model: set.meta.name, unread: new Set(names), fixes, trace: captureStack(), log, done: false };
    this.#eager.push(record);
    if (this.#eager.length > MAX_EAGER_RECORDS) this.#eager.shift();
    this.#collected.register(set, record);
    return record;
  }

  /** Records (and logs) the unread eager loads of `record` as findings, once. */
  #unused(record: EagerRecord): void {
    if (record.done || record.unread.size === 0) return;
    record.done = true;
    const callsite = userCallsite(record.trace.stack);
    for (const relation of record.unread) {
      const name = `${record.model}.${relation}`;
      const key = `unused ${name} ${callsite}`;
      const existing = this.#findings.get(key);
      if (existing !== undefined) {
        existing.count++;
        continue;
      }
      const fix = record.fixes.get(relation) ?? '';
      const finding: MutableFinding = {
        kind: 'unused-eager-load',
        model: record.model,
        relation,
        count: 1,
        callsite,
        fix,
        message: `Unused eager loading of ${name} at ${callsite}: the query loaded it and no ${record.model} read it. ${fix}.`,
      };
      this.#findings.set(key, finding);
      record.log.warn(finding.message, { model: record.model, relation, callsite });
    }
  }
}

function fixFor(meta: ModelMeta, relation: string): string {
  const kind = meta.findRelation(relation)?.kind;
  const toOne = kind === 'fk' || kind === 'o2o';
  return toOne ? `${meta.name}.filter(...).selectRelated('${relation}')` : `${meta.name}.filter(...).prefetchRelated('${relation}')`;
}

function removalFor(meta: ModelMeta, relation: string): string {
  return `Remove '${relation}' from that query's selectRelated()/prefetchRelated() on ${meta.name}`;
}

/** The one detector of the process. */
export const detector = new NPlusOneDetector();

/**
 * The instances one multi-row query returned (stored on each of them): which relations were loaded on
 * demand for which members, and which eager loads were read. @internal
 */
export class SiblingSet implements RelationReads {
  // Private state only: a set has no own properties, so marked instances still compare equal (toEqual).
  readonly #loads = new Map<string, { members: Set<object>; finding: MutableFinding | null | undefined }>();
  readonly #eager: EagerRecord | undefined;
  readonly #meta: ModelMeta;
  readonly #size: number;
  readonly #settings: NPlusOneSettings;

  constructor(meta: ModelMeta, size: number, settings: NPlusOneSettings, eager: readonly string[]) {
    this.#meta = meta;
    this.#size = size;
    this.#settings = settings;
    this.#eager = eager.length > 0 && settings.mode === 'warn' ? detector.watchEager(this, eager, settings.log) : undefined;
  }

  /** The model of the instances. */
  get meta(): ModelMeta {
    return this.#meta;
  }

  /** How many instances the query returned. */
  get size(): number {
    return this.#size;
  }

  /** The detector settings of the connection the query ran on. */
  get settings(): NPlusOneSettings {
    return this.#settings;
  }

  /** Per relation: the members it was loaded on demand for, and the finding made (null: allow-listed). */
  get loads(): Map<string, { members: Set<object>; finding: MutableFinding | null | undefined }> {
    return this.#loads;
  }

  read(relation: string): void {
    this.#eager?.unread.delete(relation);
  }
}

/**
 * Marks the instances of one query as siblings (a query that returned at least two, with the detector
 * on). `eager` names the relations the query loaded (selectRelated/prefetchRelated first levels). @internal
 */
export function trackSiblings(rows: readonly object[], meta: ModelMeta, settings: NPlusOneSettings, eager: readonly string[]): void {
  if (settings.mode === 'off' || rows.length < 2) return;
  const set = new SiblingSet(meta, rows.length, settings, eager);
  for (let i = 0; i < rows.length; i++) (rows[i] as Record<symbol, unknown>)[SIBLINGS] = set;
}

/** A relation of `instance` is about to be loaded on demand (one query for this instance alone). @internal */
export function noteLazyLoad(instance: object, relation: string): void {
  const set = (instance as Record<symbol, unknown>)[SIBLINGS];
  if (set instanceof SiblingSet) detector.lazyLoad(set, instance, relation);
}
