// Which word of which glibc primitive a blocked futex wait is on, decided
// from the evidence rather than from the first base whose bytes "look
// right": the futex command, the expected value, the private and clock flags
// and the primitive's own bytes around the address each constrain the
// candidates. Runs for futex waits outside our own segment (inside it the
// layout table names the field). Assumes x86_64 glibc 2.25-2.40 (the
// condvar of 2.25, with __g_refs; the 64-bit semaphore of 2.21).
//
// How glibc waits (nptl, 2.36):
//   mutex lock      lll_lock_wait: FUTEX_WAIT on __lock, expected 2
//   mutex timedlock lll_clocklock_wait: FUTEX_WAIT_BITSET + timeout, expected 2
//   robust mutex    FUTEX_WAIT (always shared) on __lock, expected tid|FUTEX_WAITERS
//   PI mutex        FUTEX_LOCK_PI on __lock (cond waits: FUTEX_WAIT_REQUEUE_PI)
//   cond wait       FUTEX_WAIT_BITSET on __g_signals[g], expected 0; FUTEX_CLOCK_REALTIME
//                   set exactly when the condvar's clock is CLOCK_REALTIME
//   cond lock       __condvar_acquire_lock: FUTEX_WAIT on __g1_orig_size, expected (x & ~3) | 2
//   cond drain      __condvar_quiesce_and_switch_g1: FUTEX_WAIT on __g_refs[g], expected odd
//   sem_wait        FUTEX_WAIT_BITSET on the value word, expected 0; nwaiters in the
//                   next word, then `private`: LLL_PRIVATE (0) or LLL_SHARED (FUTEX_PRIVATE_FLAG)
//   rwlock          FUTEX_WAIT_BITSET: a reader on __readers (expected with RWAITING)
//                   or on __wrphase_futex (expected 1|FUTEX_USED); a writer on
//                   __writers_futex (expected 1|FUTEX_USED) or __wrphase_futex
//                   (expected FUTEX_USED)
//   barrier         FUTEX_WAIT on current_round, expected the waiter's round
import type { FutexDecode } from './futex.js';
import type { TracedPrimitive } from './input.js';
import { FUTEX_PRIVATE_FLAG } from './futex.js';
import {
  describeCond,
  describeMutex,
  FUTEX_TID_MASK,
  FUTEX_WAITERS,
  PTHREAD_MUTEX_PRIO_INHERIT_NP,
  PTHREAD_MUTEX_ROBUST_NORMAL_NP,
  readCond,
  readMutex,
  type CondView,
  type MutexView,
} from './glibc.js';
import { hex } from '../system/hex.js';
import { PTHREAD_RWLOCK_FUTEX_USED, readBarrier, readRwlock, RWLOCK_READERS_RWAITING, type BarrierView, type Rel, type RwlockView } from './glibc-rwlock.js';

/** struct new_sem (nptl/semaphoreP.h, x86_64): uint64_t data (value low, nwaiters high); int private (LLL_PRIVATE 0, LLL_SHARED 128). */
const SEM_NWAITERS_OFFSET = 4;
const SEM_PRIVATE_OFFSET = 8;
export const SEM_SIZE = 32;

export type PrimitiveKind = 'mutex' | 'cond' | 'sem' | 'rwlock' | 'barrier' | 'futex';

export interface WordIdentity {
  kind: PrimitiveKind;
  /** Address of the primitive's first byte. */
  base: bigint;
  /** The field the word is ("__g1_orig_size"), "" for a raw futex. */
  field: string;
  /** certain: only one reading fits and its bytes agree; likely: fits, bytes unread; guess: more than one fits. */
  confidence: 'certain' | 'likely' | 'guess';
  /** What was checked, in words, for the evidence. */
  checks: string[];
  /** Other readings that fit as well as this one (a guess). */
  alternatives: string[];
  mutex?: MutexView;
  cond?: CondView;
  /** A semaphore's pshared flag (private word 0). */
  semShared?: boolean;
  rwlock?: RwlockView;
  barrier?: BarrierView;
}

