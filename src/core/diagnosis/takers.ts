// Who holds a semaphore used as a lock, in a traced program (soak --trace):
// the threads the trace saw take it (a wait or trywait that succeeded) and not
// post it since. A semaphore is named the way every process sees it — the
// object it lives in and its offset (primitives.ts mappingRef) — so a taker in
// one process and a waiter in another meet on one key. A taker whose process
// is gone (killed holding it) has no maps left to name it by: it is matched by
// its address to a live traced process that used a semaphore at the same
// address, which a mapping inherited at fork keeps, and the match is said.
import { findMapping, type MapEntry } from '../procfs/decode.js';
import type { TracedPrimitive } from './input.js';
import { mappingRef } from './primitives.js';
import type { WakerRef } from './types.js';

export interface Taker extends WakerRef {
  /** The call it took the semaphore with ("sem_wait", "sem_trywait"). */
  call: string;
  /** Its process was gone: matched by address to a live process's semaphore. */
  byAddress: boolean;
}

export function takersByKey(traced: TracedPrimitive[], mapsOf: Map<number, MapEntry[]>): Map<string, Taker[]> {
  const keyOf = (p: TracedPrimitive) => {
    const mapping = findMapping(mapsOf.get(p.pid) ?? [], p.addr);
    return mapping ? mappingRef(p.pid, mapping, p.addr).key : null;
  };
  // Semaphores of live processes by address, for takers whose process left no maps.
  const byAddr = new Map<bigint, string>();
  for (const p of traced) {
    if (p.kind !== 'sem' || !mapsOf.has(p.pid)) continue;
    const k = keyOf(p);
    if (k) byAddr.set(p.addr, k);
  }
  const out = new Map<string, Taker[]>();
  for (const p of traced) {
    if (!p.takenBy?.length) continue;
    const own = keyOf(p);
    const key = own ?? (mapsOf.has(p.pid) ? null : (byAddr.get(p.addr) ?? null));
    if (!key) continue;
    const takers = p.takenBy.map((tid) => ({ pid: p.pid, tid, call: p.takenWith?.[tid] ?? 'sem_wait', byAddress: own === null }));
    out.set(key, [...(out.get(key) ?? []), ...takers]);
  }
  return out;
}
