// Decoders for glibc's pthread_rwlock_t and pthread_barrier_t bytes (x86_64,
// glibc 2.25+). Field offsets come from the layout table (the compiler's
// offsetof on this machine's <pthread.h> for the rwlock; a mirror of glibc's
// internal struct pthread_barrier for the barrier, native/layout.h); the bit
// meanings are glibc internals (sysdeps/nptl/pthreadP.h, pthread_rwlock_common.c,
// pthread_barrier_wait.c, 2.36).
//   __readers: bit 0 WRPHASE (a writer phase), bit 1 WRLOCKED (a writer holds
//   it), bit 2 RWAITING (readers wait on __readers), readers count << 3.
//   __cur_writer: the tid of the writer that holds it.
//   __shared: non-zero for a process-shared rwlock (FUTEX_SHARED waits).
//   barrier: current_round advances by count each round; its waiters sleep
//   on current_round expecting their round; shared is 0 or FUTEX_SHARED (128).
import type { Layout } from '../native/layout.js';
import { hex } from '../system/hex.js';

const PTHREAD_RWLOCK_WRPHASE = 1;
const PTHREAD_RWLOCK_WRLOCKED = 2;
const PTHREAD_RWLOCK_RWAITING = 4;
const PTHREAD_RWLOCK_READER_SHIFT = 3;
export const PTHREAD_RWLOCK_FUTEX_USED = 2;
export const RWLOCK_READERS_RWAITING = PTHREAD_RWLOCK_RWAITING;

export type Rel = Record<string, number>;

/** The rwlock's or barrier's field offsets from the layout table; null in layouts recorded before it had them. */
export function rwlockOffsets(layout: Layout): Rel | null {
  return layout.raw.constants.rwlock ?? null;
}
export function barrierOffsets(layout: Layout): Rel | null {
  return layout.raw.constants.barrier ?? null;
}

export interface RwlockView {
  pshared: boolean;
  writeLocked: boolean;
  /** The tid of the writer holding it (0: none). */
  writerTid: number;
  readers: number;
  writePhase: boolean;
  /** Padding glibc keeps zero and a flags value it knows: the bytes look like an rwlock. */
  plausible: boolean;
  lines: string[];
}

export function readRwlock(b: Buffer, o: Rel): RwlockView {
  const u = (f: string) => b.readUInt32LE(o[f] as number);
  const r = u('__readers');
  const shared = b.readInt32LE(o.__shared as number);
  const writerTid = b.readInt32LE(o.__cur_writer as number);
  const flags = u('__flags');
  const writeLocked = (r & PTHREAD_RWLOCK_WRLOCKED) !== 0;
  const readers = r >>> PTHREAD_RWLOCK_READER_SHIFT;
  return {
    pshared: shared !== 0,
    writeLocked,
    writerTid: writeLocked ? writerTid : 0,
    readers,
    writePhase: (r & PTHREAD_RWLOCK_WRPHASE) !== 0,
    plausible: flags <= 2 && writerTid >= 0 && writerTid < 1 << 22,
    lines: [
      `__shared = ${shared}: ${shared ? 'process-shared' : 'process-private'}`,
      `__readers = ${hex(r)}: ${readers} reader(s)${writeLocked ? `, write-locked by tid ${writerTid}` : ''}${(r & PTHREAD_RWLOCK_WRPHASE) !== 0 ? ', write phase' : ', read phase'}${(r & PTHREAD_RWLOCK_RWAITING) !== 0 ? ', readers waiting' : ''}`,
      `__writers = ${hex(u('__writers'))}, __wrphase_futex = ${hex(u('__wrphase_futex'))}, __writers_futex = ${hex(u('__writers_futex'))}, __flags = ${flags}`,
    ],
  };
}

export interface BarrierView {
  pshared: boolean;
  count: number;
  round: number;
  arrived: number;
  plausible: boolean;
  lines: string[];
}

export function readBarrier(b: Buffer, o: Rel): BarrierView {
  const u = (f: string) => b.readUInt32LE(o[f] as number);
  const count = u('count');
  const round = u('current_round');
  const inn = u('in');
  const shared = b.readInt32LE(o.shared as number);
  return {
    pshared: shared !== 0,
    count,
    round,
    arrived: inn - round,
    plausible: count > 0 && count < 1 << 24 && round % count === 0 && inn >= round && (shared === 0 || shared === 128),
    lines: [`count = ${count}, current_round = ${round}, in = ${inn} (${inn - round} of ${count} arrived in this round), shared = ${shared}: ${shared ? 'process-shared' : 'process-private'}`],
  };
}