export interface Offsets {
  mutex: Record<string, number>;
  cond: Record<string, number>;
  mutexSize: number;
  condSize: number;
  /** Absent in layouts recorded before the table had them: such readings are then not considered. */
  rwlock?: Rel | null;
  barrier?: Rel | null;
}

type Read = (addr: bigint, len: number) => Buffer | null;

interface Candidate {
  kind: PrimitiveKind;
  field: string;
  base: bigint;
  /** Bytes checks: each true is support, any false rules the candidate out. */
  checks: [string, boolean][];
  read: boolean;
  mutex?: MutexView;
  cond?: CondView;
  semShared?: boolean;
  rwlock?: RwlockView;
  barrier?: BarrierView;
}

function rwlockCandidates(f: FutexDecode, o: Offsets, read: Read): Candidate[] {
  const r = o.rwlock;
  if (!r || f.command !== 'WAIT_BITSET' || f.expected === null) return [];
  const fields: string[] = [];
  if ((f.expected & RWLOCK_READERS_RWAITING) !== 0) fields.push('__readers');
  if (f.expected === (1 | PTHREAD_RWLOCK_FUTEX_USED) || f.expected === PTHREAD_RWLOCK_FUTEX_USED) fields.push('__wrphase_futex');
  if (f.expected === (1 | PTHREAD_RWLOCK_FUTEX_USED)) fields.push('__writers_futex');
  return fields.map((field) => {
    const c: Candidate = { kind: 'rwlock', field, base: f.addr - BigInt(r[field] ?? 0), checks: [], read: false };
    const b = read(c.base, r.size ?? 56);
    if (!b) return c;
    c.read = true;
    const v = readRwlock(b, r);
    c.rwlock = v;
    c.checks.push([`__flags and __cur_writer are an rwlock's`, v.plausible]);
    c.checks.push([`__shared ${v.pshared ? 'set' : 'clear'} agrees with ${f.private ? 'FUTEX_PRIVATE_FLAG' : 'a shared futex'}`, v.pshared === !f.private]);
    return c;
  });
}

function barrierCandidate(f: FutexDecode, o: Offsets, read: Read): Candidate | null {
  const r = o.barrier;
  if (!r || f.command !== 'WAIT' || f.expected === null || f.timed) return null;
  const c: Candidate = { kind: 'barrier', field: 'current_round', base: f.addr - BigInt(r.current_round ?? 0), checks: [], read: false };
  const b = read(c.base, r.size ?? 32);
  if (!b) return c;
  c.read = true;
  const v = readBarrier(b, r);
  c.barrier = v;
  c.checks.push([`count ${v.count}, current_round ${v.round} and in are a barrier's`, v.plausible]);
  c.checks.push([`the expected round ${f.expected} is the barrier's current round`, v.plausible && f.expected === v.round]);
  c.checks.push([`shared ${v.pshared ? 'set' : 'clear'} agrees with ${f.private ? 'FUTEX_PRIVATE_FLAG' : 'a shared futex'}`, v.pshared === !f.private]);
  return c;
}

function mutexCandidate(f: FutexDecode, o: Offsets, read: Read): Candidate | null {
  const pi = f.command === 'LOCK_PI' || f.command === 'LOCK_PI2';
  const plain = (f.command === 'WAIT' || (f.command === 'WAIT_BITSET' && f.timed)) && f.expected === 2;
  const robust = (f.command === 'WAIT' || f.command === 'WAIT_BITSET') && f.expected !== null && (f.expected & FUTEX_WAITERS) !== 0 && (f.expected & FUTEX_TID_MASK) !== 0;
  if (!pi && !plain && !robust) return null;
  const base = f.addr - BigInt(o.mutex.__lock ?? 0);
  const c: Candidate = { kind: 'mutex', field: '__lock', base, checks: [], read: false };
  const b = read(base, o.mutexSize);
  if (!b) return c;
  c.read = true;
  const m = readMutex(b, 0, o.mutex);
  const v = describeMutex(m);
  c.mutex = v;
  const kindIsRobust = (m.kind & PTHREAD_MUTEX_ROBUST_NORMAL_NP) !== 0;
  const kindIsPi = (m.kind & PTHREAD_MUTEX_PRIO_INHERIT_NP) !== 0;
  c.checks.push([`__kind ${hex(m.kind)} is a known mutex kind`, (m.kind & ~0x3f3) === 0]);
  if (pi) c.checks.push(['__kind has the priority-inheritance bit (FUTEX_LOCK_PI)', kindIsPi]);
  else if (robust) c.checks.push(['__kind has the robust bit (expected value holds a tid and FUTEX_WAITERS)', kindIsRobust]);
  else {
    c.checks.push(['__kind is neither robust nor priority-inheritance (expected value 2)', !kindIsRobust && !kindIsPi]);
    c.checks.push([`pshared bit ${v.pshared ? 'set' : 'clear'} agrees with ${f.private ? 'FUTEX_PRIVATE_FLAG' : 'a shared futex'}`, v.pshared === !f.private]);
      }
  c.checks.push([`__nusers ${m.nusers} and __count ${m.count} are small`, m.nusers < 1 << 20 && m.count < 1 << 20]);
  return c;
}

