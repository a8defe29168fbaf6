// One self-contained HTML file (no network, one small inline script for zoom
// and pan): the verdict and findings, then the timeline. Labels sit in their
// own column; the view is fitted to where the events are (process start-up
// before the first event is cut, and the stuck tail after the last one is
// drawn as a break, not as seconds of empty bars); ticks fall on round
// values; row height shrinks so 50+ processes fit on one screen. The wheel
// zooms around the pointer, dragging pans, a double click resets. Without
// the script the fitted view and its ticks are still there. Every value from
// the report goes through markup.ts's `html` template, escaped.
import type { Finding } from '../../diagnosis/types.js';
import type { CommandHangReport, HangProof, RunReport } from '../../report/types.js';
import { fmtDuration } from '../../system/duration.js';
import { commandVerdict } from '../../report/labels.js';
import type { Timeline } from '../timeline.js';
import { trackNote } from '../timeline.js';
import { html, scriptJson, trusted, type Markup } from './markup.js';
import { checkFindingsHtml } from './check-html.js';

const COLORS: Record<string, string> = { take: '#4e79a7', put: '#59a14f', abba: '#b07aa1', hold: '#9c755f', lock: '#f28e2b', wait: '#1f3b5a' };

/** What the page says above the timeline: a run of ours, or a traced program's hang. */
export interface TimelinePage {
  heading: string;
  meta: string;
  verdict: 'hang' | 'completed' | 'failed';
  summary: string;
  proof: HangProof | null | undefined;
  findings: Finding[];
  /** Colour keys of the legend, before the shared ones (lock wait, condvar wait, never ended, stuck). */
  legend: [string, string][];
  /** What a row is. */
  row: 'process' | 'thread';
  /** HTML after the findings: the check's findings of a soaked command (check-html.ts). */
  extra?: Markup | '';
}

export function runPage(report: RunReport, runName: string): TimelinePage {
  const c = report.config;
  return {
    heading: `mvar-repro run ${runName}`,
    meta: `${c.variant}${c.fault !== 'none' ? ` + ${c.fault}` : ''}, ${c.nslaves} slaves (${c.runtime}), ${c.rounds} rounds, timeout ${fmtDuration(c.timeoutMs)}; ${report.environment.toolVersion}, node ${report.environment.node}, glibc ${report.environment.glibc}, ${report.timing.startedAt}`,
    verdict: report.verdict,
    summary: report.summary,
    proof: report.timing.proof,
    findings: report.diagnosis?.findings ?? [],
    legend: [['take', COLORS.take!], ['put', COLORS.put!]],
    row: 'process',
  };
}

export function commandPage(report: CommandHangReport, runName: string): TimelinePage {
  return {
    heading: `mvar-repro ${runName}`,
    meta: `${report.command.join(' ')} — iteration ${report.iteration}, timeout ${fmtDuration(report.timeoutMs)}; traced by the preload library (${report.preload?.trace === 'all' ? 'every primitive' : 'primitives in shared memory'}); ${report.environment.toolVersion}, glibc ${report.environment.glibc}, ${report.createdAt}`,
    verdict: report.verdict ?? 'hang',
    summary: commandVerdict(report),
    proof: report.proof,
    findings: report.diagnosis?.findings ?? [],
    legend: [['holds a mutex', COLORS.hold!]],
    row: 'thread',
    extra: checkFindingsHtml(report.preload?.findings),
  };
}

/** Plot width in px; the label column is beside it. */
const PLOT_W = 1000;
/** Rows shrink from 18 px to fit about this many px of timeline, down to 9 px a row. */
const PLOT_H = 760;
/** The stuck tail after the last event is drawn this wide, as a fraction of the active span. */
const BREAK_FRACTION = 0.06;

/**
 * Round tick positions for [a, b] (ms): steps of 1, 2 or 5 x 10^k, about n
 * of them. Self-contained on purpose: the page's script runs this very
 * function (its source is embedded), so server and browser agree.
 */
