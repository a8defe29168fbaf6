// The check's findings of a soaked command's iteration (soak --check) in
// the HTML exports: one block per finding, and for a lock-order inversion
// its orders side by side in a table, one column per thread (who holds
// which lock, taken where; which lock it then takes, where), so the two
// orders of an ABBA read across. Self-contained (inline styles), so both
// pages (with and without a trace) take it as it is; every value goes
// through markup.ts's `html`, escaped.
import type { FindingGroup, LockOrder } from '../../preload/findings.js';
import { findingSummary } from '../../preload/findings.js';
import { html, type Markup } from './markup.js';

const CELL = 'border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;font:12px monospace';
const BLOCK = 'border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5';

function ordersTable(orders: LockOrder[]): Markup {
  const row = (head: string, cell: (o: LockOrder) => string) => html`<tr><th style="${CELL}">${head}</th>${orders.map((o) => html`<td style="${CELL}">${cell(o)}</td>`)}</tr>\n`;
  return html`<table class="lock-orders" style="border-collapse:collapse;margin:4px 0">
${row('thread', (o) => o.thread)}${row('holds', (o) => o.held)}${row('taken in', (o) => o.heldAt)}${row('then takes', (o) => `${o.wants}${o.timed ? ' (timed)' : ''}`)}${row('in', (o) => o.wantsAt)}</table>`;
}

/** The check's findings as HTML; nothing when there are none (or the iteration was not checked). */
export function checkFindingsHtml(groups: FindingGroup[] | null | undefined): Markup | '' {
  if (!groups?.length) return '';
  return html`<section id="check-findings">${groups.map(
    (g) => html`<div class="finding" data-kind="${g.kind}" style="${BLOCK}"><b>${g.kind}</b>: ${g.orders ? html`${g.where} — ${g.detail}${ordersTable(g.orders)}` : findingSummary(g)}</div>\n`,
  )}</section>`;
}
