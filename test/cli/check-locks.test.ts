// `check` on the lock-order and misuse programs of test/c/lockorder.c, each of
// which finishes by itself: a deadlock the run did not hit, and misuse of
// mutexes and condvars, found across processes and named by function and
// file:line — in a PIE, a non-PIE executable and a shared library.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/check/check.js';
import { ROOT, cli, runFolders, tmp } from '../helpers.js';

let pie: string;
let nopie: string;
let lib: string;

beforeAll(async () => {
  const dir = tmp();
  const src = join(ROOT, 'test', 'c');
  pie = join(dir, 'lockorder-pie');
  nopie = join(dir, 'lockorder-nopie');
  lib = join(dir, 'liblockpair.so');
  await Promise.all([
    execa('cc', ['-g', '-O1', '-pie', '-fPIE', '-o', pie, join(src, 'lockorder.c'), '-lpthread', '-ldl']),
    execa('cc', ['-g', '-O1', '-no-pie', '-o', nopie, join(src, 'lockorder.c'), '-lpthread', '-ldl']),
    execa('cc', ['-g', '-O1', '-shared', '-fPIC', '-o', lib, join(src, 'lockpair.c'), '-lpthread']),
  ]);
}, 60_000);

const check = async (...args: string[]) => {
  const r = await cli(['check', '--json', '--', ...args]);
  return { code: r.code, result: JSON.parse(r.stdout) as CheckResult };
};

const inversion = (r: CheckResult) => r.groups.find((g) => g.kind === 'lock-order-inversion');

describe('check: lock orders', () => {
  it('a latent ABBA between a parent and its child that never deadlocks in the run: exit 1, both functions and lines named, in a PIE and a non-PIE build alike', async () => {
    const sites: string[][] = [];
    for (const bin of [pie, nopie]) {
      const { code, result } = await check(bin, 'abba');
      expect(code, bin).toBe(1);
      expect(result.run).toMatchObject({ verdict: 'completed', exitCode: 0 });
      expect(result.groups).toHaveLength(1);
      const g = inversion(result)!;
      expect(g.orders).toHaveLength(2);
      const [parent, child] = g.orders!;
      expect(parent!.pid).not.toBe(child!.pid);
      expect(child!.thread).toContain(`child of ${parent!.pid}`);
      expect(parent!.held).toBe(child!.wants);
      expect(child!.held).toBe(parent!.wants);
      expect(parent!.wantsAt).toMatch(/^parent_takes_a_then_b \(lockorder\.c:\d+\)/);
      expect(child!.wantsAt).toMatch(/^child_takes_b_then_a \(lockorder\.c:\d+\)/);
      expect(parent!.heldAt).toMatch(/^parent_takes_a_then_b \(lockorder\.c:\d+\) in /);
      sites.push(g.orders!.flatMap((o) => [o.heldAt.split(' in ')[0], o.wantsAt.split(' ← ')[0]]).map(String));
    }
    // Absolute addresses (non-PIE) and load-relative ones (PIE) name the same lines.
    expect(sites[0]).toEqual(sites[1]);
    const human = await cli(['check', '--', pie, 'abba']);
    expect(human.stdout).toMatch(/^lock-order-inversion: /m);
    expect(human.stdout).toMatch(/holds .*│ holds /);
  });

  it('a lock is its object and offset: mutexes at offset 0 of two anonymous shared mappings (both "/dev/zero (deleted)") are two locks, told apart by inode', async () => {
    const { code, result } = await check(pie, 'two-maps');
    expect(code).toBe(1);
    const [a, b] = inversion(result)!.orders!;
    expect(a!.held).toMatch(/^\/dev\/zero \(deleted\)\+0x0 \(inode \d+\)$/);
    expect(b!.held).toMatch(/^\/dev\/zero \(deleted\)\+0x0 \(inode \d+\)$/);
    expect(a!.held).not.toBe(b!.held);
  });

  it('the orders taken inside a shared library are named there', async () => {
    const { code, result } = await check(nopie, 'abba-lib', lib);
    expect(code).toBe(1);
    expect(inversion(result)!.orders!.map((o) => o.wantsAt)).toEqual([expect.stringMatching(/^lockpair_take \(lockpair\.c:\d+\).* in .*liblockpair\.so$/), expect.stringMatching(/^lockpair_take \(lockpair\.c:\d+\)/)]);
  });

  it('no deadlock possible, nothing reported: one order; both orders under a common gate lock (shared, or private to one process); both orders by one thread', async () => {
    for (const program of ['one-order', 'gated', 'gated-threads', 'one-thread']) {
      const { code, result } = await check(pie, program);
      expect({ program, code, groups: result.groups }).toEqual({ program, code: 0, groups: [] });
      expect(result.verdict).toBe('clean');
    }
  });

  it('two threads of one process in opposite orders, and a cycle of three locks through three processes', async () => {
    const threads = await check(pie, 'threads-abba');
    expect(threads.code).toBe(1);
    expect(new Set(inversion(threads.result)!.orders!.map((o) => o.pid)).size).toBe(1);
    const three = await check(pie, 'three');
    expect(three.code).toBe(1);
    expect(inversion(three.result)!.orders!.map((o) => o.wantsAt.split(' ')[0])).toEqual(['parent_takes_a_then_b', 'b_then_c', 'c_then_a']);
    expect(inversion(three.result)!.where).toMatch(/ → .* → .* → /);
  });

  it('file locks and semaphores used as locks are in the graph: fcntl and flock across processes, binary semaphores; not POSIX locks between threads of one process, not a semaphore used as a signal', async () => {
    for (const program of ['file-abba', 'flock-abba', 'sem-abba']) {
      const { code, result } = await check(pie, program);
      expect({ program, code }).toEqual({ program, code: 1 });
      expect(inversion(result)!.primitive).toBe(program === 'sem-abba' ? 'sem' : 'file');
    }
    expect(inversion((await check(pie, 'file-abba')).result)!.orders!.map((o) => o.wantsAt)).toEqual([
      expect.stringMatching(/^record_lock \(lockorder\.c:\d+\) ← file_0_then_1 \(lockorder\.c:\d+\)/),
      expect.stringMatching(/^record_lock \(lockorder\.c:\d+\) ← file_1_then_0 \(lockorder\.c:\d+\)/),
    ]);
    for (const program of ['file-threads', 'sem-signal']) expect((await check(pie, program)).code, program).toBe(0);
  });

  it('rwlocks: a writer against a reader in opposite orders is a cycle; readers against readers are not', async () => {
    const rw = await check(pie, 'rw-abba');
    expect(rw.code).toBe(1);
    const g = inversion(rw.result)!;
    expect(g.primitive).toBe('rwlock');
    expect(g.orders![1]!.wants).toMatch(/ for reading$/);
    expect((await check(pie, 'rw-readers')).code).toBe(0);
  });
});

