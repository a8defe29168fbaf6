// Which processes share one address space (made by clone(CLONE_VM) or vfork
// from one another), asked of the kernel with kcmp(KCMP_VM). kcmp orders
// address spaces (0 same, 1 before, 2 after), so each process is placed once
// among the address spaces already seen, by binary search: a diagnosis of N
// processes asks O(N log N) times, not once per pair (a 500-process hang, every
// one of them a candidate for every other, would be 125,000 questions).
//
// Where the kernel will not say (kcmp needs ptrace access to both), two
// processes whose memory counters (/proc/PID/status Vm*, Rss*, readable by
// anyone) match are counted as sharing: they may, and a waker too many only
// costs a proof, where one too few could make one false.
import { readFileSync } from 'node:fs';
import { addon } from '../../native/addon.js';

export class AddressSpaces {
  /** One process of each address space placed so far, in kcmp's order. */
  private readonly order: number[] = [];
  /** The representative in `order` of each process placed; null: the kernel would not say. */
  private readonly space = new Map<number, number | null>();

  /** Which of `candidates` share pid's address space, or may. */
  sharers(pid: number, candidates: number[]): number[] {
    const mine = this.placed(pid);
    return candidates.filter((c) => {
      if (c === pid) return false;
      const theirs = this.placed(c);
      if (mine !== null && theirs !== null) return mine === theirs;
      const a = this.counters(pid);
      return a !== null && a === this.counters(c);
    });
  }

  private readonly read = new Map<number, string | null>();
  private counters(pid: number): string | null {
    if (!this.read.has(pid)) this.read.set(pid, counters(pid));
    return this.read.get(pid)!;
  }

  private placed(pid: number): number | null {
    if (!this.space.has(pid)) this.space.set(pid, this.place(pid));
    return this.space.get(pid)!;
  }

  /** Binary search of kcmp's order: the representative of pid's address space, a new one if none matches. */
  private place(pid: number): number | null {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const rep = this.order[mid]!;
      const c = kcmpVm(pid, rep);
      if (c === null) return null;
      if (c === 0) return rep;
      if (c === 1) hi = mid;
      else lo = mid + 1;
    }
    if (kcmpVm(pid, pid) === null) return null;
    this.order.splice(lo, 0, pid);
    return pid;
  }
}

function kcmpVm(a: number, b: number): 0 | 1 | 2 | null {
  try {
    return addon().kcmpVm(a, b);
  } catch {
    return null; // arguments the addon refused: as if the kernel had
  }
}

/** The memory counters of a process's address space, or null when unreadable. */
function counters(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/status`, 'utf8').match(/^(Vm|Rss)\w+:.*$/gm)?.join('\n') ?? null;
  } catch {
    return null;
  }
}
