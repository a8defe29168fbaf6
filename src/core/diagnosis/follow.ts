// Which processes to inspect besides those given: the wait-for graph,
// followed. A user has one pid; the hang is usually a cycle through others —
// the child it waits for, the holder of a pipe's other end or of a lock, the
// owner of a mutex, the processes mapping the futex's memory, the thread a
// lock was copied from at fork — and the rest of the given processes' trees.
// Each round inspects the processes found so far
// once (one /proc sample), asks every blocked thread's wait module who could
// end it, and adds the live ones not yet inspected, each with the reason it was
// added. Bounded: at most MAX_FOLLOWED processes added, in MAX_ROUNDS rounds,
// nearest first (breadth first), so a shared mapping of a thousand processes
// cannot turn one question into a survey of the machine.
import { captureProc, type ProcRaw } from '../procfs/capture.js';
import type { Layout } from '../native/layout.js';
import { analyze } from './analyze.js';
import type { Probe } from './probe/probe.js';
import type { Diagnosis, WakerRef } from './types.js';

/** Processes added at most (documented in the README's diagnose section). */
export const MAX_FOLLOWED = 64;
/** Rounds of following: a cycle of four hops is found from any of its processes. */
export const MAX_ROUNDS = 4;

export interface Followed {
  pid: number;
  /** Why it was added: whose wait it could end, on what. */
  reason: string;
}

type Analysis = Omit<Diagnosis, 'stacks'>;

/** Every live descendant of the given processes (not themselves), from the probe's one read of the process table. */
function treesOf(pids: number[], probe: Probe): { pid: number; root: number }[] {
  const given = new Set(pids);
  const out: { pid: number; root: number }[] = [];
  const seen = new Set(pids);
  for (const root of pids) {
    const queue = [...probe.children(root)];
    while (queue.length) {
      const pid = queue.shift()!;
      if (seen.has(pid) || given.has(pid)) continue;
      seen.add(pid);
      out.push({ pid, root });
      queue.push(...probe.children(pid));
    }
  }
  return out;
}

/** Every process a wait refers to, with why: its wakers, who took it, whom it was copied from, its last operator. */
function referenced(d: Analysis, label: (pid: number) => string): Followed[] {
  const out: Followed[] = [];
  for (const p of d.processes)
    for (const t of p.threads) {
      const w = t.wait;
      if (!w) continue;
      const whose = `${label(p.pid)}${p.threads.length > 1 ? ` thread ${t.tid}` : ''}`;
      const refs: [WakerRef | undefined, string][] = [
        ...(w.wakers ?? []).map((x): [WakerRef, string] => [x, `could end the wait of ${whose} on ${w.on} (${w.wakersAre})`]),
        ...(w.takenBy ?? []).map((x): [WakerRef, string] => [x, `took the semaphore ${whose} waits on (${w.on})`]),
        [w.copiedFrom, `its thread held the lock ${whose} waits on when fork() copied it`],
        [w.lastOperator, `last operated on what ${whose} waits on (${w.on})`],
      ];
      for (const [ref, reason] of refs) if (ref && ref.pid > 0) out.push({ pid: ref.pid, reason });
    }
  return out;
}

/**
 * The processes to add to `pids`, with reasons, and the capture of each
 * process inspected on the way (a diagnosis's first sample). `probe` answers
 * for the live system (one probe across rounds: its scans are made once).
 */
export function followWaits(pids: number[], probe: Probe, layout: Layout, glibcVersion: string, exclude: Set<number>): { followed: Followed[]; captures: Map<number, ProcRaw> } {
  const added: Followed[] = [];
  const inspected = new Set(pids);
  let frontier = [...pids];
  const captures = new Map<number, ProcRaw>();
  const label = (pid: number) => {
    const comm = captures.get(pid)?.comm;
    return comm ? `pid ${pid} (${comm})` : `pid ${pid}`;
  };
  for (let round = 0; round < MAX_ROUNDS && frontier.length && added.length < MAX_FOLLOWED; round++) {
    for (const pid of frontier) if (!captures.has(pid)) captures.set(pid, captureProc(pid));
    const d = analyze({ layout, glibcVersion, samples: [[...inspected].map((pid) => captures.get(pid)!)], probe, observers: [...exclude] });
    frontier = [];
    // What the waits lead to first; then, once, the rest of the given processes' trees (a program's top pid is what a user has).
    const tree = round === 0 ? treesOf(pids, probe).map((c) => ({ pid: c.pid, reason: `a descendant of ${label(c.root)}` })) : [];
    for (const ref of [...referenced(d, label), ...tree]) {
      if (inspected.has(ref.pid) || exclude.has(ref.pid) || added.length >= MAX_FOLLOWED) continue;
      if (!probe.thread(ref.pid).alive) continue;
      inspected.add(ref.pid);
      added.push(ref);
      frontier.push(ref.pid);
    }
  }
  return { followed: added, captures };
}
