// The rows of the HTML timeline: one label and one strip of bars per row of
// the folded timeline (fold.ts), the members of a folded row after it, hidden
// until its label is clicked. Each strip is its own SVG in time units
// stretched to the width of the page (no fixed pixel width), so the page
// script zooms them all by changing one viewBox. The view is fitted to the
// events: after the last one, the rest of the run up to the verdict is
// squeezed into a short break, drawn only on the rows that were still
// running or stuck then (a row that had finished has nothing to break).
// Every value goes through markup.ts's `html`, escaped.
import { fmtDuration } from '../../system/duration.js';
import { needsAttention, type ShownState } from '../../report/process-state.js';
import type { Row } from '../fold.js';
import type { Timeline, Track } from '../timeline.js';
import { html, trusted, type Markup } from './markup.js';

export const COLORS: Record<string, string> = { take: '#4e79a7', put: '#59a14f', abba: '#b07aa1', hold: '#9c755f', lock: '#f28e2b', wait: '#1f3b5a' };

/** Rows shrink from 20 px to fit about this many px of timeline, down to 9 px a row. */
const PLOT_H = 620;
/** The stuck tail after the last event is drawn this wide, as a fraction of the active span. */
const BREAK_FRACTION = 0.06;
/** A folded row draws every member's bars at this opacity: where they all agree it is solid, where they spread it fades. */
const MEMBER_OPACITY = 0.35;
/** A lost signal is a tick over the top of its row, so the bars under a burst of them stay visible. */
const LOST_MARK = 0.4;

/** Time (ms from the first event) to the page's x, the tail after the last event squeezed into the break. */
export interface Scale {
  t0: number;
  active: number;
  tailMs: number;
  hasBreak: boolean;
  breakW: number;
  viewEnd: number;
  x: (ns: number) => number;
}

export function timeScale(t: Timeline): Scale {
  const t0 = t.firstEventNs;
  const active = Math.max(0.001, (t.lastEventNs - t0) / 1e6);
  const tailMs = Math.max(0, (t.endNs - t.lastEventNs) / 1e6);
  const hasBreak = tailMs > active * BREAK_FRACTION;
  const breakW = hasBreak ? active * BREAK_FRACTION : tailMs;
  const x = (ns: number) => {
    const ms = (ns - t0) / 1e6;
    return ms <= active || !hasBreak ? ms : active + (breakW * (ms - active)) / tailMs;
  };
  return { t0, active, tailMs, hasBreak, breakW, viewEnd: active + breakW, x };
}

/** Row height for `n` rows on one screen. */
export const rowHeight = (n: number): number => Math.max(9, Math.min(20, Math.floor(PLOT_H / Math.max(1, n))));

const f2 = (v: number) => v.toFixed(4).replace(/\.?0+$/, '');

/** Still running or stuck when the events stop: the break is drawn over it. */
const ranOn = (t: Track) => t.spans.some((s) => s.open) || t.state === 'running' || needsAttention(t.state as ShownState);

