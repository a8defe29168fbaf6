// `diff GOOD... BAD` for a traced program (soak --trace; good iterations kept
// with --save-all): what did the bad run's threads do that no good run's
// threads ever did? Threads are aligned across runs by their process's place
// in creation order, the process's command line, and their own place among
// its threads (so two runs of one program line up whatever their pids).
// Each intercepted call is one operation, normalised as diffRuns normalises
// ours: whether a lock had to wait (its enter) and whether a wait timed out
// is timing, not structure; so is a wait that returned, since a program
// waits only when its condition is not yet true (while (!ready) wait), and
// Python's locks call sem_wait only when sem_trywait failed. A call that
// never returned is structure, as are errors and dead owners.
import type { TraceEvent } from '../native/layout.js';
import type { CommandHangReport } from '../report/types.js';
import { commandVerdict } from '../report/labels.js';
import { threadLabel } from '../preload/traced.js';
import type { DiffResult, OnlyInBad, ProcessDivergence } from './diff.js';
import { countDeltas, END, latencyDeltas, opsOf, transitions, type NormalOp } from './diff.js';
import { byProcess, type LatencySamples } from './stats.js';

export interface TracedDiffInput {
  name: string;
  report: CommandHangReport;
  events: TraceEvent[];
}

interface ThreadKey {
  key: string;
  /** "p1 t2 hangs": process order, thread order, program. */
  label: string;
  process: string;
  thread: number;
  pid: number;
}

function keysOf(input: TracedDiffInput): Map<number, ThreadKey> {
  const m = new Map<number, ThreadKey>();
  for (const t of input.report.preload?.traced?.threads ?? []) {
    const name = threadLabel(t);
    m.set(t.slot, { key: `${t.process}|${t.cmd}|${t.thread}`, label: name.thread, process: name.process, thread: t.thread, pid: t.pid });
  }
  return m;
}

function countsOf(input: TracedDiffInput): Record<string, number> {
  const c: Record<string, number> = { 'lock timeouts': 0, 'wait timeouts': 0, 'owner died': 0, errors: 0 };
  for (const e of input.events) {
    if (e.phase === 'lock-timeout') c['lock timeouts']!++;
    if (e.phase === 'wait-timeout') c['wait timeouts']!++;
    if (e.phase === 'owner-died') c['owner died']!++;
    if (e.phase === 'error') c.errors!++;
  }
  const t = input.report.preload?.traced;
  c['events dropped'] = t?.missed ?? 0;
  c['untraced threads'] = t?.untracedThreads ?? 0;
  return c;
}

/** Per process (by its aligned name): how long locks waited, condvar/semaphore waits lasted, and calls took (ms). */
function latencies(input: TracedDiffInput): Map<string, LatencySamples> {
  const keys = keysOf(input);
  const out = new Map<string, LatencySamples>();
  for (const [slot, evs] of byProcess(input.events)) {
    const k = keys.get(slot);
    if (!k) continue;
    const acc = out.get(k.process) ?? { lockWaitMs: [], condWaitMs: [], opMs: [] };
    let begin: TraceEvent | undefined;
    for (const e of evs) {
      if (e.phase === 'enter' || e.phase === 'wait-begin') begin = e;
      else if (begin && begin.opId === e.opId) {
        const ms = (e.tNs - begin.tNs) / 1e6;
        if (begin.phase === 'enter' && e.phase === 'locked') acc.lockWaitMs.push(ms);
        if (begin.phase === 'wait-begin' && (e.phase === 'wait-end' || e.phase === 'wait-timeout')) acc.condWaitMs.push(ms);
        acc.opMs.push(ms);
        begin = undefined;
      }
    }
    out.set(k.process, acc);
  }
  return out;
}

/** A lock's enter is there only when it had to wait: timing, unless the call never returned. */
const dropEnter = (o: NormalOp): NormalOp => (o.phases[0] === 'enter' && o.phases.length > 1 ? { ...o, phases: o.phases.slice(1) } : o);

/** A wait that returned (or timed out): whether there was one at all is scheduling. */
const returnedWait = (o: NormalOp) => o.phases.length === 2 && o.phases[0] === 'wait-begin' && o.phases[1] === 'wait-end';

/** A thread's calls as the diff compares them. */
const structuralCalls = (evs: TraceEvent[]) => opsOf(evs).map(dropEnter).filter((o) => !returnedWait(o));

