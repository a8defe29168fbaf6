// One self-contained HTML file (no network, one small inline script): the
// verdict and findings, then the timeline, readable at a glance on a laptop
// and on a phone. Rows that did the same thing are folded into one
// ("slave 2–50 (49)", fold.ts) and open on a click; labels sit in a column
// as wide as they need (on a phone, above their bars); the bars take the rest
// of the page's width. The view is fitted to where the events are (process
// start-up before the first event is cut; the stuck tail after the last one
// is a short break over the rows still running or stuck); ticks fall on
// round values; signals that reached no waiter are marked. Rows: html-rows.ts;
// style and script: html-assets.ts. Without the script the fitted view, its
// ticks and the folded rows remain. Every value from the report goes through
// markup.ts's `html` template, escaped.
import type { Finding } from '../../diagnosis/types.js';
import type { CommandHangReport, HangProof, RunReport } from '../../report/types.js';
import { fmtDuration } from '../../system/duration.js';
import { commandVerdict } from '../../report/labels.js';
import { foldTracks } from '../fold.js';
import type { Timeline } from '../timeline.js';
import { STYLE, SCRIPT } from './html-assets.js';
import { COLORS, rowsMarkup, timeScale } from './html-rows.js';
import { html, scriptJson, trusted, type Markup } from './markup.js';
import { checkFindingsHtml } from './check-html.js';

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
  const sc = timeScale(t);
  const rows = foldTracks(t.tracks);
  const n = t.tracks.length;
  const { values, step } = niceTicks(0, sc.active, 10);
  // Ticks too close to the break's label give way to it.
  const limit = sc.hasBreak ? (sc.active / sc.viewEnd) * 100 - 4 : 101;
  const ticks = values
    .map((v) => ({ v, left: (v / sc.viewEnd) * 100 }))
    .filter((x) => x.left <= limit)
    .map((x) => html`<div class="tick" style="left:${x.left.toFixed(3)}%">${tickLabel(x.v, step)}</div>`);
  const tail = sc.hasBreak ? html`<div class="tick break-label">⋯ +${fmtDuration(sc.tailMs)}</div>` : trusted('');
  const lead = (t.firstEventNs - t.startNs) / 1e6;
  const proof = page.proof;
  const what = page.row === 'process' ? 'process' : 'thread';
  const folded = rows.length < n ? ` in ${rows.length} rows` : '';
  const data = { full: [0, sc.viewEnd], active: sc.active, tail: tail.text, flows: t.flows.map((f) => [f.fromPid, sc.x(f.fromNs), f.toPid, sc.x(f.toNs)]) };
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>mvar-repro ${runName}</title>
<style>${trusted(STYLE)}</style></head><body>
<h1>${page.heading}</h1>
<div class="meta">${page.meta}</div>
<div class="verdict-${page.verdict}">${page.summary}</div>
${proof ? html`<div class="meta">proven ${fmtDuration(proof.provenAtMs)} after the start${proof.lastProgressAtMs !== null ? `, ${fmtDuration(proof.provenAtMs - proof.lastProgressAtMs)} after the last progress` : ''}: ${proof.reason}</div>` : ''}
<section id="findings">${page.findings.map((f) => html`<div class="finding" data-kind="${f.kind}"><b>${f.kind}</b>: ${f.summary}<details><summary>evidence</summary><pre>${f.evidence.join('\n')}</pre></details></div>\n`)}</section>${page.extra ?? ''}
<div class="legend">${page.legend.map(([name, color]) => html`<span><i style="background:${color}"></i>${name}</span>`)}<span><i style="background:${COLORS.lock}"></i>lock wait</span><span><i style="background:${COLORS.wait}"></i>condvar wait</span><span><i style="border:1px dashed #b00020"></i>never ended</span><span><i style="background:#ffe5e5"></i>stuck / starving / silent</span>${t.lostSignals.length ? trusted('<span><i style="background:#d4007f;width:3px"></i>signal no waiter received</span>') : ''}${t.flows.length ? trusted('<span>grey lines: signal → wake-up</span>') : ''}</div>
<div class="hint">time from the first event (${fmtDuration(lead)} after the start); wheel: zoom, drag: pan, double click: reset${rows.length < n ? `; ▸ rows of ${what}${what === 'process' ? 'es' : 's'} that did the same thing: click to see each` : ''}</div>
<div class="tl" id="tl">
<div class="corner">${n} ${n === 1 ? what : `${what}${what === 'process' ? 'es' : 's'}`}${folded}</div>
<div class="axis" id="axis">${ticks}${tail}</div>
${rowsMarkup(rows, t, sc)}<svg class="flows" id="flows" xmlns="http://www.w3.org/2000/svg"></svg>
</div>
<svg width="0" height="0" style="position:absolute"><defs><pattern id="zig" width="8" height="8" patternUnits="userSpaceOnUse"><path d="M0 8 L4 0 L8 8" stroke="#bbb" fill="#f4f4f4"/></pattern></defs></svg>
<script>
const niceTicks = ${trusted(niceTicks.toString())};
const tickLabel = ${trusted(tickLabel.toString())};
const DATA = ${scriptJson(data)};
${trusted(SCRIPT)}</script>
</body></html>
`.text;
}
