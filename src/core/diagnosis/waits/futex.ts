// A futex wait: on a mutex, a condvar, an rwlock, a barrier, a semaphore, a
// thread's exit (pthread_join), or a bare futex word. Who can end it:
//   a held mutex or write-held rwlock  its owner (tid from the lock word, __owner
//                                      or __cur_writer), definite
//   a private word                     only threads of the waiter's own process:
//                                      the kernel keys a private futex by the
//                                      address space, so no other process's wake
//                                      reaches it, shared mapping or not
//   a shared word                      threads of every process mapping the object
//   a thread's exit                    that thread
// Invariants that make a wait hopeless from the first instant:
//   - a private lock whose owner is not a thread of the waiter's process was
//     copied by fork() while that owner held it: nobody in this address space
//     can unlock it (the classic fork-in-a-threaded-program hang);
//   - a lock the waiter itself owns (relock of a non-recursive mutex);
//   - glibc parks a thread for ever on a word of its own stack after the
//     kernel refused a priority-inheritance lock with EDEADLK (a PI deadlock)
//     or ESRCH (its owner died): nobody else knows that word (ctx.piOwned says
//     whether the thread owns a PI mutex others wait for, the evidence).
import { isShared, type MapEntry } from '../../procfs/decode.js';
import { hex } from '../../system/hex.js';
import type { FutexDecode } from '../futex.js';
import type { FutexLocation } from '../primitives.js';
import { known, orByHandler, siblings, type Waiter, type WaitContext, type WaitFacts } from './types.js';

/** How far above the stack pointer a word of the calling frames may lie (glibc's park is two frames up). */
const FRAME_REACH = 4096n;

export interface FutexContext extends WaitContext {
  /** PI mutexes some inspected thread waits for (FUTEX_LOCK_PI) whose owner is this tid. */
  piOwned(tid: number): string[];
}

interface Held {
  what: string;
  ownerTid: number;
  ownerDied: boolean;
}

/** The lock a waiter sleeps on and who owns it, when the word's primitive says (a mutex, or an rwlock held for writing). */
function heldLock(where: FutexLocation): Held | null {
  const p = where.primitive;
  if (p?.mutex?.locked && p.mutex.ownerTid) return { what: 'mutex', ownerTid: p.mutex.ownerTid, ownerDied: p.mutex.ownerDiedFlag };
  if (p?.rwlock?.writeLocked && p.rwlock.writerTid) return { what: 'rwlock (held for writing)', ownerTid: p.rwlock.writerTid, ownerDied: false };
  return null;
}

function ownerWait(ctx: FutexContext, w: Waiter, f: FutexDecode, base: Parameters<typeof known>[0], h: Held, mapping: MapEntry | null): WaitFacts {
  const pid = w.raw.pid;
  if (h.ownerTid === w.tid) return known(base, [], `nobody: the thread already holds this ${h.what} itself (a relock of a non-recursive lock)`, true);
  const ownerPid = ctx.ownerPid(h.ownerTid);
  const inProcess = (ctx.tids.get(pid) ?? []).includes(h.ownerTid);
  const m = mapping;
  if (f.private && !inProcess && !h.ownerDied && m && isShared(m) && ownerPid !== null && ctx.probe.sharers(m.dev, m.inode).includes(ownerPid))
    // A private lock in memory both processes map (not process-shared): the owner's unlock wakes nobody here.
    return known(
      base,
      siblings(ctx, pid, w.tid),
      `sibling threads only: its owner, tid ${h.ownerTid} of ${ctx.label(ownerPid)}, is in another process, and the private futex wake its unlock sends never reaches this one`,
      false,
    );
  if (f.private && !inProcess && !h.ownerDied) {
    const who = ownerPid !== null && ownerPid !== pid ? `tid ${h.ownerTid} of ${ctx.label(ownerPid)}` : `tid ${h.ownerTid}, which no longer exists`;
    return known(
      base,
      [],
      `nobody: its owner, ${who}, is not a thread of this process, and a private ${h.what} can only be unlocked from inside its own address space: it was copied by fork() while ${who.split(',')[0]} held it`,
      true,
      { copiedFrom: { pid: ownerPid ?? 0, tid: h.ownerTid } },
    );
  }
  return known(base, ownerPid === null ? [] : [{ pid: ownerPid, tid: h.ownerTid }], `the ${h.what} owner, tid ${h.ownerTid}`, true);
}

