// The orders of a lock-order inversion side by side, one column per thread,
// so the two (or more) orders read across: who holds what, taken where,
// then takes what, where. Used by `check` and `report show`.
import type { LockOrder } from '../../core/preload/findings.js';

/** Columns past this width are cut with "…" (a terminal line holds two of them). */
const MAX_COLUMN = 72;

/** " in /path/of/object" that every site of the orders ends with, to be said once. */
function commonObject(orders: LockOrder[]): string | null {
  const ends = orders.flatMap((o) => [o.heldAt, o.wantsAt]).map((s) => / in (\/[^ ]+)$/.exec(s)?.[1] ?? null);
  return ends.every((e) => e && e === ends[0]) ? ends[0]! : null;
}

export function lockOrderLines(orders: LockOrder[], indent = '    '): string[] {
  const object = commonObject(orders);
  const site = (s: string) => (object ? s.slice(0, -` in ${object}`.length) : s);
  const columns = orders.map((o) => [
    o.thread,
    `holds   ${o.held}`,
    `  taken in ${site(o.heldAt)}`,
    `then takes ${o.wants}${o.timed ? ' (timed)' : ''}`,
    `  in ${site(o.wantsAt)}`,
  ]);
  const width = Math.min(MAX_COLUMN, Math.max(...columns.flat().map((c) => c.length)));
  const cut = (c: string) => (c.length > width ? `${c.slice(0, width - 1)}…` : c.padEnd(width));
  const lines: string[] = [];
  // Two columns a row: a cycle of three or four orders continues below.
  for (let i = 0; i < columns.length; i += 2) {
    const pair = columns.slice(i, i + 2);
    if (i) lines.push('');
    for (let r = 0; r < pair[0]!.length; r++) lines.push(`${indent}${pair.map((c) => cut(c[r]!)).join(' │ ')}`.trimEnd());
  }
  if (object) lines.push(`${indent}(every call in ${object})`);
  return lines;
}
