/**
 * A hand-written SVG: horizontal bars of µs added per operation over the raw driver, one group per
 * workload (each group on its own linear scale, the value printed beside each bar), one column per
 * dialect. Oxen's bar is highlighted and the issue's SQLite target is drawn as a dashed line.
 */
import { ENTRY_LABELS, WORKLOAD_INFO, type Dialect, type EntryName, type WorkloadId } from './common.js';
import { fmtUs, type Cell } from './stats.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function renderSvg(
  cells: readonly Cell[],
  dialects: readonly Dialect[],
  workloads: readonly WorkloadId[],
  entries: readonly EntryName[],
  meta: { date: string; node: string; cpus: number; mode: string; reps: number },
): string {
  const peers = entries.filter((e) => e !== 'raw');
  const panelW = 600;
  const labelW = 120;
  const valueW = 120;
  const barW = panelW - labelW - valueW - 20;
  const rowH = 15;
  const headH = 22;
  const gap = 10;
  const top = 58;
  const groupH = headH + peers.length * rowH + gap;
  const height = top + workloads.length * groupH + 30;
  const width = dialects.length * panelW + 20;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="20" font-size="15" font-weight="bold">Time added per operation over the raw driver (median; shorter is better)</text>`);
  out.push(`<text x="10" y="38" fill="#555">${esc(`${meta.date.slice(0, 10)} · ${meta.mode} run, ${meta.reps} repetition(s) · Node ${meta.node} · ${meta.cpus} cores · each workload on its own scale · dashed: Oxen's target`)}</text>`);

  dialects.forEach((dialect, di) => {
    const x0 = 10 + di * panelW;
    out.push(`<text x="${x0}" y="${top - 4}" font-size="13" font-weight="bold">${dialect === 'sqlite' ? 'SQLite — vs raw better-sqlite3' : 'PostgreSQL — vs raw pg'}</text>`);
    workloads.forEach((w, wi) => {
      const y0 = top + wi * groupH;
      const info = WORKLOAD_INFO[w];
      const group = peers.map((e) => cells.find((c) => c.dialect === dialect && c.workload === w && c.entry === e));
      const raw = cells.find((c) => c.dialect === dialect && c.workload === w && c.entry === 'raw');
      const target = dialect === 'sqlite' ? info.targetUs : null;
      const max = Math.max(1e-9, ...group.map((c) => c?.usAdded ?? 0), target ?? 0);
      const scale = (us: number) => (Math.max(0, us) / max) * barW;
      const rawText = raw?.usPerOp === undefined ? '' : `  ·  raw: ${fmtUs(raw.usPerOp)}/${info.unit}`;
      out.push(`<text x="${x0}" y="${y0 + 14}" font-weight="bold">${esc(`${w} ${info.title}`)}<tspan font-weight="normal" fill="#555" xml:space="preserve">${esc(rawText)}</tspan></text>`);
      group.forEach((c, i) => {
        const entry = peers[i];
        const y = y0 + headH + i * rowH;
        const oxen = entry === 'oxen';
        out.push(`<text x="${x0 + labelW - 6}" y="${y + 10}" text-anchor="end"${oxen ? ' font-weight="bold"' : ''}>${esc(ENTRY_LABELS[entry][dialect])}</text>`);
        if (c === undefined) return;
        if (c.usAdded === undefined) {
          const why = c.na !== undefined ? `n/a — ${c.na}` : 'error (see latest.json)';
          out.push(`<text x="${x0 + labelW}" y="${y + 10}" fill="#888">${esc(why.length > 80 ? `${why.slice(0, 79)}…` : why)}</text>`);
          return;
        }
        const wpx = scale(c.usAdded);
        out.push(`<rect x="${x0 + labelW}" y="${y + 2}" width="${wpx.toFixed(1)}" height="${rowH - 4}" fill="${oxen ? '#d9480f' : '#748ffc'}"/>`);
        const label = `${fmtUs(c.usAdded, true)}  (${c.timesRaw!.toFixed(1)}× raw)`;
        out.push(`<text x="${x0 + labelW + wpx + 4}" y="${y + 10}"${oxen ? ' font-weight="bold"' : ''}>${esc(label)}</text>`);
      });
      if (target !== null) {
        const tx = x0 + labelW + scale(target);
        const y1 = y0 + headH;
        const y2 = y1 + peers.length * rowH;
        out.push(`<line x1="${tx.toFixed(1)}" y1="${y1}" x2="${tx.toFixed(1)}" y2="${y2}" stroke="#2b8a3e" stroke-width="1.5" stroke-dasharray="4 3"/>`);
        out.push(`<text x="${tx.toFixed(1)}" y="${y1 - 1}" fill="#2b8a3e" font-size="9" text-anchor="middle">${esc(`target ${fmtUs(target, true)}`)}</text>`);
      }
    });
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
