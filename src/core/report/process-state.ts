// What a run report says each process was at the hang, and how many were
// stuck, for every reader a person looks at (the HANG line, `report show`,
// the HTML timeline). "Stuck" has one definition, the diagnosis's
// (diagnosis/verdict.ts: a process with a thread stuck for good), so the
// counts of every line agree with the findings. The watchdog's own
// classification `stuck` (alive, unfinished, no event for --stall) is kept in
// report.json; where the diagnosis did not prove such a process stuck for
// good it is shown as `silent`, never as stuck.
import { stuckCounts } from '../diagnosis/verdict.js';
import type { Diagnosis } from '../diagnosis/types.js';
import type { ProcessReport } from './types.js';

/** A process's state as shown: the watchdog's classification, with `stuck` reserved for the diagnosis's verdict. */
export type ShownState = ProcessReport['classification'] | 'silent';

/** The pids the diagnosis found stuck for good (none without a diagnosis). */
export function stuckPids(diagnosis: Pick<Diagnosis, 'processes'> | null | undefined): Set<number> {
  return new Set(diagnosis ? stuckCounts(diagnosis).pids : []);
}

export function shownState(p: Pick<ProcessReport, 'pid' | 'classification'>, stuck: Set<number>): ShownState {
  if (stuck.has(p.pid)) return 'stuck';
  return p.classification === 'stuck' ? 'silent' : p.classification;
}

/** Whether a person should look at this process first: stuck for good, starving, or silent. */
export const needsAttention = (s: ShownState): boolean => s === 'stuck' || s === 'starving' || s === 'silent';

export interface HangCounts {
  /** Processes and threads stuck for good (stuckCounts), of how many processes. */
  stuck: number;
  stuckThreads: number;
  processes: number;
  /** Still retrying with no operation completed for --stall, and not stuck for good. */
  starving: number;
  /** Silent for --stall but not proven stuck for good. */
  silent: number;
}

export function hangCounts(processes: Pick<ProcessReport, 'pid' | 'classification'>[], diagnosis: Pick<Diagnosis, 'processes'> | null | undefined): HangCounts {
  const c = diagnosis ? stuckCounts(diagnosis) : { processes: 0, threads: 0, pids: [] };
  const stuck = new Set(c.pids);
  const states = processes.map((p) => shownState(p, stuck));
  return {
    stuck: c.processes,
    stuckThreads: c.threads,
    processes: processes.length,
    starving: states.filter((s) => s === 'starving').length,
    silent: states.filter((s) => s === 'silent').length,
  };
}

/** "49 of 51 processes stuck for good, 2 starving": the counts in words, threads named only where they differ from processes. */
export function hangCountWords(c: HangCounts): string {
  const threads = c.stuckThreads !== c.stuck ? ` (${c.stuckThreads} thread${c.stuckThreads === 1 ? '' : 's'})` : '';
  const parts = [`${c.stuck} of ${c.processes} process${c.processes === 1 ? '' : 'es'} stuck for good${threads}`];
  if (c.starving) parts.push(`${c.starving} starving`);
  if (c.silent) parts.push(`${c.silent} silent (no event for the stall time, not proven stuck)`);
  return parts.join(', ');
}
