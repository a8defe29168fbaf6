// unknown: a hang nothing proves, said with the evidence, never silence —
// but only where there is independent evidence of a hang. Our runs: the
// watchdog calls a process stuck (no event for the stall threshold) at a hang.
// Any program: a run or soak deadline passed with no progress (hangEvidence),
// and no other finding explains the hang; then every process still there
// gets one: each blocked thread with what could end its wait, and threads
// that were running (a busy loop, a livelock: nothing blocked to explain,
// which the tool cannot judge) counted as such. A plain
// `diagnose` has no such evidence: those threads are listed as not proven
// stuck, and are no finding (a healthy server idle in accept is not a hang).
import type { Facts, ProcFacts } from '../facts.js';
import { hypotheses } from '../hypotheses.js';
import type { Finding } from '../types.js';
import type { Rule } from './rule.js';

/** A thread that is blocked, or could not be read: the ones a deadline makes suspect. */
const blocked = (t: ProcFacts['threads'][number]) => t.activity === 'blocked' || t.activity === 'timed' || t.activity === 'unreadable';

/** A thread running (or runnable) in every sample: busy, not waiting. */
const running = (t: ProcFacts['threads'][number]) => t.activity === 'runs' && t.report.state === 'R';

function foreign(facts: Facts, p: ProcFacts, evidence: string): Finding {
  const threads = p.threads.filter(blocked);
  const busy = p.threads.filter(running);
  const waits = [...new Set(threads.map((t) => `${t.wait?.on ?? t.report.syscall} (${t.report.verdict?.why ?? 'not proven stuck'})`))];
  const blockedText = threads.length
    ? `${threads.length} thread(s) blocked, in ${waits.slice(0, 3).join('; ')}${waits.length > 3 ? ` and ${waits.length - 3} more` : ''}; nothing proves them stuck for good`
    : '';
  const busyText = busy.length ? `${busy.length} thread(s) running, not waiting on anything (a busy loop or a livelock looks like this; the tool cannot tell progress from spinning)` : '';
  return {
    kind: 'unknown',
    summary: `${facts.label(p.pid)} was still there (${evidence}): ${[blockedText, busyText].filter(Boolean).join('; ')}.`,
    pids: [p.pid],
    threads: [...threads, ...busy].map((t) => ({ pid: t.pid, tid: t.tid })),
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
  return facts.procs.filter((p) => !p.run && !explained.has(p.pid) && p.threads.some((t) => blocked(t) || running(t))).map((p) => foreign(facts, p, evidence));
};