function condCandidates(f: FutexDecode, o: Offsets, read: Read): Candidate[] {
  const out: Candidate[] = [];
  const at = (field: string) => o.cond[field];
  const consider = (field: string, extra: (v: CondView, words: ReturnType<typeof readCond>) => [string, boolean][]) => {
    const off = at(field);
    if (off === undefined) return;
    const base = f.addr - BigInt(off);
    const c: Candidate = { kind: 'cond', field, base, checks: [], read: false };
    const b = read(base, o.condSize);
    if (b) {
      c.read = true;
      const words = readCond(b, 0, o.cond);
      const v = describeCond(words);
      c.cond = v;
      c.checks.push([`__wrefs shared bit ${v.pshared ? 'set' : 'clear'} agrees with ${f.private ? 'FUTEX_PRIVATE_FLAG' : 'a shared futex'}`, v.pshared === !f.private]);
      c.checks.push([`__g_size [${words.gSize.join(', ')}] and __wseq are plausible`, words.gSize.every((s) => s < 1 << 24) && words.wseq < 1n << 48n && words.g1Start < 1n << 48n]);
      c.checks.push(...extra(v, words));
    }
    out.push(c);
  };
  // The waited-on word itself proves nothing: it may have moved since the thread went to sleep
  // (a wake that never arrived is exactly what is being diagnosed).
  if (f.command === 'WAIT' && f.expected !== null && (f.expected & 3) === 2 && !f.timed) consider('__g1_orig_size', () => []);
  if (f.command === 'WAIT' && f.expected !== null && (f.expected & 1) === 1 && !f.timed) for (const g of [0, 1]) consider(`__g_refs[${g}]`, () => []);
  if (f.command === 'WAIT_BITSET' && f.expected === 0)
    for (const g of [0, 1])
      consider(`__g_signals[${g}]`, (v) => [
        [`clock CLOCK_${v.clock.toUpperCase()} agrees with ${f.clockRealtime ? 'FUTEX_CLOCK_REALTIME' : 'no FUTEX_CLOCK_REALTIME'}`, (v.clock === 'realtime') === f.clockRealtime],
        [`__wrefs counts ${v.waiterRefs} waiter reference(s), at least this one`, v.waiterRefs >= 1],
      ]);
  return out;
}

function semCandidate(f: FutexDecode, read: Read): Candidate | null {
  if (f.command !== 'WAIT_BITSET' || f.expected !== 0) return null;
  const c: Candidate = { kind: 'sem', field: 'value', base: f.addr, checks: [], read: false };
  const b = read(f.addr, SEM_SIZE);
  if (!b) return c;
  c.read = true;
  const nwaiters = b.readUInt32LE(SEM_NWAITERS_OFFSET);
  const priv = b.readUInt32LE(SEM_PRIVATE_OFFSET);
  c.semShared = priv === FUTEX_PRIVATE_FLAG;
  c.checks.push([`nwaiters ${nwaiters} counts at least this waiter`, nwaiters >= 1 && nwaiters < 1 << 20]);
  // glibc's LLL_PRIVATE is 0 and LLL_SHARED is FUTEX_PRIVATE_FLAG: the word reads the other way round from the op's flag.
  c.checks.push([`private word ${priv} is ${f.private ? '0 (LLL_PRIVATE)' : 'FUTEX_PRIVATE_FLAG (LLL_SHARED)'}, as the futex call says`, priv === (f.private ? 0 : FUTEX_PRIVATE_FLAG)]);
  return c;
}

