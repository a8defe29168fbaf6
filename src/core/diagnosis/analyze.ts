// The diagnosis proper: build the facts, then run the finding rules in order.
// A process is explained by the first finding that names it; later rules
// skip explained processes. Pure given its inputs, so recorded captures replay.
import { glibcHasLostWakeupBug } from '../system/environment.js';
import { stateName } from '../procfs/decode.js';
import { buildFacts } from './facts.js';
import { ASSUMED_GLIBC } from './glibc.js';
import type { AnalysisInput } from './input.js';
import { deadlockCycle } from './rules/deadlock-cycle.js';
import { noWaker } from './rules/no-waker.js';
import { ownerDied } from './rules/owner-died.js';
import { privateFutexOnSharedMemory } from './rules/private-futex-on-shared-memory.js';
import type { Rule } from './rules/rule.js';
import { starving } from './rules/starving.js';
import { stopped } from './rules/stopped.js';
import { unknown } from './rules/unknown.js';
import type { Diagnosis, Finding, ProcessDiagnosis } from './types.js';

/** Most specific cause first: a stopped holder explains its waiters before anything else can. */
const RULES: Rule[] = [stopped, privateFutexOnSharedMemory, ownerDied, deadlockCycle, noWaker, starving, unknown];

export function analyze(input: AnalysisInput): Omit<Diagnosis, 'stacks'> {
  const facts = buildFacts(input);
  const findings: Finding[] = [];
  const explained = new Map<number, string>();
  for (const rule of RULES) {
    for (const f of rule(facts, explained)) {
      findings.push(f);
      for (const pid of f.pids) if (!explained.has(pid)) explained.set(pid, f.kind);
    }
  }
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
  };
}