export function niceTicks(a: number, b: number, n: number): { values: number[]; step: number } {
  const raw = Math.max((b - a) / Math.max(1, n), 1e-6);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  const step = (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  const values: number[] = [];
  for (let v = Math.ceil(a / step) * step; v <= b + step * 1e-9; v += step) values.push(Math.round(v / step) * step);
  return { values, step };
}

/** A tick label with as many decimals as the step needs: "40 ms", "1.5 s", "0.25 ms". */
export function tickLabel(v: number, step: number): string {
  if (step >= 1000) {
    const d = Math.max(0, -Math.floor(Math.log10(step / 1000) + 1e-9));
    return `${(v / 1000).toFixed(d)} s`;
  }
  const d = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return `${v.toFixed(d)} ms`;
}

export function htmlTimeline(page: TimelinePage, t: Timeline, runName: string): string {
  const n = Math.max(1, t.tracks.length);
  const ROW = Math.max(9, Math.min(18, Math.floor(PLOT_H / n)));
  const H = n * ROW;
  // Time in ms from the first event; after the last event, the tail is squeezed into the break.
  const t0 = t.firstEventNs;
  const active = Math.max(0.001, (t.lastEventNs - t0) / 1e6);
  const tailMs = Math.max(0, (t.endNs - t.lastEventNs) / 1e6);
  const hasBreak = tailMs > active * BREAK_FRACTION;
  const breakW = hasBreak ? active * BREAK_FRACTION : tailMs;
  const X = (ns: number) => {
    const ms = (ns - t0) / 1e6;
    if (ms <= active || !hasBreak) return ms;
    return active + (breakW * (ms - active)) / tailMs;
  };
  const viewEnd = active + breakW;
  const at = (ns: number) => fmtDuration(Math.max(0, (ns - t0) / 1e6));
  const f2 = (v: number) => v.toFixed(4).replace(/\.?0+$/, '');

  const labels: Markup[] = [];
  const bars: Markup[] = [];
  const rowOf = new Map<number, number>();
  t.tracks.forEach((tr, i) => {
    const y = i * ROW;
    rowOf.set(tr.pid, y);
    const note = trackNote(tr);
    labels.push(
      html`<div class="lab${tr.stuck ? ' stuck' : ''}" style="height:${ROW}px;line-height:${ROW}px" title="${`${tr.label} · pid ${tr.pid}${tr.tid ? ` tid ${tr.tid}` : ''}${note ? ` · ${note}` : ''}`}"><b>${tr.label}</b> <span class="pid">${tr.tid ?? tr.pid}</span>${note ? html` <span class="note">${note}</span>` : ''}</div>`,
    );
    bars.push(html`<g class="track${tr.stuck ? ' stuck' : ''}" data-pid="${tr.pid}">`);
    if (tr.stuck) bars.push(html`<rect x="${f2(-viewEnd)}" y="${y}" width="${f2(viewEnd * 3)}" height="${ROW}" class="stuckbg"/>`);
    for (const s of tr.spans) {
      const x0 = X(s.startNs);
      const w = Math.max(active / 4000, X(s.endNs) - x0);
      const color = s.kind === 'op' ? (COLORS[String(s.args.op)] ?? '#888') : COLORS[s.kind];
      const inset = s.kind === 'op' ? 1 : Math.max(2, ROW / 4);
      const tip = `${s.name}${s.open ? ' (never ended)' : ''}: from ${at(s.startNs)} to ${s.open ? 'the end' : at(s.endNs)}${s.args.value !== undefined ? `, value ${s.args.value}` : ''}`;
      bars.push(html`<rect x="${f2(x0)}" y="${y + inset}" width="${f2(w)}" height="${ROW - 2 * inset}" fill="${color}"${s.open ? trusted(' class="open"') : ''}><title>${tip}</title></rect>`);
    }
    for (const ins of tr.instants)
      bars.push(html`<line x1="${f2(X(ins.tNs))}" x2="${f2(X(ins.tNs))}" y1="${y}" y2="${y + ROW}" class="${ins.scope === 'process' ? 'mark' : 'instant'}"><title>${`${ins.name} at ${at(ins.tNs)}`}</title></line>`);
    bars.push(trusted('</g>'));
  });
  for (const f of t.flows) {
    const y1 = rowOf.get(f.fromPid);
    const y2 = rowOf.get(f.toPid);
    if (y1 === undefined || y2 === undefined) continue;
    bars.push(html`<line x1="${f2(X(f.fromNs))}" y1="${y1 + ROW / 2}" x2="${f2(X(f.toNs))}" y2="${y2 + ROW / 2}" class="flow"><title>signal ${f.cv}</title></line>`);
  }
  if (hasBreak)
    bars.push(html`<rect x="${f2(active)}" y="0" width="${f2(breakW)}" height="${H}" class="break"><title>${`${fmtDuration(tailMs)} with no event until the verdict, drawn short`}</title></rect>`);

  const { values, step } = niceTicks(0, active, 10);
  // Ticks too close to the break's label give way to it.
  const limit = hasBreak ? (active / viewEnd) * 100 - 4 : 101;
  const ticks = values
    .map((v) => ({ v, left: (v / viewEnd) * 100 }))
    .filter((x) => x.left <= limit)
    .map((x) => html`<div class="tick" style="left:${x.left.toFixed(3)}%">${tickLabel(x.v, step)}</div>`);
  const tail = hasBreak ? html`<div class="tick break-label">⋯ +${fmtDuration(tailMs)}</div>` : trusted('');
  const findings = page.findings;
  const lead = (t.firstEventNs - t.startNs) / 1e6;
  const proof = page.proof;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mvar-repro ${runName}</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:18px;margin:0 0 4px} .meta{color:#555;margin-bottom:8px}
.verdict-hang{color:#b00020;font-weight:600} .verdict-completed{color:#2e7d32;font-weight:600} .verdict-failed{color:#e65100;font-weight:600}
.finding{border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5}
details{margin:4px 0} pre{white-space:pre-wrap;font-size:11px}
.legend{margin:8px 0;color:#444} .legend span{display:inline-block;margin-right:14px}
.legend i{display:inline-block;width:12px;height:10px;margin-right:4px;vertical-align:middle}
.tl{display:grid;grid-template-columns:260px ${PLOT_W}px;border:1px solid #ddd;width:${260 + PLOT_W}px}
.labels{border-right:1px solid #ddd;background:#fafafa}
.lab{font:11px monospace;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;padding:0 6px;border-bottom:1px solid #f0f0f0;box-sizing:border-box}
.lab.stuck{background:#ffe5e5;color:#b00020} .lab .pid{color:#777} .lab .note{color:#b00020;font-size:10px}
.axis{position:relative;height:22px;border-bottom:1px solid #ddd;grid-column:2;overflow:hidden}
.axis-gap{grid-column:1;border-bottom:1px solid #ddd;border-right:1px solid #ddd;font-size:10px;color:#777;padding:4px 6px}
.tick{position:absolute;top:4px;transform:translateX(-50%);font:10px monospace;color:#555;white-space:nowrap}
.tick:first-child{transform:none} .tick.break-label{right:2px;transform:none;color:#b00020}
svg{display:block;cursor:grab} .stuckbg{fill:#ffe5e5} .open{stroke:#b00020;stroke-dasharray:3 2}
rect,line{vector-effect:non-scaling-stroke} .instant{stroke:#e15759;stroke-width:1.5} .mark{stroke:#b00020;stroke-width:2}
.flow{stroke:#999;stroke-width:.6;opacity:.5} .break{fill:url(#zig);opacity:.9}
.hint{color:#777;font-size:11px;margin:4px 0}
</style></head><body>
<h1>${page.heading}</h1>
<div class="meta">${page.meta}</div>
<div class="verdict-${page.verdict}">${page.summary}</div>
${proof ? html`<div class="meta">proven ${fmtDuration(proof.provenAtMs)} after the start${proof.lastProgressAtMs !== null ? `, ${fmtDuration(proof.provenAtMs - proof.lastProgressAtMs)} after the last progress` : ''}: ${proof.reason}</div>` : ''}
<section id="findings">${findings.map((f) => html`<div class="finding" data-kind="${f.kind}"><b>${f.kind}</b>: ${f.summary}<details><summary>evidence</summary><pre>${f.evidence.join('\n')}</pre></details></div>\n`)}</section>${page.extra ?? ''}
<div class="legend">${page.legend.map(([name, color]) => html`<span><i style="background:${color}"></i>${name}</span>`)}<span><i style="background:${COLORS.lock}"></i>lock wait</span><span><i style="background:${COLORS.wait}"></i>condvar wait</span><span><i style="border:1px dashed #b00020"></i>never ended</span><span><i style="background:#ffe5e5"></i>stuck / starving</span>${page.row === 'process' ? trusted('<span>grey lines: signal → wake-up</span>') : ''}</div>
<div class="hint">time from the first event (${fmtDuration(lead)} after the start); wheel: zoom, drag: pan, double click: reset</div>
<div class="tl">
<div class="axis-gap">${n} ${page.row === 'process' ? `process${n === 1 ? '' : 'es'}` : `thread${n === 1 ? '' : 's'}`}</div>
<div class="axis" id="axis">${ticks}${tail}</div>
<div class="labels">${labels}</div>
<svg id="plot" xmlns="http://www.w3.org/2000/svg" width="${PLOT_W}" height="${H}" viewBox="0 0 ${f2(viewEnd)} ${H}" preserveAspectRatio="none">
<defs><pattern id="zig" width="8" height="8" patternUnits="userSpaceOnUse"><path d="M0 8 L4 0 L8 8" stroke="#bbb" fill="#f4f4f4"/></pattern></defs>
${bars.map((b) => html`${b}\n`)}</svg>
</div>
<script>
(() => {
  const niceTicks = ${trusted(niceTicks.toString())};
  const tickLabel = ${trusted(tickLabel.toString())};
  const svg = document.getElementById('plot'), axis = document.getElementById('axis');
  const full = [0, ${scriptJson(viewEnd)}], active = ${scriptJson(active)}, tail = ${scriptJson(tail.text)}, H = ${scriptJson(H)};
  let view = full.slice();
  const draw = () => {
    svg.setAttribute('viewBox', view[0] + ' 0 ' + (view[1] - view[0]) + ' ' + H);
    const t = niceTicks(view[0], Math.min(view[1], active), 10);
    axis.innerHTML = t.values.map((v) => '<div class="tick" style="left:' + (100 * (v - view[0]) / (view[1] - view[0])) + '%">' + tickLabel(v, t.step) + '</div>').join('') + tail;
  };
  const at = (e) => view[0] + (view[1] - view[0]) * (e.clientX - svg.getBoundingClientRect().left) / svg.clientWidth;
  svg.addEventListener('wheel', (e) => {
    e.preventDefault();
    const x = at(e), k = e.deltaY > 0 ? 1.25 : 0.8;
    view = [x - (x - view[0]) * k, x + (view[1] - x) * k];
    draw();
  }, { passive: false });
  let drag = null;
  svg.addEventListener('mousedown', (e) => (drag = { x: e.clientX, view: view.slice() }));
  window.addEventListener('mouseup', () => (drag = null));
  window.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const d = (drag.x - e.clientX) * (drag.view[1] - drag.view[0]) / svg.clientWidth;
    view = [drag.view[0] + d, drag.view[1] + d];
    draw();
  });
  svg.addEventListener('dblclick', () => { view = full.slice(); draw(); });
})();
</script>
</body></html>
`.text;
}
