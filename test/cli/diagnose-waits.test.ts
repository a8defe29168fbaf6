// Each kind of wait the diagnosis follows (src/core/diagnosis/waits/), on a
// real process staged in it (test/c/waits.c): stuck for good where nothing
// can end the wait, never stuck where something can (a live sender, a client
// who may connect, a signal, a timer), and a System V semaphore — which anyone
// permitted may post — never proof, but a finding with its evidence once a
// soak's deadline passed.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHangReport } from '../../src/core/report/types.js';
import { CLI, cli, tmp } from '../helpers.js';
import { asNobody, diagnoseBoth, kindOf, nobodyCannot, staged, type Staged } from '../staged.js';
import type { Diagnosis } from '../../src/core/diagnosis/types.js';

let waits: Staged;
beforeAll(async () => {
  waits = await staged('waits.c');
});
afterAll(async () => {
  await waits.stopAll();
});

const verdictOf = (d: Awaited<ReturnType<typeof diagnoseBoth>>['d'], pid: number) => d.processes.find((p) => p.pid === pid)!.threads.map((t) => t.verdict?.kind);
/** A POSIX queue name of this test run: never another's. */
const mqName = () => `/mvar-repro-test-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;

describe('stuck for good: proven, with the cause', () => {
  it('a forked child locking a private mutex that a thread of its parent held at fork: lock-copied-by-fork, naming the holder', async () => {
    const [child, parent] = await waits.start('fork-copied-lock');
    const { code, d, human } = await diagnoseBoth([child!, parent!], [], { human: true });
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'lock-copied-by-fork')!;
    expect(f.pids).toEqual([child]);
    expect(f.summary).toMatch(new RegExp(`fork\\(\\) copied while tid \\d+ of pid ${parent} \\(waits\\) held it`));
    expect(f.proof).toBeDefined();
    // The parent waits for the child: a consequence, not a second cause.
    expect(d.processes.find((p) => p.pid === parent)!.behind).toMatchObject({ pid: child });
    expect(d.findings).toHaveLength(1);
    expect(human).toMatch(/^lock-copied-by-fork: /m);
  });

  it('two processes each holding an OFD lock and waiting for the other: a cycle through file locks, holders from fdinfo', async () => {
    const [a, b, parent] = await waits.start('ofd-deadlock', mkdtempSync(join(tmp(), 'ofd-')));
    const { code, d } = await diagnoseBoth([a!, b!, parent!]);
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, b].sort());
    expect(f.summary).toMatch(/OFDLCK WRITE lock on .*ofd \(bytes 1 1\)/);
  });

  const cycles: [string, RegExp][] = [
    ['epoll-cycle', /deadlock \(epoll, poll\)/],
    ['select-cycle', /deadlock \(pipe, poll\)/],
    ['eventfd-cycle', /deadlock \(eventfd\)/],
    ['tcp-cycle', /deadlock \(socket\): .*TCP 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(ESTABLISHED\)/],
  ];
  for (const [mode, shape] of cycles)
    it(`${mode}: each process waits for what only the other can write, a deadlock-cycle through both`, async () => {
      const [a, b, parent] = await waits.start(mode);
      const { code, d } = await diagnoseBoth([a!, b!, parent!]);
      expect(code).toBe(1);
      const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
      expect(f.pids.sort()).toEqual([a, b].sort());
      expect(f.summary).toMatch(shape);
      expect(d.findings).toHaveLength(1);
    });

  it('a thread reading a timerfd nobody arms, and a receiver on a queue nobody has open to send: no-waker', async () => {
    for (const args of [['timerfd-disarmed'], ['mq-orphan', mqName()]]) {
      const [pid] = await waits.start(...args);
      const { code, d } = await diagnoseBoth([pid!]);
      expect(code, args[0]).toBe(1);
      expect(kindOf(d, pid!)).toBe('no-waker');
      expect(verdictOf(d, pid!)).toEqual(['stuck']);
    }
  });

  it('an rwlock held for writing by a thread that waits for a mutex the reader holds: a cycle between the threads', async () => {
    const [pid] = await waits.start('rwlock-cycle');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.summary).toMatch(/rwlock@0x[0-9a-f]+\.__\w+/);
    expect(f.summary).toMatch(/mutex@0x[0-9a-f]+\.__lock/);
  });

  it('two threads at a barrier of three whose third thread exited: one finding, the joining main thread behind it', async () => {
    const [pid] = await waits.start('barrier-orphan');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(code).toBe(1);
    expect(d.findings).toHaveLength(1);
    expect(d.findings[0]!.summary).toMatch(/2 threads .* barrier@0x[0-9a-f]+\.current_round/);
    expect(d.findings[0]!.evidence.join('\n')).toMatch(/behind it: .*pthread_join/);
  });

  it('a priority-inheritance ABBA: the kernel refuses one lock with EDEADLK and glibc parks it; a deadlock-cycle naming both threads', async () => {
    const [pid] = await waits.start('pi-deadlock');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(code).toBe(1);
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.summary).toMatch(/priority-inheritance.*thread \d+ waits for mutex@0x[0-9a-f]+, held by thread \d+.*EDEADLK/);
    expect(d.proven).toBe(true);
  });

  it('a pipe cycle between two processes that each exit on SIGTERM: still proven (stopping the other ends no wait of its work)', async () => {
    const [a, b, parent] = await waits.start('term-cycle');
    const { code, d } = await diagnoseBoth([a!, b!, parent!]);
    expect(code).toBe(1);
    expect(d.findings.map((f) => f.kind)).toEqual(['deadlock-cycle']);
    expect(d.findings[0]!.pids.sort()).toEqual([a, b].sort());
  });

  it('two threads deadlocked on private mutexes beside a SIGUSR1 handler: still proven (unlocking is not async-signal-safe)', async () => {
    const [pid] = await waits.start('handler-beside-deadlock');
    const { code, d } = await diagnoseBoth([pid!]);
    expect(code).toBe(1);
    expect(d.findings.map((f) => f.kind)).toEqual(['deadlock-cycle']);
    expect(d.proven).toBe(true);
  });

  it('a process in pause() beside two processes deadlocked through pipes: only the two are stuck', async () => {
    const [a, b, paused, parent] = await waits.start('pause-beside-hang');
    const { code, d } = await diagnoseBoth([a!, b!, paused!, parent!]);
    expect(code).toBe(1);
    expect(d.findings.flatMap((f) => f.pids).sort()).toEqual([a, b].sort());
    expect(verdictOf(d, paused!)).toEqual(['waiting']);
  });
});

describe('never stuck where something can end the wait', () => {
  const controls: [string, string[]][] = [
    ['a receiver on a queue a live child sends to', ['mq-fed', mqName()]],
    ['a reader of a timerfd that fires in a minute', ['timerfd-armed']],
    ['a server idle in epoll_wait on a listening socket', ['tcp-idle-server']],
    ['a reader of a signalfd', ['signalfd-wait']],
    ['a waiter on a System V semaphore a live child posts', ['sysv-sem-fed']],
  ];
  for (const [what, args] of controls)
    it(`${what}: no finding, exit 0, its thread waiting`, async () => {
      const pids = await waits.start(...args);
      const { code, d } = await diagnoseBoth(pids);
      expect(d.findings, JSON.stringify(d.findings)).toEqual([]);
      expect(code).toBe(0);
      expect(verdictOf(d, pids[0]!)).toEqual(['waiting']);
    });

  it('two processes deadlocked on System V semaphores: not proven (anyone permitted may post), listed with the last operators', async () => {
    const [a, b, parent] = await waits.start('sysv-sem-deadlock');
    const { code, d } = await diagnoseBoth([a!, b!, parent!]);
    expect(d.findings).toEqual([]);
    expect(code).toBe(0);
    for (const pid of [a!, b!]) {
      const t = d.processes.find((p) => p.pid === pid)!.threads[0]!;
      expect(t.wait!.kind).toBe('sysv-sem');
      expect(t.wait!.notes!.join('\n')).toMatch(/last operated on by pid \d+/);
    }
  });
});

describe('not root: what can be read is used, and what cannot is said with its remedy', () => {
  it('a non-dumpable deadlocked process of the same non-root user: its blocked threads named, the reason and sudo said, not exit 3', async (ctx) => {
    const why = await nobodyCannot();
    if (why) return ctx.skip(why);
    const shared = await staged('waits.c', { shared: true });
    try {
      const sub = asNobody(shared.path, ['nondumpable-deadlock']);
      const pid = await new Promise<number>((resolve, reject) => {
        sub.stdout!.on('data', (d) => {
          const m = /ready (\d+)/.exec(String(d));
          if (m) resolve(Number(m[1]));
        });
        sub.once('exit', () => reject(new Error('nondumpable-deadlock exited before it was ready')));
      });
      const r = await asNobody(process.execPath, [CLI, 'diagnose', String(pid), '--json']);
      expect(r.exitCode, r.stderr).toBe(0);
      const d = JSON.parse(r.stdout) as Diagnosis;
      const threads = d.processes.find((p) => p.pid === pid)!.threads;
      expect(threads).toHaveLength(3);
      for (const t of threads) {
        expect(t.verdict!.kind).toBe('not-visible');
        expect(t.verdict!.why).toMatch(/no wake-up while sampled.*not dumpable.*sudo/);
      }
      // The program, not only runuser: its stdout stays open while it lives.
      process.kill(pid, 'SIGKILL');
      sub.kill('SIGKILL');
      await sub;
    } finally {
      await shared.stopAll();
    }
  });
});

describe('under soak', () => {
  it('a forked child locking a copied held mutex: the hang is proven before the deadline, and its finding names the copied lock and the thread that held it', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--timeout', '20s', '--report-dir', dir, '--', waits.path, 'fork-copied-lock']);
    expect(r.code, r.stderr).toBe(1);
    const folder = readdirSync(dir).find((n) => !n.startsWith('.'))!;
    const rep = JSON.parse(readFileSync(join(dir, folder, 'command-hang.json'), 'utf8')) as CommandHangReport;
    expect(rep.proof).not.toBeNull();
    const f = rep.diagnosis!.findings.find((x) => x.kind === 'lock-copied-by-fork')!;
    expect(f.summary).toMatch(/mutex@0x[0-9a-f]+\.__lock .*fork\(\) copied while tid \d+ of pid \d+ \(waits\) held it/);
  });

  it('soak --trace of a semaphore whose taker was killed holding it: the finding names the dead taker and the call it took it with', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--trace', '--iterations', '1', '--timeout', '20s', '--report-dir', dir, '--', waits.path, 'sem-taker-killed']);
    expect(r.code, r.stderr).toBe(1);
    const folder = readdirSync(dir).find((n) => !n.startsWith('.'))!;
    const rep = JSON.parse(readFileSync(join(dir, folder, 'command-hang.json'), 'utf8')) as CommandHangReport;
    const f = rep.diagnosis!.findings.find((x) => x.kind === 'no-waker')!;
    expect(f.summary).toMatch(/It was taken by pid \d+ tid \d+, which no longer exists, and never posted\./);
    expect(f.evidence.join('\n')).toMatch(/take it with sem_wait and not post it since; that thread no longer exists/);
  });

  it("a wait followed out of the soaked tree to another job's process: that process is read, and never frozen or touched", async () => {
    const dir = tmp();
    const fifo = join(dir, 'fifo');
    await execa('mkfifo', [fifo]);
    // Another job: holds the FIFO's write end and sleeps.
    const other = execa('sh', ['-c', `exec 3<>${fifo}; exec sleep 60`], { reject: false });
    try {
      const r = await cli(['soak', '--iterations', '1', '--timeout', '1s', '--stacks', '3', '--report-dir', dir, '--', 'sh', '-c', `exec cat ${fifo}`]);
      expect(r.code, r.stderr).toBe(1);
      const folder = readdirSync(dir).find((n) => n.includes('hang'))!;
      const rep = JSON.parse(readFileSync(join(dir, folder, 'command-hang.json'), 'utf8')) as CommandHangReport;
      expect(rep.diagnosis!.followed!.map((f) => f.pid)).toContain(other.pid);
      // Still running its own course: not stopped by the soak's freeze for stacks, not killed with the tree.
      const state = readFileSync(`/proc/${other.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[0];
      expect(state).toBe('S');
    } finally {
      other.kill('SIGKILL');
      await other;
    }
  });

  it('soak of the System V semaphore deadlock: a hang whose finding is unknown, with each thread and the last operators', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--timeout', '1s', '--report-dir', dir, '--', waits.path, 'sysv-sem-deadlock']);
    try {
      expect(r.code, r.stderr).toBe(1);
      const folder = readdirSync(dir).find((n) => !n.startsWith('.'))!;
      const rep = JSON.parse(readFileSync(join(dir, folder, 'command-hang.json'), 'utf8')) as CommandHangReport;
      const unknown = rep.diagnosis!.findings.filter((f) => f.kind === 'unknown');
      expect(unknown.length, JSON.stringify([rep.diagnosis!.findings.map((f) => f.summary), rep.stdoutTail, rep.stderrTail, rep.tree])).toBeGreaterThanOrEqual(2);
      expect(unknown.every((f) => !f.proof)).toBe(true);
      expect(unknown.flatMap((f) => f.evidence).join('\n')).toMatch(/semaphore \d+\[[01]\]: value 0.*last operated on by pid \d+/);
    } finally {
      // SIGKILLed by the soak, the program could not remove its semaphore set: its ready line names it.
      await removeSemaphores(dir);
    }
  });
});

/** Removes the System V semaphore sets the staged programs of a soak made (their ids are in the kept stdout). */
async function removeSemaphores(dir: string): Promise<void> {
  for (const folder of readdirSync(dir).filter((n) => !n.startsWith('.'))) {
    const text = readFileSync(join(dir, folder, 'command-hang.json'), 'utf8');
    for (const m of text.matchAll(/semid (\d+)/g)) await execa('ipcrm', ['-s', m[1]!], { reject: false });
  }
}
