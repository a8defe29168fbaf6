// `diagnose` on small C programs that hang the ways users' programs do
// (test/c/hangs.c), and on healthy controls that must get no finding.
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../src/core/diagnosis/types.js';
import { CLI, tmp } from '../helpers.js';
import { diagnoseBoth as diagnose, kindOf, staged, type Staged } from '../staged.js';

let hangs: Staged;
const start = (...args: string[]) => hangs.start(...args);
const running: ResultPromise[] = [];

beforeAll(async () => {
  hangs = await staged('hangs.c');
});
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL');
  await Promise.allSettled(running);
  await hangs.stopAll();
});

describe('real hangs get a finding with evidence', () => {
  it('two threads of one process deadlocked on two private mutexes: deadlock-cycle between threads', async () => {
    const [pid] = await start('thread-deadlock');
    const { code, d, human } = await diagnose([pid!], [], { human: true });
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.summary).toMatch(/among the threads of pid \d+ \(hangs\)/);
    expect(f.summary.match(/waits for mutex@0x[0-9a-f]+\.__lock/g)).toHaveLength(2);
    expect(human).toMatch(/^deadlock-cycle: /m);
    expect(human).toMatch(/stuck for good: thread \d+ to exit \(pthread_join\)/);
    expect(d.proven).toBe(true);
  });

  it('a waiter whose only signaller exited while the parent sits in wait4: no-waker; the parent is behind it', async () => {
    const [waiter, parent] = await start('orphan-waiter');
    const { code, d } = await diagnose([waiter!, parent!]);
    expect(code).toBe(1);
    expect(kindOf(d, waiter!)).toBe('no-waker');
    expect(d.processes.find((p) => p.pid === parent)!.behind).toEqual({ pid: waiter, kind: 'no-waker' });
  });

  it('a waiter whose only signaller is blocked for ever in read() on a pipe nobody writes: both no-waker', async () => {
    const [waiter, signaller, parent] = await start('blocked-signaller');
    const { code, d } = await diagnose([waiter!, signaller!, parent!]);
    expect(code).toBe(1);
    expect(kindOf(d, waiter!)).toBe('no-waker');
    expect(kindOf(d, signaller!)).toBe('no-waker');
    expect(d.findings.find((f) => f.pids.includes(signaller!))!.summary).toMatch(/pipe:\[\d+\], reading \(empty\)/);
  });

  it('two processes each writing a full pipe only the other reads: deadlock-cycle through pipes, blocked threads listed', async () => {
    const [a, b, parent] = await start('pipe-deadlock');
    const { code, d, human } = await diagnose([a!, b!, parent!], [], { human: true });
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, b].sort());
    expect(human).toMatch(/write\(.*stuck for good: pipe:\[\d+\], writing \(full\)/);
  });

  it('two processes each reading the Unix socket pair only the other would write: deadlock-cycle through the socket peers', async () => {
    const [a, b, parent] = await start('socket-deadlock');
    const { code, d, human } = await diagnose([a!, b!, parent!], [], { human: true });
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, b].sort());
    expect(human).toMatch(/stuck for good: Unix socket socket:\[\d+\] \(peer socket:\[\d+\]\), reading \(nothing received\)/);
  });

  it('two processes each holding one flock() and waiting for the other: deadlock-cycle through file locks', async () => {
    const dir = mkdtempSync(join(tmp(), 'locks-'));
    const [a, b, parent] = await start('flock-deadlock', dir);
    const { code, d } = await diagnose([a!, b!, parent!]);
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, b].sort());
    expect(f.summary).toMatch(/\(file-lock\)/);
  });

  it('two processes each in sem_wait on a shared semaphore only the other would post: read as semaphores, no-waker, proven', async () => {
    const [a, b] = await start('sem-deadlock');
    const { code, d } = await diagnose([a!, b!]);
    expect(code).toBe(1);
    expect(kindOf(d, a!)).toBe('no-waker');
    expect(kindOf(d, b!)).toBe('no-waker');
    for (const pid of [a!, b!]) {
      const t = d.processes.find((p) => p.pid === pid)!.threads[0]!;
      expect(t.futex!.field).toMatch(/^sem@0x[0-9a-f]+\.value$/);
      expect(t.wait!.stuckForGood).toBe(true);
    }
    expect(d.proven).toBe(true);
  });

  it('30 processes on one word of one object: one finding, counted, in one short sentence', async () => {
    const pids = await start('many-waiters', '30');
    const { code, d } = await diagnose(pids);
    expect(code).toBe(1);
    expect(d.findings).toHaveLength(1);
    const f = d.findings[0]!;
    expect(f.kind).toBe('private-futex-on-shared-memory');
    expect(f.pids).toHaveLength(30);
    expect(f.summary).toMatch(/^30 processes wait without a timeout on process-private futexes inside shared memory /);
    // Each word once, with how many wait there: the counts add up to the 30 waiters.
    const words = /\(([^)]*)\):/.exec(f.summary)![1]!.split(', ');
    expect(words.some((w) => /^cond@0x[0-9a-f]+\.__g_signals\[[01]\] ×\d+$/.test(w))).toBe(true);
    expect(words.reduce((n, w) => n + Number(/×(\d+)$/.exec(w)?.[1] ?? 1), 0)).toBe(30);
    expect(f.summary.length).toBeLessThan(400);
  });

  it('timed lock waits on a private mutex in shared memory are read as a mutex and reported as timed, not stuck', async () => {
    const pids = await start('timedlock', '3');
    const { d } = await diagnose(pids);
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.summary).toMatch(/mutex@0x0\.__lock ×3/);
    expect(f.summary).not.toMatch(/without a timeout/);
    for (const pid of pids.slice(0, 3)) {
      const t = d.processes.find((p) => p.pid === pid)!.threads[0]!;
      expect(t.wait).toMatchObject({ timed: true, stuckForGood: false });
    }
    expect(d.proven).toBe(false);
  });
});

