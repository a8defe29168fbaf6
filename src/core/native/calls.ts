// An intercepted call's record (the preload library writes the MVar's own
// records for pthread and semaphore calls) as a person and the diagnosis
// read it: which C function an op is, which kind of primitive it is on, and
// one transition in words.
import { constants } from 'node:os';
import type { TraceEvent } from './layout.js';
import { hex } from '../system/hex.js';

export type PrimitiveKind = 'mutex' | 'cond' | 'sem';

/** errno value -> name; where two names share a value (EAGAIN, EWOULDBLOCK) the first, which is the one the man pages give. */
const errnoName = new Map<number, string>();
for (const [k, v] of Object.entries(constants.errno)) if (!errnoName.has(v)) errnoName.set(v, k);

/** One transition as a person reads it: "cond-timedwait wait-timeout ETIMEDOUT 0x7f12…000 (mutex 0x7f12…040), deadline 50 ms". */
export function describeCall(e: TraceEvent): string {
  const code = e.rc > 0 ? ` ${errnoName.get(e.rc) ?? `rc ${e.rc}`}` : e.rc < 0 ? ` ${errnoName.get(e.err) ?? `errno ${e.err}`}` : '';
  const aux = e.aux && e.op.startsWith('cond-') && e.phase !== 'signalled' ? ` (mutex ${hex(e.aux)})` : '';
  const dl = e.deadlineMs ? `, deadline ${e.deadlineMs} ms` : '';
  return `${e.op} ${e.phase}${code} ${hex(e.value)}${aux}${dl}`;
}

/** The primitive kind an intercepted call is on ("cond-timedwait" -> cond); null for the MVar's own ops. */
export function kindOfOp(op: string): PrimitiveKind | null {
  const k = op.split('-')[0];
  return k === 'mutex' || k === 'cond' || k === 'sem' ? k : null;
}

/** The C function an op records: "cond-timedwait" -> "pthread_cond_timedwait", "sem-wait" -> "sem_wait". */
export function callName(op: string): string {
  const c = op.replace('-', '_');
  return c.startsWith('sem_') ? c : `pthread_${c}`;
}

