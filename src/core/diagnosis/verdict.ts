// The verdict on each thread, and the counts every reader of a diagnosis
// shows: the summary line, `report show`, the JSON and the JUnit all count
// stuck threads and processes with stuckCounts(), so they cannot disagree.
//   stuck        the fixpoint (graph.ts) left it stuck for good: no live thread
//                outside the stuck set can end its wait
//   waiting      blocked, and a live thread or process can still end the wait
//                (named in `by`), or anyone allowed may, or it ends by itself
//   not-visible  blocked, and what could end the wait could not be read
// A process is stuck when at least one of its threads is stuck for good.
import type { Graph } from './graph.js';
import type { ThreadFacts } from './threads.js';
import type { Diagnosis, ThreadReport, ThreadVerdict, WakerRef } from './types.js';

const MAX_NAMED = 3;

/** The verdict of one thread, given the solved graph and how to name a process. */
export function threadVerdict(t: ThreadFacts, graph: Graph, label: (pid: number) => string, unreadable: string): ThreadVerdict {
  const w = t.wait;
  const who = (x: WakerRef) => `${label(x.pid)}${x.tid !== null && x.tid !== x.pid ? ` thread ${x.tid}` : ''}`;
  switch (t.activity) {
    case 'dead':
      return { kind: 'gone', why: 'it has exited' };
    case 'stopped':
      return { kind: 'stopped', why: 'frozen (SIGSTOP or a tracer): anyone allowed may continue it' };
    case 'unreadable':
      return { kind: 'not-visible', why: unreadable };
    case 'runs':
      return { kind: 'runs', why: t.report.syscall === 'running' ? 'running' : `not blocked (${t.report.syscall})` };
    case 'moving':
      return { kind: 'waiting', why: `woke while sampled${w ? ` (in ${w.on})` : ''}`, by: [] };
  }
  if (!w) return { kind: 'runs', why: 'not blocked' };
  if (graph.stuck.has(t)) return { kind: 'stuck', why: `nothing that could end it can run (${w.wakersAre})` };
  if (w.timed) return { kind: 'waiting', why: `ends by itself (${w.wakersAre})`, by: [] };
  if (w.reach === 'hidden' || (w.wakers === null && w.reach !== 'open')) return { kind: 'not-visible', why: w.wakersAre };
  if (w.wakers === null) return { kind: 'waiting', why: `can be woken by ${w.wakersAre}`, by: [] };
  const by = w.wakers.filter((x) => graph.canWake(x));
  const named = by.slice(0, MAX_NAMED).map(who).join(', ');
  return { kind: 'waiting', why: `can be woken by ${named}${by.length > MAX_NAMED ? ` and ${by.length - MAX_NAMED} more` : ''} (${w.wakersAre})`, by };
}

/** Whether a thread of a report is stuck for good (reports written before verdicts say it in their wait). */
export const threadStuck = (t: ThreadReport): boolean => (t.verdict ? t.verdict.kind === 'stuck' : t.wait?.stuckForGood === true);

export interface StuckCounts {
  /** Threads stuck for good, and the processes that have at least one. */
  threads: number;
  processes: number;
  /** The stuck processes' pids. */
  pids: number[];
  /** Blocked threads whose wakers could not be seen, and threads inspected at all. */
  notVisible: number;
  inspected: number;
}

export function stuckCounts(d: Pick<Diagnosis, 'processes'>): StuckCounts {
  const pids = d.processes.filter((p) => p.threads.some(threadStuck)).map((p) => p.pid);
  const all = d.processes.flatMap((p) => p.threads);
  return {
    threads: all.filter(threadStuck).length,
    processes: pids.length,
    pids,
    notVisible: all.filter((t) => t.verdict?.kind === 'not-visible').length,
    inspected: all.length,
  };
}