const C_TYPES: Record<PrimitiveKind, string> = { mutex: 'pthread_mutex_t', cond: 'pthread_cond_t', sem: 'sem_t', rwlock: 'pthread_rwlock_t', barrier: 'pthread_barrier_t', futex: 'futex' };
const describe = (c: Candidate) => `${C_TYPES[c.kind]}@${hex(c.base)}.${c.field}`;

/**
 * The reading of a futex wait that the evidence supports best. A primitive
 * lies wholly inside one mapping: given the mapping's bounds, a reading whose
 * bytes would start before it or run past its end is ruled out.
 */
export function identifyFutexWord(f: FutexDecode, offsets: Offsets, read: Read, bounds?: { start: bigint; end: bigint }, traced?: TracedPrimitive): WordIdentity {
  const sizes: Record<PrimitiveKind, number> = {
    mutex: offsets.mutexSize,
    cond: offsets.condSize,
    sem: SEM_SIZE,
    rwlock: offsets.rwlock?.size ?? 56,
    barrier: offsets.barrier?.size ?? 32,
    futex: 4,
  };
  const inside = (c: Candidate) => !bounds || (c.base >= bounds.start && c.base + BigInt(sizes[c.kind]) <= bounds.end);
  const all = [mutexCandidate(f, offsets, read), ...condCandidates(f, offsets, read), semCandidate(f, read), ...rwlockCandidates(f, offsets, read), barrierCandidate(f, offsets, read)].filter(
    (c): c is Candidate => c !== null && inside(c),
  );
  // The program's own calls named the primitive: its kind and start are facts, so the one reading that matches them is the answer.
  const named = traced && all.find((c) => c.kind === traced.kind && c.base === traced.addr);
  if (named)
    return {
      kind: named.kind,
      base: named.base,
      field: named.field,
      confidence: 'certain',
      checks: [`traced: the program called ${traced.call} on ${describe(named).replace(/\.[^@]*$/, '')}`, ...named.checks.map(([t, ok]) => (ok ? t : `${t}: not so`))],
      alternatives: [],
      ...(named.mutex ? { mutex: named.mutex } : {}),
      ...(named.cond ? { cond: named.cond } : {}),
      ...(named.semShared !== undefined ? { semShared: named.semShared } : {}),
      ...(named.rwlock ? { rwlock: named.rwlock } : {}),
      ...(named.barrier ? { barrier: named.barrier } : {}),
    };
  // A contradicted check rules a reading out; among the rest, more support wins.
  const fits = all.filter((c) => c.checks.every(([, ok]) => ok));
  const support = (c: Candidate) => c.checks.length;
  fits.sort((a, b) => support(b) - support(a));
  const best = fits[0];
  if (!best)
    return {
      kind: 'futex',
      base: f.addr,
      field: '',
      confidence: all.length ? 'guess' : 'certain',
      checks: all.length ? all.map((c) => `not ${describe(c)}: ${c.checks.find(([, ok]) => !ok)?.[0] ?? 'does not fit'}`) : [`no glibc primitive waits with ${f.command} and expected value ${f.expected}`],
      alternatives: [],
    };
  const rivals = fits.filter((c) => c !== best && support(c) === support(best));
  const confidence = rivals.length ? 'guess' : best.read ? 'certain' : 'likely';
  return {
    kind: best.kind,
    base: best.base,
    field: best.field,
    confidence,
    checks: [`${f.command} with expected value ${f.expected === null ? '-' : hex(f.expected)} fits ${describe(best)}`, ...best.checks.map(([t]) => t)],
    alternatives: rivals.map(describe),
    ...(best.mutex ? { mutex: best.mutex } : {}),
    ...(best.cond ? { cond: best.cond } : {}),
    ...(best.semShared !== undefined ? { semShared: best.semShared } : {}),
    ...(best.rwlock ? { rwlock: best.rwlock } : {}),
    ...(best.barrier ? { barrier: best.barrier } : {}),
  };
}
