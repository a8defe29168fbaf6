// The lock-order graph across processes, from every process's edges
// (native/preload/lockdep.c): a node per lock id (the same lock in every
// process that maps it), an edge A -> B when a thread took B while holding
// A. A cycle means the threads that made its edges can each hold one lock
// and wait for the next: a deadlock the run did not need to hit. A cycle is
// reported only when its edges can be taken at once, which lockdep and
// ThreadSanitizer do not ask (their users' false alarms, google/sanitizers
// #814, #1419, #488):
//   - by distinct threads, one per edge (a thread that takes A then B, and
//     later B then A, cannot deadlock with itself);
//   - with no exclusive lock held around every one of them (a gate lock);
//   - where each lock really blocks its waiter: not two read holds, and not
//     two threads of one process on a POSIX record lock, which the process
//     owns;
//   - only through semaphores used as locks: taken and posted by the same
//     thread, never posted by another.
// Pure: lines in, cycles out, so recorded lines replay in unit tests.
import type { CodeSite, EdgeLine, LibraryLines, LockLine } from './lines.js';

/** One edge of a reported cycle, as the thread that made it: holding `held`, it took `wants`. */
export interface CycleHop {
  held: string;
  wants: string;
  pid: number;
  tid: number;
  heldAt: CodeSite;
  /** The call that took `wants`, then the functions above it. */
  wantsAt: CodeSite[];
  heldMode: 'read' | 'write';
  wantsMode: 'read' | 'write';
  timed: boolean;
}

export interface LockCycle {
  /** Lock ids in cycle order, from the lock the first-created thread of the cycle holds. */
  locks: string[];
  hops: CycleHop[];
}

/** One edge of the graph: a pair of call sites, merged over the processes that took it (gates as a set, to intersect). */
type Edge = Omit<EdgeLine, 'event' | 'pid' | 'gates'> & { gates: Set<string> };

/** Longest cycle looked for, and how many are examined: bounds on a program with thousands of locks. */
const MAX_CYCLE = 4;
const MAX_CYCLES = 2000;
/** Per hop, the edges tried together; beyond that a cycle's first feasible choice may be missed (never a false one). */
const MAX_CHOICES = 4096;

const siteKey = (s: CodeSite) => `${s.module}\u0000${s.addr}`;

/** Edges merged by (from, to, both sites): threads united, gates intersected (a gate must hold every time). */
function mergeEdges(lines: EdgeLine[]): Edge[] {
  const byKey = new Map<string, Edge>();
  for (const l of lines) {
    const k = `${l.from}|${l.to}|${siteKey(l.fromSite)}|${siteKey(l.toSite)}`;
    const e = byKey.get(k);
    if (!e) {
      const { event: _event, pid: _pid, ...edge } = l;
      byKey.set(k, { ...edge, threads: [...l.threads], gates: new Set(l.gates) });
      continue;
    }
    for (const t of l.threads) if (!e.threads.some((x) => x[0] === t[0] && x[1] === t[1])) e.threads.push(t);
    for (const g of [...e.gates]) if (!l.gates.includes(g)) e.gates.delete(g);
    e.timed &&= l.timed;
  }
  return [...byKey.values()];
}

/** Semaphores that behave as locks: posted by a thread that had taken them, and never by one that had not. */
function semaphoreLocks(lines: LibraryLines): { isLock: (id: string) => boolean } {
  const holder = new Set(lines.semPosts.filter((p) => p.holder).map((p) => p.sem));
  const other = new Set(lines.semPosts.filter((p) => !p.holder).map((p) => p.sem));
  const kinds = new Map<string, string>();
  for (const l of lines.locks) if (!kinds.has(l.id)) kinds.set(l.id, l.kind);
  return { isLock: (id) => kinds.get(id) !== 'sem' || (holder.has(id) && !other.has(id)) };
}

/** Simple cycles of up to MAX_CYCLE nodes, each once (from its smallest node). */
function cycles(adj: Map<string, Set<string>>): string[][] {
  const out: string[][] = [];
  const nodes = [...adj.keys()].sort();
  for (const start of nodes) {
    const path = [start];
    const walk = (n: string) => {
      for (const m of adj.get(n) ?? []) {
        if (out.length >= MAX_CYCLES) return;
        if (m === start) out.push([...path]);
        else if (m > start && !path.includes(m) && path.length < MAX_CYCLE) {
          path.push(m);
          walk(m);
          path.pop();
        }
      }
    };
    walk(start);
  }
  return out;
}