describe('healthy programs get no finding', () => {
  const controls: [string, string[]][] = [
    ['a long sleep', ['sleep']],
    ['a slow ping-pong through timed waits', ['ping-pong']],
    ['a reader whose writer writes later', ['late-writer']],
    ['a Unix socket reader whose peer writes later', ['late-writer', 'socket']],
    ['an idle thread pool', ['idle-pool']],
    ['a long timed wait whose signaller is busy computing', ['busy-signaller']],
  ];
  for (const [what, args] of controls)
    it(what, async () => {
      const pids = await start(...args);
      const { code, d } = await diagnose(pids);
      expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
      expect(code).toBe(0);
      expect(d.proven).toBe(false);
    });

  it('an untimed wait on a private condvar in a file only its own process maps, signalled by a live sibling', async () => {
    const pids = await start('sibling-signals', join(tmp(), 'mapped'));
    const { code, d } = await diagnose(pids);
    expect(d.findings).toEqual([]);
    expect(code).toBe(0);
  });
});

describe('what cannot be read is said, never taken as nothing', () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)('another user who may not ptrace our processes: their blocked threads named from stat and status, what was not read and the remedy said; exit 0, never "nothing stuck"', async () => {
    const pids = await start('sleep');
    const asNobody = (args: string[]) => execa('runuser', ['-u', 'nobody', '--', process.execPath, CLI, ...args], { reject: false });
    const r = await asNobody(['diagnose', String(pids[0]), '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as Diagnosis;
    expect(d.findings).toEqual([]);
    expect(d.processes[0]!.threads[0]!.verdict).toMatchObject({ kind: 'not-visible' });
    expect(d.incomplete!.join('\n')).toMatch(new RegExp(`pid ${pids[0]} .*could not read .*permission denied.*belongs to user 0.*sudo`));
    const human = await asNobody(['diagnose', String(pids[0])]);
    expect(human.stdout).toMatch(/^no finding: no thread proven stuck for good; 1 blocked thread\(s\) whose wakers could not be seen/m);
    expect(human.stdout).toMatch(/inspection is incomplete/);
    // A pid with nothing at all to read (gone) is the only exit 3.
    const gone = await asNobody(['diagnose', '999999999']);
    expect(gone.exitCode).toBe(3);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
  });
});
