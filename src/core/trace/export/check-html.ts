// The check's findings of a soaked command's iteration (soak --check) in
// the HTML exports: one block per finding, and for a lock-order inversion
// its orders side by side in a table, one column per thread (who holds
// which lock, taken where; which lock it then takes, where), so the two
// orders of an ABBA read across. Self-contained (inline styles), so both
// pages (with and without a trace) take it as it is.
import type { FindingGroup, LockOrder } from '../../preload/findings.js';
import { findingSummary } from '../../preload/findings.js';
import { esc } from './html.js';

const CELL = 'border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top;font:12px monospace';

function ordersTable(orders: LockOrder[]): string {
  const row = (head: string, cell: (o: LockOrder) => string) => `<tr><th style="${CELL}">${head}</th>${orders.map((o) => `<td style="${CELL}">${esc(cell(o))}</td>`).join('')}</tr>`;
  return `<table class="lock-orders" style="border-collapse:collapse;margin:4px 0">
${row('thread', (o) => o.thread)}
${row('holds', (o) => o.held)}
${row('taken in', (o) => o.heldAt)}
${row('then takes', (o) => `${o.wants}${o.timed ? ' (timed)' : ''}`)}
${row('in', (o) => o.wantsAt)}
</table>`;
}

/** The check's findings as HTML; '' when there are none (or the iteration was not checked). */
export function checkFindingsHtml(groups: FindingGroup[] | null | undefined): string {
  if (!groups?.length) return '';
  return `<section id="check-findings">${groups
    .map(
      (g) =>
        `<div class="finding" data-kind="${esc(g.kind)}" style="border-left:4px solid #b00020;padding:4px 8px;margin:6px 0;background:#fff5f5"><b>${esc(g.kind)}</b>: ${
          g.orders ? `${esc(g.where)} — ${esc(g.detail)}${ordersTable(g.orders)}` : esc(findingSummary(g))
        }</div>`,
    )
    .join('\n')}</section>`;
}
