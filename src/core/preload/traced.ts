// A traced program's rings read back as threads: which process and which
// thread of it, both numbered in the order they were created (so two runs of
// one program line up even when their threads race to their first call), its
// command line and its last transitions — and, from the calls themselves,
// the exact kind of every primitive the program touched (a mutex-lock names a
// mutex: no guessing) and who holds each semaphore taken as a lock.
import type { SlotInfo, TraceEvent } from '../native/layout.js';
import type { TracedPrimitive } from '../diagnosis/input.js';
import { byProcess } from '../trace/stats.js';
import { callName, describeCall, kindOfOp, type PrimitiveKind } from '../native/calls.js';

export { callName, describeCall, kindOfOp, type PrimitiveKind } from '../native/calls.js';

export interface TracedThread {
  slot: number;
  pid: number;
  tid: number;
  /** 1 for the first-created process that traced a call, 2 for the next… */
  process: number;
  /** 1 for the process's first-created thread that traced a call, 2 for the next… */
  thread: number;
  cmd: string;
  /** done: the thread (or its process) ended normally; running: it had not, or was killed. */
  state: 'running' | 'done';
  events: number;
  missed: number;
  /** Its last transitions, oldest first, as "mutex-lock enter 0x7f…". */
  last: string[];
}

const LAST = 8;

/** A semaphore call that took one unit: a wait that returned 0, a trywait that succeeded. */
const takes = (e: TraceEvent) => e.rc === 0 && ((e.op === 'sem-trywait' && e.phase === 'done') || (e.op.startsWith('sem-') && e.phase === 'wait-end'));

/**
 * Every primitive the trace saw a call on, per process: its kind is the
 * call's (a condvar wait also names its mutex); a semaphore also says which
 * threads took it and had not posted it since (each thread's events in order).
 */
export function tracedPrimitives(events: TraceEvent[]): TracedPrimitive[] {
  const seen = new Map<string, TracedPrimitive>();
  const holding = new Map<string, Set<number>>();
  const tookWith = new Map<string, Record<number, string>>();
  const note = (pid: number, addr: number, kind: PrimitiveKind, op: string) => {
    const key = `${pid}:${addr}`;
    if (!seen.has(key)) seen.set(key, { pid, addr: BigInt(addr), kind, call: callName(op) });
    return key;
  };
  for (const e of events) {
    const kind = kindOfOp(e.op);
    if (!kind) continue;
    const key = note(e.pid, e.value, kind, e.op);
    if (kind === 'cond' && e.aux && e.phase !== 'signalled') note(e.pid, e.aux, 'mutex', e.op);
    if (kind !== 'sem') continue;
    const tids = holding.get(key) ?? new Set<number>();
    if (takes(e)) {
      tids.add(e.tid);
      tookWith.set(key, { ...tookWith.get(key), [e.tid]: callName(e.op) });
    } else if (e.op === 'sem-post' && e.rc === 0) tids.delete(e.tid);
    holding.set(key, tids);
  }
  for (const [key, tids] of holding)
    if (tids.size) {
      const p = seen.get(key)!;
      p.takenBy = [...tids];
      p.takenWith = Object.fromEntries([...tids].map((t) => [t, tookWith.get(key)?.[t] ?? 'sem_wait']));
    }
  return [...seen.values()];
}

const LOCK_OPS = new Set(['mutex-lock', 'mutex-trylock', 'mutex-timedlock', 'mutex-clocklock']);
/** An unlock time further than this from its lock is not one the library wrote (a torn read): the lock is taken as still held. */
const MAX_HOLD_NS = 24 * 3600 * 1e9;

/**
 * The library writes a lock taken and released with nothing traced between
 * as one record: its `locked`, whose aux the unlock sets to the unlock's
 * time (native/preload/ring.h). Each such record is given back here as the
 * two events it stands for, so every reader sees one event per transition:
 * the unlock is the next call of its thread (op id + 1) on the same mutex.
 * It keeps the record's seq: readers order a slot's events by seq with a
 * stable sort (trace/stats.ts), so it stays right after its lock.
 */
export function expandLockPairs(events: TraceEvent[]): TraceEvent[] {
  const out: TraceEvent[] = [];
  for (const e of events) {
    if (!(LOCK_OPS.has(e.op) && e.phase === 'locked' && e.aux)) {
      out.push(e);
      continue;
    }
    const released = e.aux >= e.tNs && e.aux - e.tNs < MAX_HOLD_NS;
    out.push({ ...e, aux: 0 });
    if (released) out.push({ ...e, op: 'mutex-unlock', phase: 'unlocked', tNs: e.aux, opId: e.opId + 1, rc: 0, err: 0, deadlineMs: 0, aux: 0 });
  }
  return out;
}

/** How a traced thread is named across runs: "p1 t2 hangs" (process order, thread order, program). */
export function threadLabel(t: Pick<TracedThread, 'process' | 'thread' | 'cmd'>): { process: string; thread: string } {
  const process = `p${t.process} ${t.cmd.split(' ')[0]!.split('/').pop() ?? ''}`;
  return { process, thread: process.replace(' ', ` t${t.thread} `) };
}

/**
 * Creation order is the order the kernel numbered them: pids and tids come
 * from one counter that only goes up (idr_alloc_cyclic), until it wraps at
 * pid_max, which a run would have to straddle to be misnumbered.
 */
function creationRanks(ids: number[]): Map<number, number> {
  return new Map([...new Set(ids)].sort((a, b) => a - b).map((id, i) => [id, i + 1]));
}

/** Every traced thread, in creation order: by process, then by thread. */
export function tracedThreads(slots: SlotInfo[], events: TraceEvent[], missed: number[]): TracedThread[] {
  const bySlot = byProcess(events);
  const processOrder = creationRanks(slots.map((s) => s.pid));
  const threadOrder = new Map([...processOrder.keys()].map((pid) => [pid, creationRanks(slots.filter((s) => s.pid === pid).map((s) => s.tid))]));
  return slots.map((s) => {
    const evs = bySlot.get(s.index) ?? [];
    return {
      slot: s.index,
      pid: s.pid,
      tid: s.tid,
      process: processOrder.get(s.pid)!,
      thread: threadOrder.get(s.pid)!.get(s.tid)!,
      cmd: s.cmd,
      state: s.state === 'done' ? 'done' : 'running',
      events: evs.length,
      missed: missed[s.index] ?? 0,
      last: evs.slice(-LAST).map(describeCall),
    } satisfies TracedThread;
  }).sort((a, b) => a.process - b.process || a.thread - b.thread);
}
