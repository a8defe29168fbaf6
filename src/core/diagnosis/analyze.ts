// The diagnosis proper: build the facts, then run the finding rules in order.
// A process is explained by the first finding that names it; later rules
// skip explained processes. A process stuck for good only because it waits
// for an explained one (a parent in wait4 for a stuck child) is put "behind"
// that finding instead of getting one of its own. Pure given its inputs, so
// recorded captures replay.
import { stateName } from '../procfs/decode.js';
import { buildFacts, type Facts } from './facts.js';
import { ASSUMED_GLIBC, glibcHasLostWakeupBug } from './glibc.js';
import { hypotheses } from './hypotheses.js';
import type { AnalysisInput } from './input.js';
import { deadlockCycle } from './rules/deadlock-cycle.js';
import { lockCopiedByFork } from './rules/lock-copied-by-fork.js';
import { noWaker } from './rules/no-waker.js';
import { ownerDied } from './rules/owner-died.js';
import { privateFutexOnSharedMemory } from './rules/private-futex-on-shared-memory.js';
import type { Rule } from './rules/rule.js';
import { starving } from './rules/starving.js';
import { stopped } from './rules/stopped.js';
import { unknown } from './rules/unknown.js';
import type { Diagnosis, Finding, ProcessDiagnosis } from './types.js';

/** Most specific cause first: a stopped holder explains its waiters before anything else can. */
const RULES: Rule[] = [stopped, privateFutexOnSharedMemory, lockCopiedByFork, ownerDied, deadlockCycle, noWaker, starving, unknown];

/** Stuck threads whose every waker is explained: attach them to the finding of the first. */
function attachBehind(facts: Facts, findings: Finding[], explained: Map<number, string>, behind: Map<number, { pid: number; kind: string }>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of facts.stuck) {
      if (explained.has(t.pid) || behind.has(t.pid)) continue;
      const wakers = t.wait!.wakers!.filter((w) => w.pid !== t.pid);
      const holder = wakers.find((w) => explained.has(w.pid) || behind.has(w.pid));
      if (!holder || !wakers.every((w) => explained.has(w.pid) || behind.has(w.pid) || !facts.procOf(w.pid))) continue;
      const root = behind.get(holder.pid)?.pid ?? holder.pid;
      const kind = explained.get(root) ?? behind.get(holder.pid)!.kind;
      const f = findings.find((x) => x.kind === kind && x.pids.includes(root));
      behind.set(t.pid, { pid: holder.pid, kind });
      f?.evidence.push(`behind it: ${facts.threadLine(facts.procOf(t.pid)!, t)}`);
      changed = true;
    }
  }
}

export function analyze(input: AnalysisInput): Omit<Diagnosis, 'stacks'> {
  const facts = buildFacts(input);
  const findings: Finding[] = [];
  const explained = new Map<number, string>();
  const behind = new Map<number, { pid: number; kind: string }>();
  for (const rule of RULES) {
    // Before no-waker: a wait for an explained process is a consequence, not a cause of its own.
    if (rule === noWaker) attachBehind(facts, findings, explained, behind);
    for (const f of rule(facts, explained)) {
      findings.push(f);
      for (const pid of f.pids) if (!explained.has(pid)) explained.set(pid, f.kind);
    }
  }
  attachBehind(facts, findings, explained, behind);
  const processes: ProcessDiagnosis[] = facts.procs.map((p) => ({
    pid: p.pid,
    comm: p.comm,
    role: p.run?.role ?? null,
    id: p.run?.id ?? null,
    state: p.state,
    stateName: stateName(p.state),
    threads: p.threads.map((t) => t.report),
    errors: p.raw.errors,
    kind: explained.get(p.pid) ?? null,
    behind: behind.get(p.pid) ?? null,
  }));
  const bug = glibcHasLostWakeupBug(input.glibcVersion);
  return {
    glibc: {
      version: input.glibcVersion,
      assumes: ASSUMED_GLIBC,
      lostWakeupBug: bug,
      note: bug
        ? `glibc ${input.glibcVersion} has the condvar lost-wakeup bug (BZ #25847, 2.25 to 2.40 unless patched; fixed in 2.41): a timed wait may expire although it was signalled`
        : null,
    },
    processes,
    findings,
    primitives: [...facts.primitives.values()],
    expiredWithConditionTrue: input.run ? input.run.expiredWithConditionTrue : null,
    proven: findings.some((f) => f.proof !== undefined),
    proof: findings.find((f) => f.proof !== undefined)?.proof ?? null,
    incomplete: facts.incomplete,
    hypotheses: hypotheses(facts),
  };
}
