// The sweep of leftover segments removes only what is provably stale: ours
// (same user), an mvar-repro header, and no creator holding its lock. Real
// files in /dev/shm, a real flock holder, a real other user where allowed.
import { execa, type ResultPromise } from 'execa';
import { chownSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Segment } from '../../../src/core/native/segment.js';
import { sweepStaleSegments } from '../../../src/core/run/stale-segments.js';

const made: string[] = [];
const holders: ResultPromise[] = [];
const killGroup = (h: ResultPromise) => {
  try {
    process.kill(-h.pid!, 'SIGKILL');
  } catch {
    // gone
  }
};
afterAll(async () => {
  for (const h of holders) killGroup(h);
  await Promise.allSettled(holders);
  for (const n of made)
    try {
      unlinkSync(`/dev/shm/${n}`);
    } catch {
      // swept, as it should have been
    }
});

/** A leftover with a real segment's bytes (or others), under an mvar-repro name. */
function leftover(pid: number, bytes?: Buffer): string {
  const seg = Segment.create({ variant: 'fixed', nslaves: 1, rounds: 1 });
  const real = readFileSync(seg.openPath);
  seg.close();
  const name = `mvar-repro-${pid}-${randomBytes(8).toString('hex')}`;
  writeFileSync(`/dev/shm/${name}`, bytes ?? real, { mode: 0o600 });
  made.push(name);
  return name;
}

// A pid no process has (the kernel's pid_max is at most 2^22).
const DEAD = 4_194_303;

describe('sweepStaleSegments', () => {
  it('removes an unlocked leftover of ours, whatever pid its name carries', () => {
    const dead = leftover(DEAD);
    const live = leftover(process.pid); // a pid alive here proves nothing: names may come from another PID namespace
    const r = sweepStaleSegments();
    expect(r.removed).toEqual(expect.arrayContaining([dead, live]));
    expect(existsSync(`/dev/shm/${dead}`)).toBe(false);
    expect(existsSync(`/dev/shm/${live}`)).toBe(false);
  });

  it('leaves a segment whose creator still holds its lock, though the pid in its name is gone', async () => {
    const name = leftover(DEAD);
    // flock(1) takes the lock and keeps it while sleep runs; its own process group, so both die together.
    const holder = execa('flock', ['-x', `/dev/shm/${name}`, 'sleep', '30'], { reject: false, detached: true });
    holders.push(holder);
    await new Promise((r) => setTimeout(r, 200));
    const r = sweepStaleSegments();
    expect(r.removed).not.toContain(name);
    expect(r.kept[name]).toMatch(/creator still holds its lock/);
    expect(existsSync(`/dev/shm/${name}`)).toBe(true);
    killGroup(holder);
    await holder;
    expect(sweepStaleSegments().removed).toContain(name);
  });

  it('leaves a file with our kind of name but no mvar-repro header', () => {
    const name = leftover(DEAD, Buffer.alloc(4096));
    const r = sweepStaleSegments();
    expect(r.kept[name]).toMatch(/no mvar-repro header/);
    expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('run as root, leaves another user’s segment alone', () => {
    const name = leftover(DEAD);
    chownSync(`/dev/shm/${name}`, 65534, 65534);
    const r = sweepStaleSegments();
    expect(r.kept[name]).toMatch(/owned by uid 65534, not by this user/);
    expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  });
});
