// What one blocked thread waits on, and who could end the wait: the edges
// of the wait-for graph. Runs once per thread in the facts pass.
//
// Who can wake what (the rules the fixpoint in graph.ts relies on):
//   a held mutex          its owner (tid from the lock word or __owner)
//   a shared futex word   live threads of every process that maps the object
//   a private futex word  sibling threads only: the kernel keys a private futex
//                         by the waiter's address space, so a wake from any
//                         other process never reaches it, shared mapping or not
//   a pipe or FIFO        threads of the processes holding the other end open
//   a Unix socket         threads of the processes holding its peer open
//                         (the peer from sock_diag; a listener's peer is unknown)
//   a file lock           the process holding the lock that blocks it
//   a child               the child (its exit ends the wait)
//   anything else         unknown: a network peer, input, a signal from outside
import { blockerOf, fdAccess, isShared, parseLocks, type FileLock } from '../procfs/decode.js';
import type { FdRaw, ProcRaw } from '../procfs/capture.js';
import type { FutexDecode } from './futex.js';
import type { FutexLocation } from './primitives.js';
import type { Probe } from './probe.js';
import { syscallName, type WaitShape } from './syscalls.js';
import type { WaitKind, WaitReport, WakerRef } from './types.js';
import { hex } from '../system/hex.js';

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
  semTakers(key: string): WakerRef[];
}

/** Every other thread of the waiter's own process. */
function siblings(ctx: WaitContext, pid: number, tid: number): WakerRef[] {
  return (ctx.tids.get(pid) ?? []).filter((t) => t !== tid).map((t) => ({ pid, tid: t }));
}

function futexWait(ctx: WaitContext, pid: number, tid: number, f: FutexDecode, where: FutexLocation): WaitFacts {
  const m = where.mapping;
  const field = where.field ?? `futex ${hex(f.addr)}`;
  const on = `${field}${m ? ` in ${m.path || 'anonymous memory'}${where.ref ? `+${hex(where.ref.offset)}` : ''}` : ''}`;
  const key = where.ref?.key ?? `pid ${pid}:${hex(f.addr)}`;
  const base = { kind: 'futex' as const, timed: f.timed, on, key };
  const mutex = where.primitive?.type === 'mutex' ? where.primitive.mutex : undefined;
  if (mutex?.locked && mutex.ownerTid === tid)
    return { ...base, wakers: [], wakersAre: 'nobody: the thread already holds this mutex itself (a relock of a non-recursive mutex)', definite: true };
  if (mutex?.locked && mutex.ownerTid) {
    const owner = ctx.ownerPid(mutex.ownerTid);
    return { ...base, wakers: owner === null ? [] : [{ pid: owner, tid: mutex.ownerTid }], wakersAre: `the mutex owner, tid ${mutex.ownerTid}`, definite: true };
  }
  // pthread_join waits on the joined thread's tid word, expecting its tid; the kernel wakes it at that thread's exit.
  const joined = (ctx.tids.get(pid) ?? []).find((t) => t === f.expected && t !== tid);
  if (joined !== undefined && where.primitive === null)
    return { ...base, on: `thread ${joined} to exit (pthread_join)`, key: `join ${pid}:${joined}`, wakers: [{ pid, tid: joined }], wakersAre: `thread ${joined}`, definite: true };
  if (f.private || !m || !isShared(m))
    return {
      ...base,
      wakers: siblings(ctx, pid, tid),
      wakersAre: f.private ? 'sibling threads (a private futex is woken only from its own process)' : 'sibling threads (private memory)',
      definite: false,
    };
  const sharers = ctx.probe.sharers(m.dev, m.inode).filter((p) => !ctx.observers.has(p));
  const wakers = [...siblings(ctx, pid, tid), ...sharers.filter((p) => p !== pid).map((p) => ({ pid: p, tid: null }))];
  // glibc's 64-bit sem_t waits on its first word (the count), so the futex's key is the semaphore's.
  const takenBy = where.primitive?.type === 'sem' ? ctx.semTakers(key).filter((w) => w.tid !== tid) : [];
  const took = takenBy.map((w) => `${ctx.label(w.pid)} tid ${w.tid}`).join(', ');
  return {
    ...base,
    wakers,
    wakersAre: `threads of the processes that map ${m.path || 'the shared memory'}${took ? `; the trace saw ${took} take it and not post it since` : ''}`,
    definite: false,
    ...(takenBy.length ? { takenBy } : {}),
  };
}

/**
 * The object whose holders end a wait on a descriptor, as a key the probe finds
 * them by: the pipe or FIFO itself, or a Unix socket's peer; with why not, when
 * it has none we can name.
 */
function otherEnd(ctx: WaitContext, fd: FdRaw): { key: string; kind: 'pipe' | 'fifo' | 'socket'; name: string } | { kind: WaitKind; why: string } {
  if (fd.target.startsWith('pipe:')) return { key: fd.target, kind: 'pipe', name: fd.target };
  if (fd.fifo) return { key: `fifo:${fd.fifo}`, kind: 'fifo', name: `FIFO ${fd.target}` };
  const ino = /^socket:\[(\d+)\]$/.exec(fd.target)?.[1];
  if (ino === undefined) return { kind: 'file', why: 'input from outside the inspected processes' };
  const peer = ctx.probe.socketPeer(Number(ino));
  if (peer === null) return { kind: 'socket', why: 'its peer is not visible (not a Unix socket of this network namespace, or sock_diag refused)' };
  if (peer === 0) return { kind: 'socket', why: 'an unconnected socket: who sends to it is not known' };
  return { key: `socket:[${peer}]`, kind: 'socket', name: `Unix socket ${fd.target} (peer socket:[${peer}])` };
}

