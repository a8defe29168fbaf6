// The sweep of leftover segments removes only what is provably stale: ours
// (same user), an mvar-repro header, and no creator holding its lock. Real
// files in /dev/shm, a real flock holder, a real other user where allowed.
import { execa, type ResultPromise } from 'execa';
import { chownSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Segment } from '../../../src/core/native/segment.js';
import { sweepStaleSegments } from '../../../src/core/run/stale-segments.js';
import { CLI, descendants, privateShm, ROOT, tmp, until } from '../../helpers.js';

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

/** The sweep of `dir` in a process of its own, so that a sweep that blocks fails the test instead of hanging it. */
async function sweepInChild(dir: string) {
  const code = `import(${JSON.stringify(`${ROOT}/dist/core/run/stale-segments.js`)}).then((m) => console.log(JSON.stringify(m.sweepStaleSegments(${JSON.stringify(dir)}))))`;
  const r = await execa(process.execPath, ['-e', code], { reject: false, timeout: 10_000 });
  expect(r.timedOut, 'the sweep blocked').toBe(false);
  expect(r.exitCode, String(r.stderr)).toBe(0);
  return JSON.parse(String(r.stdout)) as ReturnType<typeof sweepStaleSegments>;
}

describe('hostile entries named like segments', () => {
  // Anyone can create these in /dev/shm; a folder of the test's own stands in for it.
  it('leaves a FIFO, a device, a symlink, a folder and a file without our header alone, opening none of them blocking', async () => {
    const dir = tmp();
    const name = (i: number) => `mvar-repro-${i}-${'0'.repeat(16)}`;
    await execa('mkfifo', [join(dir, name(1))]);
    symlinkSync('/etc/passwd', join(dir, name(2)));
    const device = await execa('mknod', [join(dir, name(3)), 'c', '1', '5'], { reject: false }); // /dev/zero's numbers
    mkdirSync(join(dir, name(4)));
    writeFileSync(join(dir, name(5)), Buffer.alloc(100));
    const r = await sweepInChild(dir);
    expect(r.removed).toEqual([]);
    expect(r.kept[name(1)]).toMatch(/a FIFO/);
    expect(r.kept[name(2)]).toMatch(/a symbolic link/);
    if (device.exitCode === 0) expect(r.kept[name(3)]).toMatch(/a character device/);
    expect(r.kept[name(4)]).toMatch(/a directory/);
    expect(r.kept[name(5)]).toMatch(/no mvar-repro header/);
    for (const i of [1, 2, 4, 5]) expect(lstatSync(join(dir, name(i)))).toBeTruthy();
    expect(readFileSync('/etc/passwd', 'utf8')).toMatch(/^root:/);
  });

  it.skipIf(process.getuid?.() !== 0)('run as root, leaves another user’s file with a real segment’s bytes alone', async () => {
    const dir = tmp();
    const seg = Segment.create({ variant: 'fixed', nslaves: 1, rounds: 1 });
    const bytes = readFileSync(seg.openPath);
    seg.close();
    const file = join(dir, `mvar-repro-7-${'0'.repeat(16)}`);
    writeFileSync(file, bytes);
    chownSync(file, 65534, 65534);
    const r = await sweepInChild(dir);
    expect(r.kept[`mvar-repro-7-${'0'.repeat(16)}`]).toMatch(/owned by uid 65534/);
    expect(existsSync(file)).toBe(true);
  });

  it('a run beside a FIFO named like a stale segment in /dev/shm completes, and SIGTERM still stops a run', async (ctx) => {
    const shm = await privateShm('16m');
    if ('skip' in shm) return ctx.skip(shm.skip);
    const fifo = `/dev/shm/mvar-repro-1-${'0'.repeat(16)}`;
    const inNs = (args: string) => [...shm.prefix.slice(1), 'sh', '-c', `mkfifo ${fifo} && exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${args}`];
    const done = await execa(shm.prefix[0]!, inNs(`run 2 --variant fixed --report-dir ${tmp()}`), { reject: false, timeout: 30_000, env: { NO_COLOR: '1' } });
    expect(done.timedOut, 'the run hung on the FIFO').toBe(false);
    expect(done.exitCode, String(done.stderr)).toBe(0);
    // A run that would wait 60 s for its deadline: SIGTERM ends it at once.
    const long = execa(shm.prefix[0]!, inNs(`run 2 --fault stop-slave --no-early --timeout 60s --report-dir ${tmp()}`), { reject: false, timeout: 30_000, env: { NO_COLOR: '1' } });
    // unshare and both shells exec: the process started is the CLI itself; once its processes run, it is past its sweep.
    expect(await until(() => descendants(long.pid!).length >= 3, 20_000)).toBe(true);
    long.kill('SIGTERM');
    const r = await long;
    expect(r.timedOut, 'SIGTERM did not stop the run').toBe(false);
    expect(r.exitCode).toBe(143);
  });
});
