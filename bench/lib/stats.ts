/** Aggregation of repeated runs: medians, ranges, and the comparison with the raw driver. */
import type { ChildResult } from '../child.js';
import { ENTRY_LABELS, WORKLOAD_INFO, type Dialect, type EntryName, type WorkloadId } from './common.js';

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Cell {
  readonly dialect: Dialect;
  readonly workload: WorkloadId;
  readonly entry: EntryName;
  readonly label: string;
  /** Per repetition: µs per operation. */
  readonly runsUsPerOp: readonly number[];
  readonly opsPerSec?: { readonly median: number; readonly min: number; readonly max: number };
  readonly usPerOp?: number;
  /** Time per op ÷ the raw driver's (1.00 = as fast as raw). */
  readonly timesRaw?: number;
  /** Median µs per op minus the raw driver's median. */
  readonly usAdded?: number;
  /** Median client CPU µs per op (the process's own CPU time in the timed section; robust to other load). */
  readonly cpuUsPerOp?: number;
  /** Median client CPU µs per op minus the raw driver's. */
  readonly cpuUsAdded?: number;
  /** Runs measured while other processes used more than 0.25 cores. */
  readonly noisyRuns?: number;
  /** W9: the largest RSS growth over all repetitions, MiB. */
  readonly rssGrowthMiB?: number;
  readonly na?: string;
  readonly errors?: readonly string[];
}

export function aggregate(results: readonly ChildResult[], dialects: readonly Dialect[], workloads: readonly WorkloadId[], entries: readonly EntryName[]): Cell[] {
  const cells: Cell[] = [];
  for (const dialect of dialects) {
    for (const workload of workloads) {
      const rawRuns = results.filter((r) => r.dialect === dialect && r.workload === workload && r.entry === 'raw' && r.ms !== undefined);
      const rawUs = rawRuns.length > 0 ? median(rawRuns.map((r) => (r.ms! * 1000) / r.ops!)) : undefined;
      const rawCpu = rawRuns.filter((r) => r.cpuMs !== undefined);
      const rawCpuUs = rawCpu.length > 0 ? median(rawCpu.map((r) => (r.cpuMs! * 1000) / r.ops!)) : undefined;
      for (const entry of entries) {
        const mine = results.filter((r) => r.dialect === dialect && r.workload === workload && r.entry === entry);
        if (mine.length === 0) continue;
        const label = ENTRY_LABELS[entry][dialect];
        const ok = mine.filter((r) => r.ms !== undefined && r.error === undefined);
        const errors = mine.filter((r) => r.error !== undefined).map((r) => r.error!);
        const na = mine.find((r) => r.na !== undefined)?.na;
        if (ok.length === 0) {
          cells.push({ dialect, workload, entry, label, runsUsPerOp: [], na, errors: errors.length > 0 ? errors : undefined });
          continue;
        }
        const us = ok.map((r) => (r.ms! * 1000) / r.ops!);
        const ops = ok.map((r) => r.ops! / (r.ms! / 1000));
        const usPerOp = median(us);
        const rss = ok.map((r) => r.rssGrowthMiB).filter((x): x is number => x !== undefined);
        const cpu = ok.filter((r) => r.cpuMs !== undefined).map((r) => (r.cpuMs! * 1000) / r.ops!);
        const cpuUsPerOp = cpu.length > 0 ? median(cpu) : undefined;
        const noisy = ok.filter((r) => (r.foreignCores ?? 0) > 0.25).length;
        cells.push({
          dialect,
          workload,
          entry,
          label,
          runsUsPerOp: us,
          opsPerSec: { median: median(ops), min: Math.min(...ops), max: Math.max(...ops) },
          usPerOp,
          timesRaw: rawUs === undefined ? undefined : usPerOp / rawUs,
          usAdded: rawUs === undefined ? undefined : usPerOp - rawUs,
          cpuUsPerOp,
          cpuUsAdded: cpuUsPerOp === undefined || rawCpuUs === undefined ? undefined : cpuUsPerOp - rawCpuUs,
          noisyRuns: noisy > 0 ? noisy : undefined,
          rssGrowthMiB: rss.length > 0 ? Math.max(...rss) : undefined,
          errors: errors.length > 0 ? errors : undefined,
        });
      }
    }
  }
  return cells;
}

// ---- formatting ----

