// Segments left by a CLI that was SIGKILLed before it could unlink them: the
// creator's pid is in the name, so a segment whose creator is gone is ours to
// remove. Run at the start of every loop.
import { readdirSync, unlinkSync } from 'node:fs';
import { processAlive } from '../procfs/capture.js';

const NAME = /^mvar-repro-(\d+)-[0-9a-f]{16}$/;

export function sweepStaleSegments(dir = '/dev/shm'): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = NAME.exec(n);
    if (!m || processAlive(Number(m[1]))) continue;
    try {
      unlinkSync(`${dir}/${n}`);
      removed.push(n);
    } catch {
      // someone else's, or already gone
    }
  }
  return removed;
}
