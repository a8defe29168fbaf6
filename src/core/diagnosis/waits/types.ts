// The contract of a wait module: given one blocked thread (its process's
// capture and the system call it sleeps in), say what it waits on and who
// could end the wait, and how we know. Each kind of wait is one file in this
// folder (or, for a descriptor, one file in fds/ per kind of object), so a new
// kind of wait is one new file registered in index.ts or fds/index.ts.
//
// An answer is one of:
//   known wakers   a finite set of threads or processes (possibly empty) that
//                  could end it; `definite` when they hold the resource (a
//                  mutex owner, the other end of a pipe, a lock holder);
//   open           anyone allowed may end it (a listening socket's next client,
//                  a signal): never proof of a hang, by design;
//   hidden         what could end it could not be read (permission, an
//                  unknown call): the tool says what it did not see;
//   timed          it ends by itself (a timeout, an armed timer).
import type { FileLock } from '../../procfs/decode.js';
import type { FdRaw, ProcRaw } from '../../procfs/capture.js';
import type { Probe } from '../probe/probe.js';
import type { Taker } from '../takers.js';
import type { WaitReport, WakerRef } from '../types.js';

export type WaitFacts = Omit<WaitReport, 'stuckForGood'>;

export interface WaitContext {
  probe: Probe;
  /** Tids of every inspected process, by pid. */
  tids: Map<number, number[]>;
  /** Processes that map shared memory but never wake anyone in it (the tool itself). */
  observers: Set<number>;
  label(pid: number): string;
  /** Resolves a tid to its process, for owners that may be dead. */
  ownerPid(tid: number): number | null;
  /** A traced program: the threads that took the semaphore at this key and had not posted it since. */
  semTakers(key: string): Taker[];
  /** /proc/locks, parsed once and only when asked. */
  locks(): FileLock[];
  /**
   * The children of a process that catches SIGCHLD: a child's exit runs its
   * handler, which may write the process's own wake-up descriptors (the
   * self-pipe of an event loop, Python's set_wakeup_fd); empty otherwise.
   */
  signallingChildren(pid: number): WakerRef[];
  /** The signals (names) a process handles that could end a wait of its own on an object it holds, or (`alone`) that no other process holds (signals.ts). */
  handlers(pid: number, alone: boolean): string[];
}

/** One blocked thread in one system call. */
export interface Waiter {
  raw: ProcRaw;
  tid: number;
  nr: number;
  args: bigint[];
  /** Its user stack pointer at the call. */
  sp: bigint;
}

/** What a thread waits for on a descriptor: data to read, room to write, a client, a connection. */
export type Want = 'read' | 'write' | 'accept' | 'connect';

/** One descriptor a blocked thread waits on, to be judged by the module of its kind of object. */
export interface FdQuestion {
  raw: ProcRaw;
  tid: number;
  fd: FdRaw;
  want: Want;
  /** Epoll inside epoll: how deep (bounded, a cycle of epolls cannot recurse for ever). */
  depth: number;
  /** The call says what the descriptor is (mq_timedreceive: a message queue). */
  mqueue?: boolean;
}

/** The common part of an answer: what kind of wait, whether it ends by itself, on what, and its grouping key. */
export type WaitBase = Pick<WaitFacts, 'kind' | 'timed' | 'on' | 'key'>;

export const known = (base: WaitBase, wakers: WakerRef[], wakersAre: string, definite: boolean, extra: Partial<WaitFacts> = {}): WaitFacts => ({
  ...base,
  wakers,
  wakersAre,
  definite,
  ...extra,
});

/** Anyone allowed may end it: by design never proof of a hang. */
export const open = (base: WaitBase, who: string, extra: Partial<WaitFacts> = {}): WaitFacts => ({ ...base, wakers: null, wakersAre: who, definite: false, reach: 'open', ifQuiet: [], ...extra });

/** Its wakers could not be seen: says what was not read, and why. */
export const hidden = (base: WaitBase, why: string, extra: Partial<WaitFacts> = {}): WaitFacts => ({ ...base, wakers: null, wakersAre: why, definite: false, reach: 'hidden', ...extra });

/** Whether a process's descriptor table was read only in part (procfs/capture.ts reads the first MAX_FDS): a descriptor missing from it may be there. */
export const fdTableCut = (raw: Pick<ProcRaw, 'errors'>): boolean => raw.errors.some((e) => /^fd: only the first/.test(e));

/** Every other thread of the waiter's own process. */
export function siblings(ctx: WaitContext, pid: number, tid: number): WakerRef[] {
  return (ctx.tids.get(pid) ?? []).filter((t) => t !== tid).map((t) => ({ pid, tid: t }));
}

/**
 * The waker set of holders of a descriptor: in the waiter's own process its
 * siblings (it cannot act while it waits) and, when it catches SIGCHLD, its
 * children (their exit runs its handler); elsewhere any thread.
 */
export function holderWakers(ctx: WaitContext, pid: number, tid: number, holderPids: number[]): WakerRef[] {
  const out: WakerRef[] = [];
  for (const h of new Set(holderPids)) {
    if (h === pid) out.push(...siblings(ctx, pid, tid), ...ctx.signallingChildren(pid));
    else out.push({ pid: h, tid: null });
  }
  return out;
}

/**
 * A wait on an object the waiter's own process holds (a private futex, a
 * semaphore in memory it maps, a pipe or eventfd it holds the other end of)
 * can be ended by that process's signal handler too, when it catches a
 * notifying signal (signals.ts; a stopping one only when `holderPids` holds
 * no other process and the object is not `shared` memory): the wait is then
 * open — a signal from any process allowed to send one — never stuck, and
 * what could end it otherwise is kept for the hypothesis (ifQuiet).
 */
export function orByHandler(ctx: WaitContext, waiterPid: number, holderPids: number[], facts: WaitFacts, shared = false): WaitFacts {
  if (facts.wakers === null || !holderPids.includes(waiterPid)) return facts;
  const sigs = ctx.handlers(waiterPid, !shared && holderPids.every((p) => p === waiterPid));
  if (!sigs.length) return facts;
  return {
    ...facts,
    wakers: null,
    reach: 'open',
    definite: false,
    wakersAre: `${facts.wakersAre}; or its own handler of ${sigs.slice(0, 3).join(', ')}${sigs.length > 3 ? ', …' : ''}, on a signal from any process allowed to send it`,
    ifQuiet: facts.wakers,
  };
}

/** "this process, slave 2 (pid 41), pid 77 (cat)". */
export function holderNames(ctx: WaitContext, pid: number, holderPids: number[]): string {
  return [...new Set(holderPids)].map((p) => (p === pid ? 'this process' : ctx.label(p))).join(', ');
}
