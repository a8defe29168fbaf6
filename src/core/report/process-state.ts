// What a run report says each process was at the hang, and how many were
// stuck, for every reader a person looks at (the HANG line, `report show`,
// the HTML timeline). "Stuck" has one definition, the diagnosis's
// (diagnosis/verdict.ts: a process with a thread stuck for good), so the
// counts of every line agree with the findings. The watchdog's own
// classification `stuck` (alive, unfinished, no event for --stall) is kept in
// report.json; where the diagnosis did not prove such a process stuck for
// good it is shown as `silent` (or `stopped`, when it is frozen), never as
// stuck.
import { stuckCounts } from '../diagnosis/verdict.js';
import type { Diagnosis } from '../diagnosis/types.js';
import type { ProcessReport } from './types.js';

/** A process's state as shown: the watchdog's classification, with `stuck` and `stopped` the diagnosis's verdicts. */
export type ShownState = ProcessReport['classification'] | 'silent' | 'stopped';

/** What the diagnosis says of a process, where it says more than the watchdog: stuck for good, or frozen. */
export type Diagnosed = Map<number, 'stuck' | 'stopped'>;

/** Each process the diagnosis found stuck for good (stuckCounts), or with a thread frozen by SIGSTOP or a tracer. */
export function diagnosedStates(diagnosis: Pick<Diagnosis, 'processes'> | null | undefined): Diagnosed {
  const out: Diagnosed = new Map();
  if (!diagnosis) return out;
  for (const pid of stuckCounts(diagnosis).pids) out.set(pid, 'stuck');
  for (const p of diagnosis.processes)
    if (!out.has(p.pid) && p.threads.some((t) => t.verdict?.kind === 'stopped' || t.activity === 'stopped')) out.set(p.pid, 'stopped');
  return out;
}

export function shownState(p: Pick<ProcessReport, 'pid' | 'classification'>, diagnosed: Diagnosed): ShownState {
  const d = diagnosed.get(p.pid);
  if (d && (p.classification !== 'done' || d === 'stuck')) return d;
  return p.classification === 'stuck' ? 'silent' : p.classification;
}

/** Whether a person should look at this process first: stuck for good, stopped, starving, or silent. */
export const needsAttention = (s: ShownState): boolean => s === 'stuck' || s === 'stopped' || s === 'starving' || s === 'silent';

export interface HangCounts {
  /** Processes and threads stuck for good (stuckCounts), of how many processes. */
  stuck: number;
  stuckThreads: number;
  processes: number;
  /** Frozen (SIGSTOP or a tracer): anyone allowed may continue them. */
  stopped: number;
  /** Still retrying with no operation completed for --stall, and not stuck for good. */
  starving: number;
  /** Silent for --stall but not proven stuck for good. */
  silent: number;
}

export function hangCounts(processes: Pick<ProcessReport, 'pid' | 'classification'>[], diagnosis: Pick<Diagnosis, 'processes'> | null | undefined): HangCounts {
  const c = diagnosis ? stuckCounts(diagnosis) : { processes: 0, threads: 0 };
  const d = diagnosedStates(diagnosis);
  const states = processes.map((p) => shownState(p, d));
  const count = (s: ShownState) => states.filter((x) => x === s).length;
  return { stuck: c.processes, stuckThreads: c.threads, processes: processes.length, stopped: count('stopped'), starving: count('starving'), silent: count('silent') };
}

/** "49 of 51 processes stuck for good, 2 starving": the counts in words, threads named only where they differ from processes. */
export function hangCountWords(c: HangCounts): string {
  const threads = c.stuckThreads !== c.stuck ? ` (${c.stuckThreads} thread${c.stuckThreads === 1 ? '' : 's'})` : '';
  const parts = [`${c.stuck} of ${c.processes} process${c.processes === 1 ? '' : 'es'} stuck for good${threads}`];
  if (c.stopped) parts.push(`${c.stopped} stopped`);
  if (c.starving) parts.push(`${c.starving} starving`);
  if (c.silent) parts.push(`${c.silent} silent (no event for the stall time, not proven stuck)`);
  return parts.join(', ');
}
