// `check` on small C programs (test/c/checks.c), each of which finishes by
// itself: the defect is found on a run that does not hang.
import { execa } from 'execa';
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/check/check.js';
import { buildDir } from '../../src/core/system/paths.js';
import { alive, CLI, cli, descendants, ROOT, tmp, until } from '../helpers.js';

let checks: string;
let staticChecks: string | null = null;
const NOBODY = 65534;

beforeAll(async () => {
  checks = join(tmp(), 'checks');
  await execa('cc', ['-g', '-O2', '-o', checks, join(ROOT, 'test', 'c', 'checks.c'), '-lpthread']);
  const s = join(tmp(), 'checks-static');
  const r = await execa('cc', ['-O2', '-static', '-o', s, join(ROOT, 'test', 'c', 'checks.c'), '-lpthread'], { reject: false });
  if (r.exitCode === 0) staticChecks = s;
}, 60_000);

const check = async (...args: string[]) => {
  const r = await cli(['check', '--json', '--', ...args]);
  return { code: r.code, stderr: r.stderr, result: JSON.parse(r.stdout) as CheckResult & { command: string[] } };
};

describe('check', () => {
  it('a correct process-shared program is clean: exit 0', async () => {
    const { code, result } = await check(checks, 'shared-ok');
    expect(code).toBe(0);
    expect(result).toMatchObject({ verdict: 'clean', groups: [], run: { verdict: 'completed', exitCode: 0 } });
    expect(result.checkedProcesses).toBe(2);
  });

  it('the original defect — zeroed mutex and condvar in /dev/shm — is found on a run that does not hang, named by object, offset and caller', async () => {
    const { code, result } = await check(checks, 'zeroed-shm');
    expect(code).toBe(1);
    expect(result.run).toMatchObject({ verdict: 'completed', exitCode: 0 });
    const kinds = result.groups.map((g) => `${g.kind} ${g.primitive}`).sort();
    expect(kinds).toEqual(['private-primitive-in-shared-memory cond', 'private-primitive-in-shared-memory mutex']);
    const mutex = result.groups.find((g) => g.primitive === 'mutex')!;
    expect(mutex.where).toMatch(/^\/dev\/shm\/checks-test-\d+ \(deleted\)\+0x0$/);
    expect(mutex.pids).toHaveLength(2); // first use in each process
    expect(mutex.callers.every((c) => c.includes(checks))).toBe(true);
    // The caller as function and file:line (handshake() locks it, in the parent and in the child).
    expect(mutex.callers[0]).toMatch(/^handshake \(checks\.c:\d+/);
    expect(result.groups.find((g) => g.primitive === 'cond')!.where).toMatch(/\+0x28$/);
    const human = await cli(['check', '--', checks, 'zeroed-shm']);
    expect(human.stdout).toMatch(/^private-primitive-in-shared-memory: mutex in shared memory is not process-shared/m);
  });

  it('sem_init(…, 0, …) on a MAP_SHARED page is found', async () => {
    const { code, result } = await check(checks, 'sem-private');
    expect(code).toBe(1);
    expect(result.groups).toEqual([expect.objectContaining({ kind: 'private-primitive-in-shared-memory', primitive: 'sem', detail: expect.stringContaining('sem_init with pshared 0') })]);
  });

  it('a process-shared semaphore in shared memory is clean', async () => {
    const { code, result } = await check(checks, 'sem-shared');
    expect(code).toBe(0);
    expect(result.verdict).toBe('clean');
  });

  it('a CLOCK_MONOTONIC condvar waited with a CLOCK_REALTIME deadline is found', async () => {
    const { code, result } = await check(checks, 'cond-clock');
    expect(code).toBe(1);
    expect(result.groups).toEqual([expect.objectContaining({ kind: 'condvar-deadline-on-another-clock', primitive: 'cond' })]);
  });

  it('a multi-threaded program that forks and execs: the exec’d child is checked too', async () => {
    const { code, result } = await check(checks, 'fork-exec');
    expect(code).toBe(1);
    expect(result.checkedProcesses).toBe(3);
    expect(result.groups.map((g) => g.primitive).sort()).toEqual(['cond', 'mutex']);
  });

  it('a static binary cannot be preloaded: said, exit 3, never "clean"', async (ctx) => {
    if (!staticChecks) return ctx.skip('no static libc here to build a static binary');
    const { code, result, stderr } = await check(staticChecks, 'zeroed-shm');
    expect(code).toBe(3);
    expect(result.verdict).toBe('unchecked');
    expect(stderr).toMatch(/could not get into the program .*it ran unchecked/);
  });

  it('a set-user-ID program cannot be preloaded (the loader ignores LD_PRELOAD for it): said, exit 3', async (ctx) => {
    // A copy owned by nobody with the set-user-ID bit: only root can make one, and only a mount without nosuid honours it.
    const suid = join(tmp(), 'checks-suid');
    copyFileSync(checks, suid);
    try {
      chownSync(suid, NOBODY, NOBODY);
      chmodSync(suid, 0o4755);
    } catch {
      return ctx.skip('cannot make a set-user-ID program here (not root)');
    }
    if ((await execa(suid, ['euid'])).stdout.trim() !== String(NOBODY)) return ctx.skip('set-user-ID is not honoured on this mount');
    const { code, result, stderr } = await check(suid, 'sem-private');
    expect(code).toBe(3);
    expect(result.verdict).toBe('unchecked');
    expect(stderr).toMatch(/could not get into the program .*it ran unchecked/);
  });

  it('usage: a program is needed, and must be runnable', async () => {
    expect((await cli(['check'])).code).toBe(2);
    const r = await cli(['check', '--', 'no-such-program-here']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('SIGKILL of the CLI mid-check takes the program with it and leaves no folder in the temporary folder', async () => {
    const checkFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mvar-repro-check-'));
    const before = new Set(checkFolders());
    const sub = execa(process.execPath, [CLI, 'check', '--', 'sleep', '30'], { reject: false });
    expect(await until(() => descendants(sub.pid!).length >= 2, 10_000)).toBe(true);
    const tree = descendants(sub.pid!);
    const during = checkFolders().filter((n) => !before.has(n));
    sub.kill('SIGKILL');
    await sub;
    expect(during, 'while the program runs').toEqual([]);
    expect(await until(() => tree.every((p) => !alive(p)), 5000)).toBe(true);
    expect(checkFolders().filter((n) => !before.has(n))).toEqual([]);
  });

  it('a finding in a /dev/shm object whose name holds quotes, a backslash, a newline and a byte that is not UTF-8 arrives whole, its name escaped', async () => {
    const name = 'we"ird\\na\nme'; // the program adds a byte 0xff
    const { code, result } = await check(checks, 'zeroed-shm-named', name);
    expect(code).toBe(1);
    const where = result.groups.find((g) => g.primitive === 'mutex')!.where;
    // /proc/PID/maps shows the newline as \012; the stray byte becomes U+FFFD.
    expect(where).toContain('we"ird\\na\\012me\ufffd');
  });

  it('a program that fails or that check stops: the reason, and the tail of its output', async () => {
    const slow = await cli(['check', '--timeout', '1s', '--', 'sh', '-c', 'echo started-here; echo oops >&2; exec sleep 30']);
    expect(slow.code).toBe(4);
    expect(slow.stdout).toMatch(/^ended early: the program had not finished at the --timeout of 1(\.0)?s, so check killed it$/m);
    expect(slow.stdout).toMatch(/^stdout:\n  started-here$/m);
    expect(slow.stdout).toMatch(/^stderr:\n  oops$/m);
    const failed = await cli(['check', '--', 'sh', '-c', 'printf "line %s\\n" $(seq 1 30); exit 3']);
    expect(failed.code).toBe(4);
    expect(failed.stdout).toMatch(/exited 3/);
    expect(failed.stdout).toMatch(/^stdout \(last 20 lines\):\n  line 11\n/m);
    expect(failed.stdout).not.toMatch(/ended early/);
  });

  it('a real deadlock ends early, proven: why, and the inversion that caused it', async () => {
    const hangs = join(tmp(), 'hangs');
    await execa('cc', ['-g', '-O1', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
    const r = await cli(['check', '--json', '--timeout', '60s', '--', hangs, 'flock-deadlock', tmp()]);
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as CheckResult;
    expect(result.run.verdict).toBe('hang');
    expect(result.run.endedBecause).toMatch(/^the program hung: proven after .*, so check killed it$/);
    expect(result.run.hangFindings.some((f) => f.startsWith('deadlock-cycle'))).toBe(true);
    expect(result.groups.map((g) => `${g.kind} ${g.primitive}`)).toContain('lock-order-inversion file');
  });

  it('the MVar: the fixed variant run under check is clean; the original shows the init-on-a-copy defect with its file:line', async () => {
    const reports = tmp();
    const fixed = await check(process.execPath, CLI, 'run', '3', '--variant', 'fixed', '--report-dir', reports);
    expect(fixed.code).toBe(0);
    expect(fixed.result.verdict).toBe('clean');
    expect(fixed.result.checkedProcesses).toBeGreaterThanOrEqual(5); // the CLI, its fork server, master and slaves
    const original = await check(process.execPath, CLI, 'run', '3', '--variant', 'original', '--report-dir', reports);
    expect(original.code).toBe(1);
    const mutex = original.result.groups.find((g) => g.kind === 'private-primitive-in-shared-memory' && g.primitive === 'mutex')!;
    expect(mutex.callers[0]).toMatch(/\(mvar\.c:\d+/);
  });

  it('without a line-table tool on PATH, callers are object+offset and a note says why, once', async () => {
    const r = await cli(['check', '--', checks, 'zeroed-shm'], { env: { NO_COLOR: '1', PATH: '/nonexistent' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`called from ${checks.replace(/[.]/g, '\\.')}\\+0x[0-9a-f]+`));
    expect(r.stdout.match(/^note: callers are shown as object\+offset: no addr2line or eu-addr2line on PATH/gm)).toHaveLength(1);
  });

  it('a build folder whose path holds a space and a colon: the library still gets into the program', async () => {
    const build = join(tmp(), 'my build:dir');
    mkdirSync(build);
    cpSync(buildDir(), build, { recursive: true });
    const r = await cli(['check', '--json', '--', checks, 'zeroed-shm'], { env: { NO_COLOR: '1', MVAR_REPRO_BUILD_DIR: build } });
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as CheckResult).checkedProcesses).toBe(2);
  });
});
