// Leftover segments in /dev/shm. The C core unlinks a segment's name as soon
// as it exists, so a run leaves none however it dies; what can be here is
// debris of a crash in that microsecond, of older versions, or somebody
// else's. A segment is removed only when that is provably safe: owned by this
// user, an mvar-repro header, and no creator holds its lock (the creator
// keeps an exclusive flock for the segment's life). Pids in names prove
// nothing (another PID namespace may share /dev/shm), so they are not used.
// Any user can put a FIFO, a device, a symlink or a file of their own under
// our kind of name: the C core (native/sweep.c) checks an entry's type and
// owner before it opens it, opens it non-blocking without following links,
// and checks the descriptor again, so no entry can make the sweep wait or
// act on somebody else's file. Runs at the start of every loop.
import { readdirSync } from 'node:fs';
import { addon } from '../native/addon.js';

const NAME = /^mvar-repro-\d+-[0-9a-f]{16}$/;

export interface Sweep {
  removed: string[];
  /** name -> why it was left alone. */
  kept: Record<string, string>;
}

export function sweepStaleSegments(dir = '/dev/shm'): Sweep {
  const out: Sweep = { removed: [], kept: {} };
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names.filter((x) => NAME.test(x))) {
    try {
      const r = addon().sweepSegment(n, dir);
      if (r.removed) out.removed.push(n);
      else out.kept[n] = r.reason;
    } catch (e) {
      out.kept[n] = (e as Error).message; // gone meanwhile, or not ours to open
    }
  }
  return out;
}
