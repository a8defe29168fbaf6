// Decoders for glibc's pthread_mutex_t and pthread_cond_t bytes (x86_64).
// Field offsets come from the layout table, which the compiler produced from
// this machine's own <pthread.h>; the bit meanings below are glibc internals
// (nptl/pthreadP.h, nptl/pthread_cond_common.c), stable from 2.25 to 2.40;
// 2.41 dropped __g_refs from the condvar.
import type { Layout } from '../native/layout.js';
import { hex } from '../system/hex.js';

export const ASSUMED_GLIBC =
  'x86_64 glibc: pthread_mutex_t layout since 2.12; pthread_cond_t as in 2.25-2.40 (2.41 removed __g_refs)';

// nptl/pthreadP.h
const PTHREAD_MUTEX_KIND_MASK_NP = 3;
export const PTHREAD_MUTEX_ROBUST_NORMAL_NP = 16;
export const PTHREAD_MUTEX_PRIO_INHERIT_NP = 32;
const PTHREAD_MUTEX_PRIO_PROTECT_NP = 64;
export const PTHREAD_MUTEX_PSHARED_BIT = 128;
const __PTHREAD_COND_SHARED_MASK = 1;
const __PTHREAD_COND_CLOCK_MONOTONIC_MASK = 2;
// <linux/futex.h>
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;

const MUTEX_TYPES = ['normal (timed)', 'recursive', 'error-checking', 'adaptive'];

type Rel = Record<string, number>;

/** Offsets of a primitive's fields relative to its start, from a layout member (e.g. "mutex", "canTake"). */
function relative(layout: Layout, member: string): Rel {
  const base = layout.field('mvar', member).offset;
  const out: Rel = {};
  for (const [name, f] of Object.entries(layout.raw.regions.mvar.fields))
    if (name.startsWith(`${member}.`)) out[name.slice(member.length + 1)] = f.offset - base;
  return out;
}

export function mutexOffsets(layout: Layout): Rel {
  return relative(layout, 'mutex');
}

export function condOffsets(layout: Layout): Rel {
  return relative(layout, 'canTake');
}

export interface MutexBytes {
  lock: number;
  count: number;
  owner: number;
  nusers: number;
  kind: number;
}

export interface CondBytes {
  wseq: bigint;
  g1Start: bigint;
  gRefs: [number, number] | null;
  gSize: [number, number];
  g1OrigSize: number;
  wrefs: number;
  gSignals: [number, number];
}

export function readMutex(b: Buffer, at: number, o: Rel): MutexBytes {
  const u = (f: string) => b.readUInt32LE(at + (o[f] as number));
  return { lock: u('__lock'), count: u('__count'), owner: b.readInt32LE(at + (o.__owner as number)), nusers: u('__nusers'), kind: b.readInt32LE(at + (o.__kind as number)) };
}

export function readCond(b: Buffer, at: number, o: Rel): CondBytes {
  const u = (f: string) => b.readUInt32LE(at + (o[f] as number));
  return {
    wseq: b.readBigUInt64LE(at + (o.__wseq as number)),
    g1Start: b.readBigUInt64LE(at + (o.__g1_start as number)),
    gRefs: o['__g_refs[0]'] === undefined ? null : [u('__g_refs[0]'), u('__g_refs[1]')],
    gSize: [u('__g_size[0]'), u('__g_size[1]')],
    g1OrigSize: u('__g1_orig_size'),
    wrefs: u('__wrefs'),
    gSignals: [u('__g_signals[0]'), u('__g_signals[1]')],
  };
}

export interface MutexView {
  pshared: boolean;
  robust: boolean;
  /** Priority inheritance: the kernel tracks its owner (FUTEX_LOCK_PI) and refuses a deadlock with EDEADLK. */
  pi: boolean;
  type: string;
  /** tid holding it, 0 when unlocked. */
  ownerTid: number;
  locked: boolean;
  waiters: boolean;
  ownerDiedFlag: boolean;
  lines: string[];
}

