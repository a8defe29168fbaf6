// Watching one soaked command until the first of: its whole tree exited, its
// deadline passed, its hang was proven, or the soak was interrupted.
//
// The early proof: once the tree has been quiet (no CPU time used, no process
// started or ended) for QUIET_MS, the diagnosis is asked whether some wait of
// the tree can never end (proveAmong). A failed attempt backs off (twice as
// long each time, up to MAX_BACKOFF_MS), so a slow but live program is not
// diagnosed every poll; the deadline stays the upper bound.
import { proveAmong } from '../../run/evidence.js';
import { ProofSchedule } from '../../run/proof-schedule.js';
import type { HangProof } from '../../report/types.js';
import type { CommandExit } from './server.js';
import { cpuOf, treePids } from './tree.js';

/** A tree that used no CPU this long gets the hang's proof tried (then twice as long, up to MAX_BACKOFF_MS). */
const QUIET_MS = 200;
const MAX_BACKOFF_MS = 2000;
/** How often the tree's CPU time is read while it runs: 20 reads a second, of the tree's own /proc files. */
const POLL_MS = 50;

export type WatchEnd = { how: 'exited'; exit: CommandExit } | { how: 'deadline' } | { how: 'proven'; proof: HangProof } | { how: 'abort' };

export interface WatchSpec {
  shim: number;
  exit: Promise<CommandExit>;
  timeoutMs: number;
  /** Try to prove the hang before the deadline. */
  early: boolean;
  /** performance.now() at the iteration's start: proof times are measured from it. */
  t0: number;
  /** Called before each proof attempt (chaos ends first: a proof sees the program alone). */
  beforeProof: () => Promise<void>;
  signal: AbortSignal;
}

export async function watch(spec: WatchSpec): Promise<WatchEnd> {
  const stops: (() => void)[] = [];
  const race: Promise<WatchEnd>[] = [
    spec.exit.then((exit) => ({ how: 'exited' as const, exit })),
    new Promise((resolve) => {
      // From the iteration's start: the server says a command started a few ms in (native/commands.c, STARTED_AFTER_MS).
      const timer = setTimeout(() => resolve({ how: 'deadline' }), Math.max(0, spec.timeoutMs - (performance.now() - spec.t0)));
      stops.push(() => clearTimeout(timer));
    }),
    new Promise((resolve) => {
      const onAbort = () => resolve({ how: 'abort' });
      if (spec.signal.aborted) return onAbort();
      spec.signal.addEventListener('abort', onAbort, { once: true });
      stops.push(() => spec.signal.removeEventListener('abort', onAbort));
    }),
  ];
  if (spec.early) {
    const proof = watchForProof(spec);
    stops.push(proof.stop);
    race.push(proof.proof.then((p) => ({ how: 'proven' as const, proof: p })));
  }
  try {
    return await Promise.race(race);
  } finally {
    for (const stop of stops) stop();
  }
}

/** Resolves with a proof once the tree has been quiet and the diagnosis proves the hang; never resolves otherwise. */
function watchForProof(spec: WatchSpec): { proof: Promise<HangProof>; stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const proof = new Promise<HangProof>((resolve) => {
    let last = { cpu: -1, pids: '' };
    let lastChange = performance.now();
    const schedule = new ProofSchedule(QUIET_MS, MAX_BACKOFF_MS);
    const tick = async () => {
      if (stopped) return;
      const pids = treePids(spec.shim);
      const now = { cpu: cpuOf(pids), pids: pids.join(',') };
      if (now.cpu !== last.cpu || now.pids !== last.pids) lastChange = performance.now();
      last = now;
      const t = performance.now();
      if (pids.length && t - lastChange >= QUIET_MS && schedule.due(t)) {
        await spec.beforeProof();
        const proven = await proveAmong(pids);
        if (proven && !stopped) return resolve({ provenAtMs: performance.now() - spec.t0, lastProgressAtMs: lastChange - spec.t0, reason: proven.reason });
        schedule.failed(performance.now());
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
  });
  return {
    proof,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