function fdWait(ctx: WaitContext, raw: ProcRaw, tid: number, shape: Extract<WaitShape, { kind: 'fd' }>): WaitFacts {
  const fd = raw.fds?.find((x) => x.fd === shape.fd);
  const unknown = (kind: WaitKind, on: string, why: string): WaitFacts => ({ kind, timed: false, on, key: `pid ${raw.pid} fd ${shape.fd}`, wakers: null, wakersAre: why, definite: false });
  if (!fd) return unknown('other', `fd ${shape.fd}`, raw.fds ? 'the descriptor was closed meanwhile' : 'its descriptors could not be read');
  // accept and connect take only sockets (ENOTSOCK otherwise).
  if (shape.direction === 'accept' || shape.direction === 'connect')
    return unknown('socket', `${shape.direction} on fd ${shape.fd} (${fd.target})`, `who will ${shape.direction === 'accept' ? 'connect to' : 'accept'} it is not known`);
  const end = otherEnd(ctx, fd);
  if (!('key' in end)) return unknown(end.kind, `${shape.direction} on fd ${shape.fd} (${fd.target})`, end.why);
  // A reader waits for a writer, a writer (the buffer is full) for a reader;
  // a socket's peer is open for both, so any holder of it counts.
  const wanted = shape.direction === 'read' ? 'write' : 'read';
  const holders = ctx.probe.fdHolders(end.key).filter((h) => {
    const a = fdAccess(h.flags);
    return end.kind === 'socket' || a === wanted || a === 'read-write' || a === null;
  });
  const wakers: WakerRef[] = [];
  for (const h of holders) {
    // The waiter itself cannot write while it waits to read; its siblings can.
    if (h.pid === raw.pid) wakers.push(...siblings(ctx, raw.pid, tid));
    else if (!wakers.some((w) => w.pid === h.pid)) wakers.push({ pid: h.pid, tid: null });
  }
  const pids = [...new Set(holders.map((h) => h.pid))];
  const endName = end.kind === 'socket' ? 'peer' : `${wanted} end`;
  return {
    kind: end.kind,
    timed: false,
    on: `${end.name}, ${shape.direction === 'read' ? 'reading (empty)' : 'writing (full)'} on fd ${shape.fd}`,
    key: `${end.kind === 'socket' ? fd.target : end.key}:${shape.direction}`,
    wakers,
    wakersAre: pids.length ? `holders of its ${endName}: ${pids.map((p) => (p === raw.pid ? 'this process' : ctx.label(p))).join(', ')}` : `nobody holds its ${endName}`,
    definite: true,
  };
}

function lockWait(ctx: WaitContext, raw: ProcRaw, locks: FileLock[], fdNo: number): WaitFacts {
  const fd = raw.fds?.find((x) => x.fd === fdNo);
  const file = fd?.target ?? `fd ${fdNo}`;
  const waiter = locks.find((l) => l.depth > 0 && l.pid === raw.pid);
  const blocker = waiter ? blockerOf(locks, waiter) : undefined;
  const base = { kind: 'file-lock' as const, timed: false, key: `lock:${blocker?.file ?? file}:${blocker?.range ?? ''}` };
  if (!waiter || !blocker) return { ...base, on: `a lock on ${file}`, wakers: null, wakersAre: '/proc/locks does not show what blocks it', definite: false };
  const on = `${waiter.type} ${waiter.access} lock on ${file} (${blocker.file} ${blocker.range})`;
  if (blocker.pid <= 0) return { ...base, on, wakers: null, wakersAre: 'an open file description (OFD lock) whose holder /proc/locks does not name', definite: false };
  return { ...base, on, wakers: [{ pid: blocker.pid, tid: null }], wakersAre: `the holder of the ${blocker.type} ${blocker.access} lock, ${ctx.label(blocker.pid)}`, definite: true };
}

function childWait(ctx: WaitContext, pid: number, which: number): WaitFacts {
  const children = which > 0 ? [which] : ctx.probe.children(pid);
  return {
    kind: 'child',
    timed: false,
    on: which > 0 ? `child ${which} to exit` : `a child to exit (${children.length ? (children.length > 4 ? `${children.slice(0, 3).join(', ')} and ${children.length - 3} more` : children.join(', ')) : 'none left'})`,
    key: `children of ${pid}`,
    wakers: children.map((c) => ({ pid: c, tid: null })),
    wakersAre: `its ${which > 0 ? 'child' : 'children'}`,
    definite: true,
  };
}

/** The wait of one blocked thread, or null when it is not waiting (running, a wake or unlock call). */
export function waitOf(ctx: WaitContext, raw: ProcRaw, tid: number, nr: number, shape: WaitShape, futexWhere: FutexLocation | null, locks: () => FileLock[]): WaitFacts | null {
  switch (shape.kind) {
    case 'futex':
      return shape.futex.waits && futexWhere ? futexWait(ctx, raw.pid, tid, shape.futex, futexWhere) : null;
    case 'fd':
      return fdWait(ctx, raw, tid, shape);
    case 'file-lock':
      return lockWait(ctx, raw, locks(), shape.fd);
    case 'child':
      return childWait(ctx, raw.pid, shape.which);
    default: {
      const why = shape.kind === 'signal' ? 'a signal' : shape.kind === 'sleep' ? 'its own timeout' : 'events from outside the inspected processes';
      return { kind: shape.kind, timed: shape.timed, on: syscallName(nr), key: `pid ${raw.pid} tid ${tid} ${syscallName(nr)}`, wakers: null, wakersAre: why, definite: false };
    }
  }
}

/** /proc/locks, parsed once per diagnosis and only when some thread waits for a lock. */
export function lockTable(probe: Probe): () => FileLock[] {
  let locks: FileLock[] | undefined;
  return () => (locks ??= parseLocks(probe.fileLocks()));
}