export function fmtOps(n: number): string {
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** µs, switching to ms past 10 ms. */
export function fmtUs(us: number, signed = false): string {
  const sign = signed ? (us >= 0 ? '+' : '−') : us < 0 ? '−' : '';
  const a = Math.abs(us);
  if (a >= 10_000) return `${sign}${(a / 1000).toFixed(1)} ms`;
  if (a >= 1000) return `${sign}${(a / 1000).toFixed(2)} ms`;
  if (a >= 100) return `${sign}${a.toFixed(0)} µs`;
  if (a >= 10) return `${sign}${a.toFixed(1)} µs`;
  return `${sign}${a.toFixed(2)} µs`;
}

export function cellStatus(c: Cell): string | null {
  if (c.usPerOp !== undefined) return null;
  if (c.na !== undefined) return `n/a (${c.na})`;
  if (c.errors !== undefined) return `error: ${c.errors[0].split('\n')[0].slice(0, 140)}`;
  return 'no result';
}

/** A plain-text (and Markdown) table per dialect: one block per workload. */
export function markdownTables(cells: readonly Cell[], dialect: Dialect, workloads: readonly WorkloadId[], opsOf: (w: WorkloadId) => number): string {
  const lines: string[] = [];
  for (const w of workloads) {
    const mine = cells.filter((c) => c.dialect === dialect && c.workload === w);
    if (mine.length === 0) continue;
    const info = WORKLOAD_INFO[w];
    lines.push(`**${w} — ${info.title}** (${opsOf(w).toLocaleString('en-US')} × ${info.unit}${info.targetUs !== null && dialect === 'sqlite' ? `; Oxen target: ${fmtUs(info.targetUs, true)}` : ''})`);
    lines.push('');
    const rss = w === 'W9';
    lines.push(`| entry | ops/s median (min–max) | µs/op | × raw | added per ${info.unit} |${rss ? ' RSS growth |' : ''}`);
    lines.push(`|---|---:|---:|---:|---:|${rss ? '---:|' : ''}`);
    for (const c of mine) {
      const status = cellStatus(c);
      if (status !== null) {
        lines.push(`| ${c.label} | ${status} | | | |${rss ? ' |' : ''}`);
        continue;
      }
      const o = c.opsPerSec!;
      const added = c.entry === 'raw' ? '—' : c.usAdded === undefined ? '?' : fmtUs(c.usAdded, true);
      const times = c.timesRaw === undefined ? '?' : c.timesRaw.toFixed(2);
      const flag = `${c.errors !== undefined ? ` ⚠ ${c.errors.length} failed run(s)` : ''}${c.noisyRuns !== undefined ? ` ≈${c.noisyRuns}` : ''}`;
      lines.push(`| ${c.label} | ${fmtOps(o.median)} (${fmtOps(o.min)}–${fmtOps(o.max)})${flag} | ${fmtUs(c.usPerOp!)} | ${times} | ${added} |${rss ? ` ${c.rssGrowthMiB === undefined ? '?' : `${c.rssGrowthMiB.toFixed(1)} MiB`} |` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** One compact matrix: µs added per op, workloads × entries. */
export function summaryMatrix(cells: readonly Cell[], dialect: Dialect, workloads: readonly WorkloadId[], entries: readonly EntryName[]): string {
  const cols = entries.filter((e) => e !== 'raw' && cells.some((c) => c.dialect === dialect && c.entry === e));
  const rawLabel = ENTRY_LABELS.raw[dialect];
  const lines = [`| workload | ${rawLabel} µs/op | ${cols.map((e) => ENTRY_LABELS[e][dialect]).join(' | ')} |`, `|---|---:|${cols.map(() => '---:|').join('')}`];
  for (const w of workloads) {
    const raw = cells.find((c) => c.dialect === dialect && c.workload === w && c.entry === 'raw');
    if (raw === undefined) continue;
    const row = cols.map((e) => {
      const c = cells.find((x) => x.dialect === dialect && x.workload === w && x.entry === e);
      if (c === undefined) return '';
      if (c.usAdded === undefined) return c.na !== undefined ? 'n/a' : 'error';
      return fmtUs(c.usAdded, true);
    });
    lines.push(`| ${w} (per ${WORKLOAD_INFO[w].unit}) | ${raw.usPerOp === undefined ? '?' : fmtUs(raw.usPerOp)} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The same matrix on client CPU time (µs of the process's own CPU per op, minus the raw driver's). */
export function cpuMatrix(cells: readonly Cell[], dialect: Dialect, workloads: readonly WorkloadId[], entries: readonly EntryName[]): string {
  const cols = entries.filter((e) => e !== 'raw' && cells.some((c) => c.dialect === dialect && c.entry === e));
  const rawLabel = ENTRY_LABELS.raw[dialect];
  const lines = [`| workload | ${rawLabel} CPU µs/op | ${cols.map((e) => ENTRY_LABELS[e][dialect]).join(' | ')} |`, `|---|---:|${cols.map(() => '---:|').join('')}`];
  for (const w of workloads) {
    const raw = cells.find((c) => c.dialect === dialect && c.workload === w && c.entry === 'raw');
    if (raw === undefined) continue;
    const row = cols.map((e) => {
      const c = cells.find((x) => x.dialect === dialect && x.workload === w && x.entry === e);
      if (c === undefined) return '';
      if (c.cpuUsAdded === undefined) return c.na !== undefined ? 'n/a' : c.usAdded === undefined ? 'error' : '?';
      return fmtUs(c.cpuUsAdded, true);
    });
    lines.push(`| ${w} (per ${WORKLOAD_INFO[w].unit}) | ${raw.cpuUsPerOp === undefined ? '?' : fmtUs(raw.cpuUsPerOp)} | ${row.join(' | ')} |`);
  }
  return lines.join('\n');
}
