// Human rendering of a diagnosis: one block per finding, the counts (from the
// diagnosis's one definition of stuck), every blocked thread with its verdict,
// then what could not be read. Never "nothing stuck" about what was not seen.
import { stuckCounts } from '../../core/diagnosis/verdict.js';
import type { Diagnosis, ThreadReport } from '../../core/diagnosis/types.js';
import { processLabel } from '../../core/report/labels.js';
import { paint, table } from '../output.js';
import { command } from './next.js';

export function findingLines(d: Diagnosis, maxEvidence = 12, more = '--json for all'): string[] {
  const out: string[] = [];
  for (const f of d.findings) {
    out.push(`${paint('red', f.kind)}: ${f.summary}`);
    for (const e of f.evidence.slice(0, maxEvidence)) out.push(`    ${e}`);
    if (f.evidence.length > maxEvidence) out.push(`    … ${f.evidence.length - maxEvidence} more lines (${more})`);
  }
  return out;
}

const VERDICT_WORDS = { stuck: 'stuck for good', waiting: 'waiting', 'not-visible': 'not visible', runs: 'runs', stopped: 'stopped', gone: 'gone' } as const;

/** One line for a thread: its call, and its verdict with the reason. */
function threadLine(t: ThreadReport): string {
  const v = t.verdict;
  const word = v ? VERDICT_WORDS[v.kind] : t.wait?.stuckForGood ? 'stuck for good' : t.activity;
  const on = t.wait ? `: ${t.wait.on}` : '';
  const field = t.futex?.field && t.futex.fieldSource === 'guess' ? ' (guessed from the bytes)' : '';
  const why = v ? `; ${v.why}` : t.wait && !t.wait.timed ? `; woken by ${t.wait.wakersAre}` : '';
  return `tid ${t.tid} ${t.state} ${t.syscall} — ${word}${on}${field}${why}`;
}

/** The line that answers "is anything stuck?" from what was seen, saying what was not. */
export function verdictLine(d: Diagnosis): string {
  const c = stuckCounts(d);
  const stuck = c.threads ? `${c.threads} thread(s) of ${c.processes} process(es) stuck for good` : 'no thread proven stuck for good';
  const unseen = c.notVisible ? `; ${c.notVisible} blocked thread(s) whose wakers could not be seen (not proven stuck)` : '';
  const incomplete = (d.incomplete ?? []).length ? '; the inspection is incomplete (below)' : '';
  const found = d.findings.length ? `${d.findings.length} finding(s): ` : 'no finding: ';
  return `${found}${stuck}${unseen}${incomplete}`;
}

export function diagnosisLines(d: Diagnosis, opts: { threads?: boolean } = {}): string[] {
  const out: string[] = [verdictLine(d)];
  out.push(...findingLines(d));
  for (const h of d.hypotheses ?? []) out.push(h);
  if (d.followed?.length) {
    out.push('', 'followed (inspected because a wait led to them; --only to inspect just the given pids):');
    for (const f of d.followed) out.push(`  pid ${f.pid} (${d.processes.find((p) => p.pid === f.pid)?.comm ?? '?'}): ${f.reason}`);
  }
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
      for (const t of shown) {
        out.push(`    ${threadLine(t)}`);
        for (const n of t.wait?.notes ?? []) out.push(`      ${n}`);
      }
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

/** diagnose's last line: the answer again, after the detail, and what to run next when something is stuck. */
export function diagnoseFinalLine(d: Diagnosis, pids: number[], stacksTaken: boolean): string {
  const next = d.findings.length && !stacksTaken ? `; native stacks: ${command('diagnose', ...pids.map(String), '--stacks')}` : '';
  return `diagnose: ${verdictLine(d)}${next}`;
}
