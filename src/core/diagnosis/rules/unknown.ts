// unknown: a hang nothing proves, said with the evidence, never silence —
// but only where there is independent evidence of a hang. Our runs: the
// watchdog calls a process stuck (no event for the stall threshold) at a hang.
// Any program: a run or soak deadline passed with no progress (hangEvidence),
// and no other finding explains the hang; then every process with a blocked
// thread gets one, each thread with what could end its wait. A plain
// `diagnose` has no such evidence: those threads are listed as not proven
// stuck, and are no finding (a healthy server idle in accept is not a hang).
import type { Facts, ProcFacts } from '../facts.js';
import { hypotheses } from '../hypotheses.js';
import type { Finding } from '../types.js';
import type { Rule } from './rule.js';

/** A thread that is blocked, or could not be read: the ones a deadline makes suspect. */
const blocked = (t: ProcFacts['threads'][number]) => t.activity === 'blocked' || t.activity === 'timed' || t.activity === 'unreadable';

function foreign(facts: Facts, p: ProcFacts, evidence: string): Finding {
  const threads = p.threads.filter(blocked);
  const waits = [...new Set(threads.map((t) => `${t.wait?.on ?? t.report.syscall} (${t.report.verdict?.why ?? 'not proven stuck'})`))];
  return {
    kind: 'unknown',
    summary: `${facts.label(p.pid)} made no progress (${evidence}): ${threads.length} thread(s) blocked, in ${waits.slice(0, 3).join('; ')}${waits.length > 3 ? ` and ${waits.length - 3} more` : ''}; nothing proves them stuck for good.`,
    pids: [p.pid],
    evidence: [...threads.map((t) => facts.threadLine(p, t)), ...threads.flatMap((t) => t.wait?.notes ?? []), ...hypotheses(facts).filter((h) => h.includes(facts.label(p.pid)))],
  };
}

export const unknown: Rule = (facts, explained) => {
  const ours = facts.procs
    .filter((p) => p.run && !explained.has(p.pid) && p.run.classification === 'stuck')
    .map((p): Finding => {
      const r = p.run!;
      return {
        kind: 'unknown',
        summary: `${facts.label(p.pid)} is stuck (no event for ${Math.round((r.sinceLastEventMs ?? 0) / 1000)}s in ${r.curOp} op ${r.curOpId}, last ${r.lastPhase}) and no known cause fits; the raw evidence follows.`,
        pids: [p.pid],
        evidence: p.threads.map((t) => facts.threadLine(p, t)),
      };
    });
  const evidence = facts.hangEvidence;
  if (!evidence || explained.size > 0 || ours.length > 0) return ours;
  return facts.procs.filter((p) => !p.run && !explained.has(p.pid) && p.threads.some(blocked)).map((p) => foreign(facts, p, evidence));
};
