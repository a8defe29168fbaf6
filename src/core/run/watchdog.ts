// How the watchdog names the state of one process. Pure: the inputs are what
// the orchestrator observed (exit, slot, the times of its last events).
import type { ExitInfo } from './launchers/launcher.js';
import type { SlotInfo } from '../native/layout.js';
import type { Classification, Fault } from '../native/vocabulary.js';

export { CLASSIFICATIONS, type Classification } from '../native/vocabulary.js';

export interface Observed {
  role: 'master' | 'slave';
  id: number;
  exit: ExitInfo | undefined;
  slot: SlotInfo | undefined;
  /** CLOCK_MONOTONIC ns of its last event, last completed operation and last timeout; 0 if none. */
  lastEventNs: number;
  lastDoneNs: number;
  lastTimeoutNs: number;
}

/**
 * stuck: alive, unfinished, no event for longer than the stall threshold.
 * starving: alive, still timing out and retrying within the threshold, but no
 * operation completed for longer than the threshold.
 */
export function classify(p: Observed, nowNs: number, startNs: number, stallMs: number): Classification {
  if (p.exit) {
    if (p.exit.signal) return 'killed';
    return p.exit.code === 0 && p.slot?.state === 'done' ? 'done' : 'exited-with-error';
  }
  const stallNs = stallMs * 1e6;
  const finished = p.slot?.state === 'done' || p.slot?.state === 'failed';
  if (finished) return 'running'; // on its way out
  if (nowNs - Math.max(p.lastEventNs, startNs) > stallNs) return 'stuck';
  const retrying = p.lastTimeoutNs > 0 && nowNs - p.lastTimeoutNs <= stallNs;
  if (retrying && nowNs - Math.max(p.lastDoneNs, startNs) > stallNs) return 'starving';
  return 'running';
}

/**
 * Whether this process's exit is what the staged fault does to it, so that it
 * does not count as a failure of the iteration.
 */
export function exitExpectedByFault(p: Observed, fault: Fault, target: number): boolean {
  if (p.role !== 'slave' || p.id !== target || !p.exit) return false;
  switch (fault) {
    case 'kill-holder':
    case 'kill-holder-nonrobust':
      return p.exit.signal === 'SIGKILL';
    case 'lose-value':
      return p.exit.code === 0;
    default:
      return false;
  }
}
