// What a process's signal handlers can do to its own waits, from the
// signals it catches (/proc/PID/status SigCgt). A handler runs in the process
// and may post its semaphore, write its self-pipe or eventfd, set the event
// its main loop waits on: a program that waits for SIGUSR1 that way is
// waiting on anyone allowed to send it, not stuck.
//
// Only the waiter's own process's handlers count, and only for an object it
// holds itself: that a handler elsewhere might write to a pipe the waiter
// reads is a guess, and runtimes catch signals for their own purposes (node's
// inspector on SIGUSR1, the JVM's SIGUSR2, Go every signal) without ever
// touching a program's pipes. SIGTERM and SIGHUP ask a process to stop or
// reload: their handlers count only for an object private to the process (a
// private semaphore or futex word, a pipe or eventfd no other process holds),
// the self-pipe of a daemon idle until told to stop; a cleanup handler does
// not make a wait on a shared semaphore, or on another process, open.
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

/** Of the caught signals, those (names) whose handler could end a wait of the process's own on an object it holds: any, or (`alone`) one no other process holds. */
export function notifyingSignals(caught: number[], alone: boolean): string[] {
  return caught
    .filter((n) => !NOT_NOTIFYING.has(n) && (alone || !STOPPING.has(n)))
    .map((n) => NAMES.get(n) ?? (n >= 34 ? `SIGRTMIN+${n - 34}` : `signal ${n}`));
}

export const catchesSigchld = (caught: number[]): boolean => caught.includes(S.SIGCHLD);
