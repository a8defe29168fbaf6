// Human rendering of a diagnosis: one block per finding, then per-process detail.
import type { Diagnosis } from '../../core/diagnosis/types.js';
import { processLabel } from '../../core/report/labels.js';
import { paint, table } from '../output.js';

export function findingLines(d: Diagnosis, maxEvidence = 12): string[] {
  const out: string[] = [];
  for (const f of d.findings) {
    out.push(`${paint('red', f.kind)}: ${f.summary}`);
    for (const e of f.evidence.slice(0, maxEvidence)) out.push(`    ${e}`);
    if (f.evidence.length > maxEvidence) out.push(`    … ${f.evidence.length - maxEvidence} more lines (--json for all)`);
  }
  return out;
}

export function diagnosisLines(d: Diagnosis, opts: { threads?: boolean } = {}): string[] {
  const out: string[] = [];
  if (d.findings.length === 0) out.push('no finding: nothing inspected is stuck on a known cause');
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
    for (const p of d.processes) {
      const shown = p.threads.filter((t) => t.futex?.mapping?.shared || t.state === 'T' || t.state === 'D');
      if (!shown.length && !p.errors.length) continue;
      out.push(`  ${p.pid} ${p.comm}:`);
      for (const t of shown)
        out.push(
          `    tid ${t.tid} ${t.state} ${t.wchan ?? ''} ${t.syscall}${t.futex?.field ? ` on ${t.futex.field}${t.futex.fieldSource === 'guess' ? ' (guessed)' : ''}` : ''}${t.wakeupsWhileSampled === 0 && t.sameCallInEverySample ? ', never woke while sampled' : ''}`,
        );
      for (const e of p.errors.slice(0, 3)) out.push(`    cannot read ${e}`);
    }
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