export function futexWait(ctx: FutexContext, w: Waiter, f: FutexDecode, where: FutexLocation, word: number | null): WaitFacts {
  const pid = w.raw.pid;
  const tid = w.tid;
  const m = where.mapping;
  const field = where.field ?? `futex ${hex(f.addr)}`;
  const on = `${field}${m ? ` in ${m.path || 'anonymous memory'}${where.ref ? `+${hex(where.ref.offset)}` : ''}` : ''}`;
  const key = where.ref?.key ?? `pid ${pid}:${hex(f.addr)}`;
  const base = { kind: 'futex' as const, timed: f.timed, on, key };
  // glibc's park after a refused PI lock: FUTEX_WAIT_BITSET on a zero word of the calling frames, expecting zero.
  // Stack bytes can look like a condvar or a semaphore by chance: the thread owning a PI mutex others wait for decides, unless its own calls named the word.
  const onOwnStack = f.addr >= w.sp && f.addr - w.sp < FRAME_REACH;
  const owned = onOwnStack && f.command === 'WAIT_BITSET' && f.expected === 0 && word === 0 && !f.timed && where.fieldSource !== 'traced' ? ctx.piOwned(tid) : [];
  if (owned.length)
    return known(
      { ...base, on: `a word of its own stack (glibc's park after a refused priority-inheritance lock)`, key: `pi-park ${pid}:${tid}` },
      [],
      `nobody: glibc parks a thread here for ever when the kernel refuses a PI mutex with EDEADLK (a deadlock) or ESRCH (its owner died), and this thread owns ${owned.join(', ')}, which others wait for`,
      true,
    );
  const held = heldLock(where);
  if (held) return ownerWait(ctx, w, f, base, held, m);
  // pthread_join waits on the joined thread's tid word, expecting its tid; the kernel wakes it at that thread's exit.
  const joined = (ctx.tids.get(pid) ?? []).find((t) => t === f.expected && t !== tid);
  if (joined !== undefined && where.primitive === null)
    return known({ ...base, on: `thread ${joined} to exit (pthread_join)`, key: `join ${pid}:${joined}` }, [{ pid, tid: joined }], `thread ${joined}`, true);
  if (f.private || !m || !isShared(m)) {
    // The kernel keys a private futex by the address space: a process sharing it (clone CLONE_VM, vfork) is a waker too.
    const vm = sameAddressSpace(ctx, pid);
    const facts = known(
      base,
      [...siblings(ctx, pid, tid), ...vm.map((p) => ({ pid: p, tid: null }))],
      `${f.private ? 'sibling threads (a private futex is woken only from its own address space)' : 'sibling threads (private memory)'}${vm.length ? `, and the processes sharing its address space: ${vm.map((p) => ctx.label(p)).join(', ')}` : ''}`,
      false,
      onOwnStack && word === 0 && f.expected === 0 ? { notes: ['the word lies in its own stack frames: only a thread given its address can wake it (hypothesis: glibc parked it after a refused PI lock)'] } : {},
    );
    return orByHandlerIfSafe(ctx, pid, [pid, ...vm], where, facts);
  }
  const sharers = ctx.probe.sharers(m.dev, m.inode).filter((p) => !ctx.observers.has(p));
  const wakers = [...siblings(ctx, pid, tid), ...sharers.filter((p) => p !== pid).map((p) => ({ pid: p, tid: null }))];
  // glibc's 64-bit sem_t waits on its first word (the count), so the futex's key is the semaphore's.
  const takers = where.primitive?.type === 'sem' ? ctx.semTakers(key).filter((x) => x.tid !== tid) : [];
  const took = takers.map((x) => `${ctx.label(x.pid)} tid ${x.tid}`).join(', ');
  // The culprit of a semaphore used as a lock: who took it and never gave it back, and whether it still lives.
  const notes = takers.map(
    (x) =>
      `the trace saw ${ctx.label(x.pid)} tid ${x.tid} take it with ${x.call} and not post it since${ctx.probe.thread(x.tid ?? x.pid).alive ? '' : '; that thread no longer exists (killed, or exited holding it)'}${x.byAddress ? ' (its process is gone: matched by the address, which a mapping inherited at fork keeps)' : ''}`,
  );
  return orByHandlerIfSafe(
    ctx,
    pid,
    [pid, ...sharers],
    { ...where, shared: true },
    known(
      base,
      wakers,
      `threads of the processes that map ${m.path || 'the shared memory'}${took ? `; the trace saw ${took} take it and not post it since` : ''}`,
      false,
      takers.length ? { takenBy: takers.map((x) => ({ pid: x.pid, tid: x.tid })), notes } : {},
    ),
  );
}

/**
 * A signal handler may post a semaphore or wake a bare futex word (sem_post
 * is async-signal-safe), so those waits are open when the process has a
 * notifying handler. It cannot release a condvar, barrier or rwlock wait:
 * pthread_cond_signal and the rest are not async-signal-safe, and a thread
 * the handler interrupts may hold the primitive's internal lock.
 */
function orByHandlerIfSafe(ctx: WaitContext, waiterPid: number, pids: number[], where: FutexLocation & { shared?: true }, facts: WaitFacts): WaitFacts {
  // A type read from the bytes alone is a guess: the word may be a bare one a handler wakes.
  const t = where.fieldSource === 'guess' ? undefined : where.primitive?.type;
  return t === undefined || t === 'sem' ? orByHandler(ctx, waiterPid, pids, facts, where.shared === true) : facts;
}

/**
 * Processes sharing pid's address space: made by clone(CLONE_VM) or vfork
 * from one another, so near in the tree — its parent, its siblings (the
 * parent may have exec'd since), its children and grandchildren. One the
 * kernel will not answer for whose memory counters match counts (it might).
 */
function sameAddressSpace(ctx: WaitContext, pid: number): number[] {
  const parent = ctx.probe.parent(pid);
  const children = ctx.probe.children(pid);
  const near = parent ? [parent, ...ctx.probe.children(parent)] : [];
  for (const c of children) near.push(c, ...ctx.probe.children(c));
  return ctx.probe.vmSharers(pid, near);
}
