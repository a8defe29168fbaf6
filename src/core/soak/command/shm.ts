// What a soaked command leaves in /dev/shm: this user's objects that
// appeared while it ran, are still there after it, and that the command's own
// processes were seen holding open or mapping. Named in the report, never
// removed (they are the program's). An object that merely appeared meanwhile
// is not attributed: another job of the same user may have made it. Ours are
// left out: they never outlive a run.
//
// The tree is looked at while it runs, soon after it starts and then less and
// less often (SAMPLE_AT_MS, then every SAMPLE_EVERY_MS), and at a hang from the
// capture the diagnosis made; a program that makes an object and exits before
// the first look is not seen, and its object is not named.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import type { ProcRaw } from '../../procfs/capture.js';
import { treePids } from './tree.js';

/** When the tree is looked at (ms after it started), then how often. */
const SAMPLE_AT_MS = [10, 30, 80, 200, 500];
const SAMPLE_EVERY_MS = 1000;
/** Processes of a large tree looked at, at most, each time. */
const MAX_PROCESSES = 64;

const SHM = '/dev/shm/';
const nameOf = (path: string): string | null => (path.startsWith(SHM) ? basename(path.replace(/ \(deleted\)$/, '')) : null);

/** /dev/shm names pid holds open or maps. */
function heldBy(pid: number): string[] {
  const out: string[] = [];
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const n = nameOf(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (n) out.push(n);
      } catch {
        // closed meanwhile
      }
    }
    for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const at = line.indexOf(SHM);
      const n = at >= 0 ? nameOf(line.slice(at)) : null;
      if (n) out.push(n);
    }
  } catch {
    // gone, or not ours to read
  }
  return out;
}

export class ShmWatch {
  private readonly before = new Set(ShmWatch.names());
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  private static names(): string[] {
    try {
      return readdirSync('/dev/shm').filter((n) => !n.startsWith('mvar-repro-'));
    } catch {
      return [];
    }
  }

  /** Looks at the command's tree now and then until stop(). */
  watch(shim: number | null): void {
    if (shim === null) return;
    let k = 0;
    const t0 = performance.now();
    const next = () => {
      const at = SAMPLE_AT_MS[k] ?? SAMPLE_AT_MS.at(-1)! + SAMPLE_EVERY_MS * (k - SAMPLE_AT_MS.length + 1);
      k++;
      this.timer = setTimeout(
        () => {
          this.see(treePids(shim));
          next();
        },
        Math.max(0, at - (performance.now() - t0)),
      );
    };
    next();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Notes what these processes hold; a capture (a hang's) counts too. */
  see(pids: number[], captures: ProcRaw[] = []): void {
    for (const pid of pids.slice(0, MAX_PROCESSES)) for (const n of heldBy(pid)) this.seen.add(n);
    for (const c of captures) {
      for (const fd of c.fds ?? []) {
        const n = nameOf(fd.target);
        if (n) this.seen.add(n);
      }
      for (const line of (c.maps ?? '').split('\n')) {
        const at = line.indexOf(SHM);
        const n = at >= 0 ? nameOf(line.slice(at)) : null;
        if (n) this.seen.add(n);
      }
    }
  }

  leftBehind(): string[] {
    this.stop();
    const uid = process.getuid?.();
    return ShmWatch.names().filter((n) => {
      if (this.before.has(n) || !this.seen.has(n)) return false;
      try {
        return lstatSync(`/dev/shm/${n}`).uid === uid;
      } catch {
        return false;
      }
    });
  }
}
