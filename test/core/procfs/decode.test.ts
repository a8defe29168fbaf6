// /proc decoders on text recorded from real processes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProbeLog } from '../../../src/core/diagnosis/probe/recorded.js';
import { blockerOf, fdAccess, parseLocks } from '../../../src/core/procfs/decode.js';

const flock = JSON.parse(readFileSync(new URL('../../fixtures/diagnosis/flock-deadlock.json', import.meta.url), 'utf8')) as { pids: number[]; probe: ProbeLog };

describe('parseLocks', () => {
  it('reads the /proc/locks of a real flock deadlock: two held locks, each with the other process blocked on it', () => {
    const [a, b] = flock.pids as [number, number];
    const locks = parseLocks(flock.probe.fileLocks ?? null).filter((l) => l.pid === a || l.pid === b);
    const held = locks.filter((l) => l.depth === 0);
    const waiting = locks.filter((l) => l.depth === 1);
    expect(held.map((l) => l.pid).sort()).toEqual([a, b].sort());
    expect(waiting.map((l) => l.pid).sort()).toEqual([a, b].sort());
    for (const w of waiting) {
      const blocker = blockerOf(locks, w)!;
      expect(blocker.pid).not.toBe(w.pid);
      expect(blocker.file).toBe(w.file);
      expect(w).toMatchObject({ type: 'FLOCK', access: 'WRITE' });
    }
  });

  it('ignores lines it does not know', () => {
    expect(parseLocks('garbage\n\n')).toEqual([]);
    expect(parseLocks(null)).toEqual([]);
  });
});

describe('fdAccess', () => {
  it('reads O_ACCMODE from fdinfo flags (octal)', () => {
    expect(fdAccess('0100000')).toBe('read');
    expect(fdAccess('01')).toBe('write');
    expect(fdAccess('02000002')).toBe('read-write');
    expect(fdAccess(null)).toBeNull();
  });
});
