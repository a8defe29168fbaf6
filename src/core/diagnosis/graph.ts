// The wait-for graph's verdicts: which blocked threads are stuck for good,
// and the cycles among them. A greatest fixpoint: start by supposing every
// thread in an untimed wait with known wakers is stuck, then release any
// thread that some waker could still wake — a waker that lives and is not
// itself supposed stuck (running, in a timed wait, stopped but continuable,
// woken between samples, outside the inspected set but alive, or unreadable).
// Repeat until nothing changes; whoever is left can never be woken. A thread
// whose wakers are unknown is never supposed stuck, so nothing is ever
// called stuck on a guess.
import type { ThreadActivity, WakerRef } from './types.js';
import type { WaitFacts } from './waits/types.js';

export interface GraphThread {
  pid: number;
  tid: number;
  activity: ThreadActivity;
  wait: WaitFacts | null;
}

export interface Graph {
  stuck: Set<GraphThread>;
  /** Whether a waker could still run and end a wait (after the fixpoint: it is not stuck for good, and lives). */
  canWake(w: WakerRef): boolean;
  /** Cycles of stuck threads through resources with definite holders (or semaphores the trace saw taken and not given back), each from its smallest (pid, tid). */
  cycles: GraphThread[][];
}

/** alive(pid, tid): liveness of a waker outside the inspected set. */
export function solve(threads: GraphThread[], alive: (w: WakerRef) => boolean): Graph {
  const byPid = new Map<number, GraphThread[]>();
  for (const t of threads) byPid.set(t.pid, [...(byPid.get(t.pid) ?? []), t]);
  const matches = (w: WakerRef) => (byPid.get(w.pid) ?? []).filter((t) => w.tid === null || t.tid === w.tid);

  const stuck = new Set(threads.filter((t) => t.activity === 'blocked' && t.wait && !t.wait.timed && t.wait.wakers !== null));
  const canWake = (w: WakerRef): boolean => {
    const inspected = matches(w);
    if (!byPid.has(w.pid)) return alive(w);
    return inspected.some((t) => !stuck.has(t) && t.activity !== 'dead');
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const t of stuck)
      if (t.wait!.wakers!.some(canWake)) {
        stuck.delete(t);
        changed = true;
      }
  }
  return { stuck, canWake, cycles: cyclesOf(stuck, matches) };
}

/** Who holds what a thread waits on: a definite wait's wakers, a semaphore's takers; null when nobody does. */
const holdersOf = (t: GraphThread): WakerRef[] | null => (t.wait?.definite ? t.wait.wakers : (t.wait?.takenBy ?? null));

/**
 * Each stuck thread with a holder points at one stuck holder; cycles of that
 * function. Every thread in them is already stuck for good (the fixpoint, on
 * all its wakers): a semaphore's takers only say who, of those, is expected
 * to give it back.
 */
function cyclesOf(stuck: Set<GraphThread>, matches: (w: WakerRef) => GraphThread[]): GraphThread[][] {
  const next = new Map<GraphThread, GraphThread>();
  for (const t of stuck) {
    // A taker waiting on the very semaphore it took is counting with it (a consumer), not holding it.
    const holders = (holdersOf(t) ?? []).flatMap(matches).filter((h) => stuck.has(h) && h !== t && (t.wait!.definite || h.wait?.key !== t.wait!.key));
    // Prefer a holder that itself waits on a held resource: that is where a cycle runs.
    const h = holders.find((x) => holdersOf(x)) ?? holders[0];
    if (h) next.set(t, h);
  }
  const order = (a: GraphThread, b: GraphThread) => a.pid - b.pid || a.tid - b.tid;
  const seen = new Set<string>();
  const out: GraphThread[][] = [];
  for (const start of [...next.keys()].sort(order)) {
    const path: GraphThread[] = [];
    let cur: GraphThread | undefined = start;
    while (cur && !path.includes(cur)) {
      path.push(cur);
      cur = next.get(cur);
    }
    if (!cur) continue;
    const cycle = path.slice(path.indexOf(cur));
    const first = [...cycle].sort(order)[0]!;
    const i = cycle.indexOf(first);
    const ordered = [...cycle.slice(i), ...cycle.slice(0, i)];
    const key = ordered.map((t) => `${t.pid}:${t.tid}`).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(ordered);
  }
  return out;
}