describe('check: misuse across processes', () => {
  it('a child unlocking a mutex its parent holds: exit 1, the child’s function named, the parent named as the holder', async () => {
    const { code, result } = await check(pie, 'child-unlocks');
    expect(code).toBe(1);
    expect(result.groups).toEqual([expect.objectContaining({ kind: 'unlock-not-owner', primitive: 'mutex', callers: [expect.stringMatching(/^child_unlocks \(lockorder\.c:\d+\)/)] })]);
    expect(result.groups[0]!.detail).toMatch(/another thread holds it: thread \d+, the main thread of lockorder-pie \(pid \d+\)/);
  });

  it('each Helgrind class is found, once: re-lock, destroy of a locked mutex, EOWNERDEAD never made consistent, a condvar used with two mutexes (across processes), a condvar destroyed under a waiter', async () => {
    const expected: Record<string, string> = {
      relock: 'relock-held-mutex',
      'destroy-locked': 'destroy-locked-mutex',
      'owner-dead': 'owner-died-not-consistent',
      'cond-two': 'cond-two-mutexes',
      'destroy-cond': 'destroy-cond-with-waiters',
      'rw-upgrade': 'relock-held-mutex',
      'rw-private': 'private-primitive-in-shared-memory',
    };
    for (const [program, kind] of Object.entries(expected)) {
      const { code, result } = await check(pie, program);
      expect({ program, code, kinds: result.groups.map((g) => g.kind) }).toEqual({ program, code: 1, kinds: [kind] });
      expect(result.groups[0]!.callers[0], program).toMatch(/\(lockorder\.c:\d+\)/);
    }
    const two = (await check(pie, 'cond-two')).result.groups[0]!;
    expect(two.pids).toHaveLength(2);
    expect(two.detail).toMatch(/waited on with .*\+0x0 and .*\+0x28/);
  });
});

describe('soak --check', () => {
  it('of the ABBA program: exit 1; a kept iteration shows the two orders side by side in report show and in the HTML export', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--check', '--trace', '--save-all', '--report-dir', dir, '--', pie, 'abba']);
    expect(r.code).toBe(1);
    const [run] = runFolders(dir);
    const show = await cli(['report', 'show', run!]);
    expect(show.stdout).toMatch(/^ {2}lock-order-inversion: /m);
    expect(show.stdout).toMatch(/holds .*│ holds /);
    expect(show.stdout).toMatch(/parent_takes_a_then_b \(lockorder\.c:\d+\).*│.*child_takes_b_then_a \(lockorder\.c:\d+\)/);
    const html = join(dir, 'timeline.html');
    expect((await cli(['report', 'export', run!, '--format', 'html', '-o', html])).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<table class="lock-orders"/);
    expect(page).toMatch(/<td[^>]*>parent_takes_a_then_b \(lockorder\.c:\d+\)/);
    expect(page).toMatch(/<td[^>]*>child_takes_b_then_a \(lockorder\.c:\d+\)/);
  });
});