function bars(tracks: Track[], t: Timeline, sc: Scale, row: number, opacity: number): Markup[] {
  const at = (ns: number) => fmtDuration(Math.max(0, (ns - sc.t0) / 1e6));
  const out: Markup[] = [];
  const fade = opacity < 1 ? html` fill-opacity="${opacity}"` : trusted('');
  for (const tr of tracks)
    for (const s of tr.spans) {
      const x0 = sc.x(s.startNs);
      const w = Math.max(sc.active / 4000, sc.x(s.endNs) - x0);
      const color = s.kind === 'op' ? (COLORS[String(s.args.op)] ?? '#888') : COLORS[s.kind];
      const inset = s.kind === 'op' ? 1 : Math.max(2, row / 4);
      const tip = `${tr.label}: ${s.name}${s.open ? ' (never ended)' : ''}, from ${at(s.startNs)} to ${s.open ? 'the end' : at(s.endNs)}${s.args.value !== undefined ? `, value ${s.args.value}` : ''}`;
      out.push(html`<rect x="${f2(x0)}" y="${inset}" width="${f2(w)}" height="${row - 2 * inset}" fill="${color}"${fade}${s.open ? trusted(' class="open"') : ''}><title>${tip}</title></rect>`);
    }
  for (const tr of tracks)
    for (const ins of tr.instants)
      out.push(html`<line x1="${f2(sc.x(ins.tNs))}" x2="${f2(sc.x(ins.tNs))}" y1="0" y2="${row}" class="${ins.scope === 'process' ? 'mark' : 'instant'}"><title>${`${tr.label}: ${ins.name} at ${at(ins.tNs)}`}</title></line>`);
  const pids = new Set(tracks.map((x) => x.pid));
  for (const l of t.lostSignals.filter((x) => pids.has(x.pid)))
    out.push(html`<line x1="${f2(sc.x(l.tNs))}" x2="${f2(sc.x(l.tNs))}" y1="0" y2="${f2(row * LOST_MARK)}" class="lost"><title>${`signal ${l.cv} at ${at(l.tNs)} reached no waiter: ${l.waiting.length} process(es) were waiting on ${l.cv} and none of them woke`}</title></line>`);
  if (sc.hasBreak && tracks.some(ranOn))
    out.push(html`<rect x="${f2(sc.active)}" y="0" width="${f2(sc.breakW)}" height="${row}" class="break"><title>${`${fmtDuration(sc.tailMs)} with no event until the verdict, drawn short`}</title></rect>`);
  return out;
}

function strip(tracks: Track[], t: Timeline, sc: Scale, row: number, opacity: number, cls: string, key: string): Markup {
  return html`<svg class="bars${cls}" data-row="${key}" data-pids="${tracks.map((x) => x.pid).join(' ')}" xmlns="http://www.w3.org/2000/svg" height="${row}" viewBox="0 0 ${f2(sc.viewEnd)} ${row}" preserveAspectRatio="none">${bars(tracks, t, sc, row, opacity)}</svg>\n`;
}

const stateClass = (tracks: Track[]) => (tracks.some((x) => x.stuck) ? ` attn st-${tracks[0]!.state}` : '');

function title(r: Row): string {
  const first = r.tracks[0]!;
  const who = r.folded ? `${r.label} (${r.tracks.length}): pids ${r.tracks.map((x) => x.pid).join(', ')}` : `${r.label} · pid ${first.pid}${first.tid ? ` tid ${first.tid}` : ''}`;
  return [who, first.state, first.finding].filter(Boolean).join(' · ');
}

function label(r: Row, key: string, row: number): Markup {
  const first = r.tracks[0]!;
  const who = r.folded
    ? html`<button class="fold" aria-expanded="false" aria-controls="m${key}" title="show each of them">▸</button><b>${r.label}</b> <span class="n">(${r.tracks.length})</span>`
    : html`<b>${r.label}</b> <span class="pid">${first.tid ?? first.pid}</span>`;
  return html`<div class="lab${stateClass(r.tracks)}" data-row="${key}" style="min-height:${row}px" title="${title(r)}">${who} <span class="st">${first.state}</span></div>\n`;
}

/** Every row's label and strip; a folded row's members follow it in a hidden group of their own. */
export function rowsMarkup(rows: Row[], t: Timeline, sc: Scale): Markup[] {
  const row = rowHeight(rows.length);
  const memberRow = rowHeight(t.tracks.length);
  return rows.map((r, i) => {
    const key = String(i);
    const head = [label(r, key, row), strip(r.tracks, t, sc, row, r.folded ? MEMBER_OPACITY : 1, stateClass(r.tracks), key)];
    if (!r.folded) return html`${head}`;
    const members = r.tracks.map((tr, j) => [
      label({ label: tr.label, tracks: [tr], folded: false }, `${key}.${j}`, memberRow),
      strip([tr], t, sc, memberRow, 1, `${stateClass([tr])} member`, `${key}.${j}`),
    ]);
    return html`${head}<div class="members" id="m${key}" hidden>${members}</div>\n`;
  });
}