export function describeMutex(m: MutexBytes): MutexView {
  const robust = (m.kind & PTHREAD_MUTEX_ROBUST_NORMAL_NP) !== 0;
  const pshared = (m.kind & PTHREAD_MUTEX_PSHARED_BIT) !== 0;
  const pi = (m.kind & PTHREAD_MUTEX_PRIO_INHERIT_NP) !== 0;
  const type = MUTEX_TYPES[m.kind & PTHREAD_MUTEX_KIND_MASK_NP] ?? 'unknown';
  // Robust and PI mutexes keep the owner's tid in the lock word itself.
  const tidInWord = robust || pi;
  const ownerTid = tidInWord ? m.lock & FUTEX_TID_MASK : m.lock !== 0 ? m.owner : 0;
  const locked = m.lock !== 0 && (!tidInWord || (m.lock & FUTEX_TID_MASK) !== 0);
  const waiters = tidInWord ? (m.lock & FUTEX_WAITERS) !== 0 : m.lock === 2;
  const ownerDiedFlag = tidInWord && (m.lock & FUTEX_OWNER_DIED) !== 0;
  const attrs = [
    pshared ? 'PTHREAD_MUTEX_PSHARED_BIT set: process-shared' : 'PTHREAD_MUTEX_PSHARED_BIT clear: process-private',
    robust ? 'robust' : 'not robust',
    ...(pi ? ['priority-inheritance'] : []),
    ...((m.kind & PTHREAD_MUTEX_PRIO_PROTECT_NP) !== 0 ? ['priority-protect'] : []),
    type,
  ];
  const state = !locked
    ? 'unlocked'
    : `locked${ownerTid ? ` by tid ${ownerTid}` : ''}${waiters ? ', with waiters' : ''}${ownerDiedFlag ? ', FUTEX_OWNER_DIED' : ''}`;
  return {
    pshared,
    robust,
    pi,
    type,
    ownerTid: locked ? ownerTid : 0,
    locked,
    waiters,
    ownerDiedFlag,
    lines: [`__kind = ${hex(m.kind)}: ${attrs.join(', ')}`, `__lock = ${hex(m.lock)}: ${state}`, `__owner = ${m.owner}, __nusers = ${m.nusers}`],
  };
}

export interface CondView {
  pshared: boolean;
  clock: 'realtime' | 'monotonic';
  waiterRefs: number;
  internalLock: number;
  lines: string[];
}

export function describeCond(c: CondBytes): CondView {
  const pshared = (c.wrefs & __PTHREAD_COND_SHARED_MASK) !== 0;
  const clock = (c.wrefs & __PTHREAD_COND_CLOCK_MONOTONIC_MASK) !== 0 ? 'monotonic' : 'realtime';
  const waiterRefs = c.wrefs >>> 3;
  const internalLock = c.g1OrigSize & 3;
  const lockState = ['unlocked', 'locked', 'locked, with waiters', '?'][internalLock];
  return {
    pshared,
    clock,
    waiterRefs,
    internalLock,
    lines: [
      `__wrefs = ${hex(c.wrefs)}: ${pshared ? '__PTHREAD_COND_SHARED_MASK set: process-shared' : '__PTHREAD_COND_SHARED_MASK clear: process-private'}, clock CLOCK_${clock.toUpperCase()}, ${waiterRefs} waiter reference(s)`,
      `__g1_orig_size = ${hex(c.g1OrigSize)}: internal lock ${lockState}, G1 size ${c.g1OrigSize >>> 2}`,
      `__wseq = ${c.wseq >> 1n} (G2 index ${c.wseq & 1n}), __g1_start = ${c.g1Start >> 1n}, __g_size = [${c.gSize.join(', ')}], __g_signals = [${c.gSignals.map(hex).join(', ')}]${c.gRefs ? `, __g_refs = [${c.gRefs.map(hex).join(', ')}]` : ''}`,
    ],
  };
}

/** glibc releases with the condvar lost-wakeup bug (BZ #25847): 2.25 to 2.40, fixed in 2.41. */
export function glibcHasLostWakeupBug(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === 2 && minor >= 25 && minor <= 40;
}
