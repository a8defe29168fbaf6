// Segment creation on a small or full /dev/shm (native/segment.c): the
// memory is reserved when the segment is made, so the lack of it is one line
// and exit 3 — never a SIGBUS in the CLI or a worker — and nothing is left
// in /dev/shm. A tmpfs of 1 MB mounted on /dev/shm in a mount namespace of
// the test's own stands in for a container's small one.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CLI, privateShm, tmp } from '../helpers.js';

/** Runs the CLI with `args` on a private /dev/shm of `size`; what it said, and what /dev/shm holds afterwards. */
async function onSmallShm(size: string, args: string): Promise<{ code: number; stderr: string; left: string[] } | { skip: string }> {
  const shm = await privateShm(size);
  if ('skip' in shm) return shm;
  const script = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} ${args}; echo "exit=$?"; ls -A /dev/shm`;
  const r = await execa(shm.prefix[0]!, [...shm.prefix.slice(1), 'sh', '-c', script], { reject: false, timeout: 60_000, env: { NO_COLOR: '1' } });
  const lines = String(r.stdout).split('\n');
  const at = lines.findIndex((l) => l.startsWith('exit='));
  return { code: Number(lines[at]!.slice(5)), stderr: String(r.stderr), left: lines.slice(at + 1).filter(Boolean) };
}

describe('a segment on a /dev/shm too small for it', () => {
  it('run: one line naming the lack of space, exit 3, nothing left in /dev/shm', async (ctx) => {
    const r = await onSmallShm('1m', `run 50 --report-dir ${tmp()}`);
    if ('skip' in r) return ctx.skip(r.skip);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reserve \d+ bytes of shared memory in \/dev\/shm: No space left on device/);
    expect(r.left).toEqual([]);
  });

  it('soak --trace: the trace segment of the program is refused the same way', async (ctx) => {
    const r = await onSmallShm('1m', `soak --trace --iterations 1 --report-dir ${tmp()} -- true`);
    if ('skip' in r) return ctx.skip(r.skip);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No space left on device/);
    expect(r.left).toEqual([]);
  });

  it('a segment that fits still runs', async (ctx) => {
    const r = await onSmallShm('16m', `run 2 --variant fixed --report-dir ${tmp()}`);
    if ('skip' in r) return ctx.skip(r.skip);
    expect(r.code, r.stderr).toBe(0);
    expect(r.left).toEqual([]);
  });
});
