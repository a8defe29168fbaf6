// One self-contained HTML file (no script, no network): the findings, then
// the timeline drawn as SVG, one row per process, stuck processes in red.
import type { RunReport } from '../../report/types.js';
import type { Timeline } from '../timeline.js';
import { trackNote } from '../timeline.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<string, string> = { take: '#4e79a7', put: '#59a14f', abba: '#b07aa1', lock: '#f28e2b', wait: '#1f3b5a' };

export function htmlTimeline(report: RunReport, t: Timeline, runName: string): string {
  const LABEL = 230;
  const WIDTH = 1100;
  const ROW = 18;
  const TOP = 24;
  const span = Math.max(1, t.endNs - t.startNs);
  const x = (ns: number) => LABEL + ((ns - t.startNs) / span) * WIDTH;
  const ms = (ns: number) => ((ns - t.startNs) / 1e6).toFixed(3);
  const height = TOP + t.tracks.length * ROW + 10;
  const parts: string[] = [];
  const ticks = 10;
  for (let i = 0; i <= ticks; i++) {
    const ns = t.startNs + (span * i) / ticks;
    parts.push(`<line x1="${x(ns)}" y1="${TOP - 4}" x2="${x(ns)}" y2="${height}" class="grid"/>`);
    parts.push(`<text x="${x(ns)}" y="${TOP - 8}" class="tick">${ms(ns)} ms</text>`);
  }
  const rowOf = new Map<number, number>();
  t.tracks.forEach((tr, i) => {
    const y = TOP + i * ROW;
    rowOf.set(tr.pid, y);
    parts.push(`<g class="track${tr.stuck ? ' stuck' : ''}" data-pid="${tr.pid}">`);
    if (tr.stuck) parts.push(`<rect x="0" y="${y}" width="${LABEL + WIDTH}" height="${ROW}" class="stuckbg"/>`);
    const note = trackNote(tr);
    parts.push(`<text x="4" y="${y + 13}" class="label">${esc(tr.label)} · ${tr.pid}${note ? ` · ${esc(note)}` : ''}</text>`);
    for (const s of tr.spans) {
      const w = Math.max(0.5, x(s.endNs) - x(s.startNs));
      const color = s.kind === 'op' ? (COLORS[String(s.args.op)] ?? '#888') : COLORS[s.kind];
      const h = s.kind === 'op' ? ROW - 4 : ROW - 10;
      const dy = s.kind === 'op' ? 2 : 5;
      const tip = `${s.name}${s.open ? ' (never ended)' : ''}: ${ms(s.startNs)} ms to ${ms(s.endNs)} ms${s.args.value !== undefined ? `, value ${s.args.value}` : ''}`;
      parts.push(`<rect x="${x(s.startNs).toFixed(2)}" y="${y + dy}" width="${w.toFixed(2)}" height="${h}" fill="${color}"${s.open ? ' class="open"' : ''}><title>${esc(tip)}</title></rect>`);
    }
    for (const ins of tr.instants)
      parts.push(`<path d="M${x(ins.tNs).toFixed(2)} ${y + 1} l3 4 l-3 4 l-3 -4 z" class="${ins.scope === 'process' ? 'mark' : 'instant'}"><title>${esc(`${ins.name} at ${ms(ins.tNs)} ms`)}</title></path>`);
    parts.push('</g>');
  });
  for (const f of t.flows) {
    const y1 = rowOf.get(f.fromPid);
    const y2 = rowOf.get(f.toPid);
    if (y1 === undefined || y2 === undefined) continue;
    parts.push(`<line x1="${x(f.fromNs).toFixed(2)}" y1="${y1 + ROW / 2}" x2="${x(f.toNs).toFixed(2)}" y2="${y2 + ROW / 2}" class="flow"><title>signal ${f.cv}</title></line>`);
  }
  const findings = report.diagnosis?.findings ?? [];
  const c = report.config;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mvar-repro ${esc(runName)}</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px} .meta{color:#555;margin-bottom:10px}
.verdict-hang{color:#b00020;font-weight:600} .verdict-completed{color:#2e7d32;font-weight:600} .verdict-failed{color:#e65100;font-weight:600}
.finding{border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5}
.finding code{font-size:12px} details{margin:4px 0}
svg{border:1px solid #ddd;background:#fff} .label{font:11px monospace;fill:#222} .stuck .label{fill:#b00020;font-weight:700}
.stuckbg{fill:#ffe5e5} .grid{stroke:#eee} .tick{font:10px monospace;fill:#777;text-anchor:middle}
.open{stroke:#b00020;stroke-width:1.5;stroke-dasharray:3 2} .instant{fill:#e15759} .mark{fill:#b00020}
.flow{stroke:#999;stroke-width:.6;opacity:.6} .legend span{display:inline-block;margin-right:12px}
.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
</style></head><body>
<h1>mvar-repro run ${esc(runName)}</h1>
<div class="meta">${esc(`${c.variant}${c.fault !== 'none' ? ` + ${c.fault}` : ''}, ${c.nslaves} slaves (${c.runtime}), ${c.rounds} rounds, timeout ${c.timeoutMs} ms; ${report.environment.toolVersion}, node ${report.environment.node}, glibc ${report.environment.glibc}, ${report.timing.startedAt}`)}</div>
<div class="verdict-${report.verdict}">${esc(report.summary)}</div>
<section id="findings">${findings
    .map(
      (f) =>
        `<div class="finding" data-kind="${esc(f.kind)}"><b>${esc(f.kind)}</b>: ${esc(f.summary)}<details><summary>evidence</summary><pre>${esc(f.evidence.join('\n'))}</pre></details></div>`,
    )
    .join('\n')}</section>
<div class="legend"><span><i style="background:${COLORS.take}"></i>take</span><span><i style="background:${COLORS.put}"></i>put</span><span><i style="background:${COLORS.lock}"></i>lock wait</span><span><i style="background:${COLORS.wait}"></i>condvar wait</span><span><i style="background:#fff;border:1px dashed #b00020"></i>never ended</span><span><i style="background:#ffe5e5"></i>stuck / starving</span><span>lines: signal → wake-up</span></div>
<svg xmlns="http://www.w3.org/2000/svg" width="${LABEL + WIDTH + 10}" height="${height}" viewBox="0 0 ${LABEL + WIDTH + 10} ${height}">
${parts.join('\n')}
</svg>
</body></html>
`;
}