/**
 * Threads for the hops, one each and all distinct, such that every lock of
 * the cycle blocks its waiter: not read against read, not two threads of one
 * process on a lock its process owns. Null when there is none.
 */
function assignThreads(hops: Edge[]): [number, number][] | null {
  const chosen: [number, number][] = [];
  const blocks = (i: number, t: [number, number]): boolean => {
    // Hop i holds lock L = hops[i].from, which hop i-1 wants.
    const prev = (i + hops.length - 1) % hops.length;
    const holder = hops[i]!, waiter = hops[prev]!;
    if (holder.fromMode === 'read' && waiter.toMode === 'read') return false;
    const other = i === 0 ? null : chosen[prev];
    return !(holder.fromProcessOwned && other && other[0] === t[0]);
  };
  const pick = (i: number): boolean => {
    if (i === hops.length) {
      // The first hop's lock is wanted by the last hop: check that pair now both are chosen.
      const first = hops[0]!, last = hops[hops.length - 1]!;
      if (first.fromMode === 'read' && last.toMode === 'read') return false;
      return !(first.fromProcessOwned && chosen[0]![0] === chosen[hops.length - 1]![0]);
    }
    for (const t of hops[i]!.threads) {
      if (chosen.some((c) => c[0] === t[0] && c[1] === t[1]) || !blocks(i, t)) continue;
      chosen.push(t);
      if (pick(i + 1)) return true;
      chosen.pop();
    }
    return false;
  };
  return pick(0) ? chosen : null;
}

/** A choice of one edge per hop that can deadlock: no common gate, threads assignable; untimed waits first. */
function feasible(options: Edge[][]): { hops: Edge[]; threads: [number, number][] } | null {
  let tried = 0;
  for (const timedAllowed of [false, true]) {
    const choice: Edge[] = [];
    let found: { hops: Edge[]; threads: [number, number][] } | null = null;
    const walk = (i: number, gates: Set<string> | null): void => {
      if (found || tried > MAX_CHOICES) return;
      if (i === options.length) {
        tried++;
        if (gates && gates.size) return;
        const threads = assignThreads(choice);
        if (threads) found = { hops: [...choice], threads };
        return;
      }
      for (const e of options[i]!) {
        if (e.timed && !timedAllowed) continue;
        const common = gates === null ? new Set(e.gates) : new Set([...gates].filter((g) => e.gates.has(g)));
        choice.push(e);
        walk(i + 1, common);
        choice.pop();
      }
    };
    walk(0, null);
    if (found) return found;
  }
  return null;
}

/** Every cycle of the graph that can deadlock, each with the edges and threads that show it. */
export function lockCycles(lines: LibraryLines): LockCycle[] {
  const sems = semaphoreLocks(lines);
  const edges = mergeEdges(lines.edges).filter((e) => e.from !== e.to && sems.isLock(e.from) && sems.isLock(e.to));
  const adj = new Map<string, Set<string>>();
  const between = new Map<string, Edge[]>();
  for (const e of edges) {
    adj.set(e.from, (adj.get(e.from) ?? new Set()).add(e.to));
    const k = `${e.from}|${e.to}`;
    between.set(k, [...(between.get(k) ?? []), e]);
  }
  const out: LockCycle[] = [];
  for (const locks of cycles(adj)) {
    const options = locks.map((l, i) => between.get(`${l}|${locks[(i + 1) % locks.length]}`) ?? []);
    const f = feasible(options);
    if (!f) continue;
    const hops = f.hops.map((e, i) => ({
        held: e.from,
        wants: e.to,
        pid: f.threads[i]![0],
        tid: f.threads[i]![1],
        heldAt: e.fromSite,
        wantsAt: [e.toSite, ...e.toCallers],
        heldMode: e.fromMode,
        wantsMode: e.toMode,
        timed: e.timed,
      }));
    // Told from the first-created thread (the parent's, usually): a cycle reads the same whichever lock id is smallest.
    const first = hops.reduce((b, h, i) => (h.pid < hops[b]!.pid || (h.pid === hops[b]!.pid && h.tid < hops[b]!.tid) ? i : b), 0);
    out.push({ locks: [...locks.slice(first), ...locks.slice(0, first)], hops: [...hops.slice(first), ...hops.slice(0, first)] });
  }
  return out;
}

/** Where each lock id lives, from the first process that said (the same lock in every process). */
export function lockPlaces(locks: LockLine[]): Map<string, LockLine> {
  const m = new Map<string, LockLine>();
  for (const l of locks) if (!m.has(l.id)) m.set(l.id, l);
  return m;
}
