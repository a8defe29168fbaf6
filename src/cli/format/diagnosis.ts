// Human rendering of a diagnosis: one block per finding, then per-process detail.
import type { Diagnosis, ThreadReport } from '../../core/diagnosis/types.js';
import { processLabel } from '../../core/report/labels.js';
import { paint, table } from '../output.js';

export function findingLines(d: Diagnosis, maxEvidence = 12, more = '--json for all'): string[] {
  const out: string[] = [];
  for (const f of d.findings) {
    out.push(`${paint('red', f.kind)}: ${f.summary}`);
    for (const e of f.evidence.slice(0, maxEvidence)) out.push(`    ${e}`);
    if (f.evidence.length > maxEvidence) out.push(`    … ${f.evidence.length - maxEvidence} more lines (${more})`);
  }
  return out;
}

/** One line for a thread: what it does, and for a wait what on and whether it can end. */
function threadLine(t: ThreadReport): string {
  const w = t.wait;
  const what = w
    ? `${w.stuckForGood ? 'stuck for good' : t.activity === 'moving' ? 'woke while sampled' : w.timed ? 'timed wait' : w.wakers === null ? 'blocked, waker unknown' : 'blocked'}: ${w.on}`
    : t.activity;
  const wakers = w && !w.timed ? `; woken by ${w.wakersAre}` : '';
  const field = t.futex?.field && t.futex.fieldSource === 'guess' ? ' (guessed from the bytes)' : '';
  return `tid ${t.tid} ${t.state} ${t.syscall} — ${what}${field}${wakers}`;
}

export function diagnosisLines(d: Diagnosis, opts: { threads?: boolean } = {}): string[] {
  const out: string[] = [];
  if (d.findings.length === 0)
    out.push((d.incomplete ?? []).length ? 'no finding in what could be read — the inspection is incomplete (below)' : 'no finding: nothing inspected is stuck on a known cause');
  out.push(...findingLines(d));
  out.push('', 'processes:');
  const rows = d.processes.map((p) => [
    String(p.pid),
    p.role ? processLabel({ role: p.role, id: p.id ?? 0 }) : p.comm,
    `${p.state} ${p.stateName}`,
    String(p.threads.length),
    p.kind ?? '-',
  ]);
  out.push(...table(rows, ['pid', 'process', 'state', 'threads', 'finding']).map((l) => `  ${l}`));
  if (opts.threads !== false) {
    out.push('', 'blocked threads:');
    let any = false;
    for (const p of d.processes) {
      const shown = p.threads.filter((t) => t.wait || t.activity === 'stopped' || t.activity === 'unreadable' || t.state === 'D');
      if (!shown.length && !p.errors.length) continue;
      any = true;
      out.push(`  ${p.pid} ${p.comm}${p.behind ? ` (behind ${p.behind.pid}: ${p.behind.kind})` : ''}:`);
      for (const t of shown) out.push(`    ${threadLine(t)}`);
    }
    if (!any) out.push('  none');
  }
  if ((d.incomplete ?? []).length) {
    out.push('', 'incomplete — could not read:');
    for (const l of d.incomplete ?? []) out.push(`  ${l}`);
  }
  if (d.primitives.length) {
    out.push('', 'primitives:');
    for (const pr of d.primitives) {
      out.push(`  ${pr.name} (${pr.type}${pr.guess ? ', guessed from the bytes' : ''}):`);
      for (const l of pr.lines) out.push(`    ${l}`);
    }
  }
  out.push('', `decoders assume ${d.glibc.assumes}; this machine runs glibc ${d.glibc.version}`);
  if (d.glibc.note) out.push(`note: ${d.glibc.note}`);
  if (d.expiredWithConditionTrue) out.push(`timed waits that expired while their condition held (possible lost wakeups): ${d.expiredWithConditionTrue}`);
  if (d.stacks.skipped) out.push(`stacks: skipped (${d.stacks.skipped})`);
  for (const t of d.stacks.traces) {
    out.push('', `stack of ${t.pid} (${d.stacks.tool}):`);
    if (t.error) out.push(`  ${t.error}`);
    for (const l of t.text.split('\n').filter(Boolean)) out.push(`  ${l}`);
  }
  return out;
}