export function diffTraced(goods: TracedDiffInput[], bad: TracedDiffInput): DiffResult {
  // The model: per aligned thread, every transition and the call counts of the good runs.
  const known = new Map<string, Set<string>>();
  const callCounts = new Map<string, number[]>();
  const label = new Map<string, string>();
  for (const g of goods) {
    const keys = keysOf(g);
    for (const [slot, evs] of byProcess(g.events)) {
      const k = keys.get(slot);
      if (!k) continue;
      const ops = structuralCalls(evs);
      const set = known.get(k.key) ?? new Set<string>();
      for (const o of ops) transitions(o).forEach((t) => set.add(t));
      known.set(k.key, set);
      callCounts.set(k.key, [...(callCounts.get(k.key) ?? []), ops.length]);
      label.set(k.key, k.label);
    }
  }
  const divergences: ProcessDivergence[] = [];
  const only = new Map<string, OnlyInBad>();
  const badKeys = keysOf(bad);
  const seen = new Set<string>();
  for (const [slot, evs] of byProcess(bad.events)) {
    const k = badKeys.get(slot);
    if (!k) continue;
    seen.add(k.key);
    const set = known.get(k.key) ?? new Set<string>();
    const ops = structuralCalls(evs);
    let first: ProcessDivergence | undefined;
    for (const o of ops) {
      const unseen = transitions(o).filter((t) => !set.has(t));
      for (const t of unseen) {
        const x = only.get(t) ?? { transition: t, count: 0, where: [] };
        x.count++;
        if (x.where.length < 10) x.where.push(`${k.label} call ${o.opId}`);
        only.set(t, x);
      }
      if (!first && unseen.length)
        first = {
          role: `${k.process} thread`,
          id: k.thread,
          pid: k.pid,
          opId: o.opId,
          op: o.op,
          expected: known.has(k.key) ? [...set].filter((t) => t.startsWith(`${o.op} `)).slice(0, 2).join(' | ') || `no ${o.op} in the good runs` : 'no such thread in the good runs',
          seen: `${o.phases.join(' ')}${o.phases.at(-1) === 'enter' || o.phases.at(-1) === 'wait-begin' ? ` ${END}` : ''}`,
        };
    }
    const goodCalls = callCounts.get(k.key) ?? [];
    if (!first && goodCalls.length && ops.length < Math.min(...goodCalls))
      first = { role: `${k.process} thread`, id: k.thread, pid: k.pid, opId: (ops.at(-1)?.opId ?? 0) + 1, op: '-', expected: `${Math.min(...goodCalls)} calls`, seen: `stops after call ${ops.at(-1)?.opId ?? 0}` };
    if (first) divergences.push(first);
  }
  for (const key of known.keys())
    if (!seen.has(key)) {
      const [process, , thread] = key.split('|');
      divergences.push({ role: `${label.get(key)!.replace(/ t\d+ /, ' ')} thread`, id: Number(thread), pid: 0, opId: 1, op: '-', expected: 'calls', seen: `no call traced (process ${process})` });
    }

  const counts = countDeltas(goods.map(countsOf), countsOf(bad));
  const latency = latencyDeltas(goods.map(latencies), latencies(bad));

  const verdictOf = (r: CommandHangReport) => r.verdict ?? 'hang';
  const goodVerdicts = new Set(goods.map((g) => verdictOf(g.report)));
  const reasons: string[] = [];
  if (!goodVerdicts.has(verdictOf(bad.report))) reasons.push(`verdict ${verdictOf(bad.report)}, good runs: ${[...goodVerdicts].join(', ')}`);
  if (divergences.length) reasons.push(`${divergences.length} thread(s) diverge from every good run`);
  if (only.size) reasons.push(`${only.size} transition(s) occur only in the bad run`);
  const commandOf = (r: CommandHangReport) => r.command.join(' ');
  const other = goods.filter((g) => commandOf(g.report) !== commandOf(bad.report)).map((g) => g.name);
  if (reasons.length && other.length) reasons.push(`note: other commands (${other.join(', ')})`);
  return {
    good: goods.map((g) => ({ name: g.name, verdict: verdictOf(g.report), summary: commandVerdict(g.report) })),
    bad: { name: bad.name, verdict: verdictOf(bad.report), summary: commandVerdict(bad.report) },
    equivalent: reasons.length === 0,
    reasons,
    divergences,
    onlyInBad: [...only.values()].sort((a, b) => b.count - a.count),
    counts,
    latency,
    findings: (bad.report.diagnosis?.findings ?? []).map((f) => ({ kind: f.kind, summary: f.summary })),
  };
}
