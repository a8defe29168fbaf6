// What a process's signal handlers can do to its own waits, from the
// signals it catches (/proc/PID/status SigCgt). A handler runs in the process
// and may post its semaphore, write its self-pipe or eventfd, set the event
// its main loop waits on: a program that waits for SIGTERM or SIGUSR1 that way
// is waiting on anyone allowed to send it, not stuck.
//
// SIGTERM and SIGHUP ask a process to stop or reload: their handlers count
// only for the process's own waits (a daemon idle on its self-pipe until told
// to stop is waiting by design). That another process could end a wait by
// stopping is no way out for the waiter's work: two processes in a pipe cycle
// that each clean up on SIGTERM are still stuck for good.
//
// Not counted, as they do not end a wait by design: the terminal's job
// control and Ctrl-C (every Python and GHC program catches SIGINT, to raise
// an exception, and GHC SIGQUIT and SIGTSTP), faults (a crash reporter's
// SIGSEGV), SIGPIPE, profiling and resource-limit signals, and glibc's own
// internal signals 32 and 33. SIGCHLD is its own case: a child's exit, so the
// children are the wakers (signallingChildren).
import { constants } from 'node:os';
import { parseStatus } from '../procfs/decode.js';

const S = constants.signals;
const NOT_NOTIFYING = new Set<number>([
  S.SIGINT,
  S.SIGQUIT,
  S.SIGTSTP,
  S.SIGTTIN,
  S.SIGTTOU,
  S.SIGCONT,
  S.SIGWINCH,
  S.SIGCHLD,
  S.SIGPIPE,
  S.SIGSEGV,
  S.SIGBUS,
  S.SIGFPE,
  S.SIGILL,
  S.SIGABRT,
  S.SIGTRAP,
  S.SIGSYS,
  S.SIGPROF,
  S.SIGVTALRM,
  S.SIGXCPU,
  S.SIGXFSZ,
  32, // glibc's SIGCANCEL
  33, // glibc's SIGSETXID
]);
/** Handled, these stop or reload the process that gets them (see above). */
const STOPPING = new Set<number>([S.SIGTERM, S.SIGHUP]);
const NAMES = new Map(Object.entries(S).map(([k, v]) => [v, k]));

/** The signals (by number) a process has handlers for, from its status text. */
export function caughtSignals(status: string | null): number[] {
  const cgt = parseStatus(status).SigCgt;
  if (cgt === undefined || !/^[0-9a-f]+$/i.test(cgt)) return [];
  const mask = BigInt(`0x${cgt}`);
  const out: number[] = [];
  for (let n = 1; n <= 64; n++) if ((mask >> BigInt(n - 1)) & 1n) out.push(n);
  return out;
}

/** The caught signals (names) whose handler could end a wait: of the process's `own` threads, or (not own) one another process's threads are in. */
export function notifyingSignals(status: string | null, own: boolean): string[] {
  return caughtSignals(status)
    .filter((n) => !NOT_NOTIFYING.has(n) && (own || !STOPPING.has(n)))
    .map((n) => NAMES.get(n) ?? (n >= 34 ? `SIGRTMIN+${n - 34}` : `signal ${n}`));
}

export const catchesSigchld = (status: string | null): boolean => caughtSignals(status).includes(S.SIGCHLD);
