// The preload library's trace and check, read back by PreloadSession, on
// small C programs run as real processes (test/c/checks.c, test/c/hangs.c).
import { execa } from 'execa';
import { constants } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/core/native/layout.js';
import { PreloadSession, type PreloadOptions, type PreloadOutcome } from '../../../src/core/preload/session.js';
import { describeCall } from '../../../src/core/preload/traced.js';
import { runCommandIteration, type CommandResult } from '../../../src/core/soak/command-iteration.js';
import { ROOT, tmp } from '../../helpers.js';

let checks: string;
let hangs: string;

beforeAll(async () => {
  checks = join(tmp(), 'checks');
  hangs = join(tmp(), 'hangs');
  await execa('cc', ['-O2', '-o', checks, join(ROOT, 'test', 'c', 'checks.c'), '-lpthread']);
  await execa('cc', ['-O2', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
}, 60_000);

/** Runs COMMAND once under a session; reads the session back after the program is gone (exited, or SIGKILLed at its deadline). */
async function under(opts: PreloadOptions, command: string[], timeoutMs = 10_000): Promise<{ run: CommandResult; got: PreloadOutcome }> {
  const session = PreloadSession.open(opts);
  try {
    const run = await runCommandIteration({ index: 1, command, timeoutMs, stacks: 0, early: true, env: session.env() }, new AbortController().signal);
    return { run, got: session.collect() };
  } finally {
    session.close();
  }
}

const byThread = (events: TraceEvent[]) => {
  const m = new Map<number, TraceEvent[]>();
  for (const e of events) m.set(e.tid, [...(m.get(e.tid) ?? []), e]);
  return m;
};

describe('trace', () => {
  it('a correct process-shared program: every call on its shared primitives is traced in both processes, each call closed, nothing lost; the check is clean', async () => {
    const { run, got } = await under({ check: true, trace: 'shared' }, [checks, 'shared-ok']);
    expect(run.verdict).toBe('completed');
    const t = got.trace!;
    expect(got.findings).toEqual([]);
    expect(got.loaded).toHaveLength(2);
    expect(new Set(t.threads.map((x) => x.pid)).size).toBe(2);
    expect(t.missed).toBe(0);
    expect(t.untracedThreads).toBe(0);
    expect(t.threads.every((x) => x.cmd === `${checks} shared-ok`)).toBe(true);
    // The child leaves by _exit, the parent by returning from main: both ended by themselves.
    expect(t.threads.map((x) => x.state)).toEqual(['done', 'done']);
    for (const evs of byThread(t.events).values()) {
      // One call per op id; a call that began (enter, wait-begin) ended with the next event of the same op.
      for (let i = 0; i < evs.length; i++) {
        const e = evs[i]!;
        if (e.phase === 'enter') expect(evs[i + 1]).toMatchObject({ opId: e.opId, op: e.op, phase: 'locked' });
        if (e.phase === 'wait-begin') expect(['wait-end', 'wait-timeout']).toContain(evs[i + 1]?.phase);
      }
      // A condvar wait gives the mutex back and takes it again: every lock is matched by one unlock.
      expect(evs.filter((e) => e.op === 'mutex-unlock').length).toBe(evs.filter((e) => e.phase === 'locked').length);
      expect(evs.at(-1)!.op).toBe('mutex-unlock');
    }
    const ops = new Set(t.events.map((e) => e.op));
    for (const op of ['mutex-init', 'cond-init', 'mutex-lock', 'cond-timedwait', 'cond-signal', 'mutex-unlock']) expect(ops).toContain(op);
  });

  it('by default only primitives in shared memory are traced; --trace all records private ones too', async () => {
    const shared = await under({ check: false, trace: 'shared' }, [checks, 'cond-clock']);
    expect(shared.got.trace!.events).toEqual([]);
    const all = await under({ check: false, trace: 'all' }, [checks, 'cond-clock']);
    const ops = new Set(all.got.trace!.events.map((e) => e.op));
    expect(ops).toContain('cond-timedwait');
    expect(ops).toContain('mutex-lock');
    // Two threads of one process: numbered in their process, in order.
    expect(all.got.trace!.threads.map((x) => x.thread).sort()).toEqual([1, 2]);
  });

  it('sem_trywait and sem_clockwait are traced: an empty semaphore is EAGAIN (an outcome, not an error), a wait has its deadline', async () => {
    const { run, got } = await under({ check: true, trace: 'shared' }, [checks, 'sem-try']);
    expect(run.verdict).toBe('completed');
    expect(got.findings).toEqual([]);
    const parent = got.trace!.events.filter((e) => e.pid === run.rootPid && e.op !== 'sem-init');
    expect(parent.map((e) => [e.op, e.phase, e.rc, e.err])).toEqual([
      ['sem-trywait', 'done', -1, constants.errno.EAGAIN],
      ['sem-clockwait', 'wait-begin', 0, 0],
      ['sem-clockwait', 'wait-end', 0, 0],
      ['sem-post', 'signalled', 0, 0],
      ['sem-trywait', 'done', 0, 0],
    ]);
    expect(describeCall(parent[0]!)).toMatch(/^sem-trywait done EAGAIN 0x/);
    expect(parent[1]!.deadlineMs).toBeGreaterThan(1900);
    expect(parent[1]!.deadlineMs).toBeLessThanOrEqual(2000);
  });

  it('threads are numbered in the order they were created, not the order they first locked, so runs line up', async () => {
    const { got } = await under({ check: false, trace: 'shared' }, [checks, 'late-first']);
    const threads = got.trace!.threads;
    const events = byThread(got.trace!.events);
    // The main thread initialised the box (t1); then the k-th created thread locked k times, the third first.
    expect(threads.map((t) => [t.thread, events.get(t.tid)!.filter((e) => e.phase === 'locked').length])).toEqual([[1, 0], [2, 1], [3, 2], [4, 3]]);
    expect(threads[0]!.tid).toBe(threads[0]!.pid);
    const firstLock = (t: { tid: number }) => events.get(t.tid)![0]!.tNs;
    expect(firstLock(threads[3]!)).toBeLessThan(firstLock(threads[1]!));
  });

  it('a multi-threaded program that forks and execs: the exec’d child is traced too, under its own command line', async () => {
    const { got } = await under({ check: true, trace: 'shared' }, [checks, 'fork-exec']);
    const cmds = new Set(got.trace!.threads.map((x) => x.cmd.split(' ').slice(1).join(' ')));
    expect(cmds).toContain('zeroed-shm');
    expect(new Set(got.trace!.events.map((e) => e.pid)).size).toBeGreaterThanOrEqual(2);
    expect(got.findings.map((f) => f.primitive).sort()).toContain('mutex');
  });

  it('a Node program runs under the library untroubled: loaded, and nothing on its stderr (no 32 KiB of static TLS starves its small-stack threads)', async () => {
    for (let i = 0; i < 3; i++) {
      const { run, got } = await under({ check: true, trace: 'shared' }, [process.execPath, '-e', 'setTimeout(() => {}, 50)']);
      expect(run.verdict).toBe('completed');
      expect(got.loaded).toContain(run.rootPid);
      expect(run.stderrTail).toBe('');
    }
  });

  it('processes SIGKILLed at their deadline: their last events are still there, each waiter inside its condvar wait', async () => {
    const { run, got } = await under({ check: false, trace: 'shared' }, [hangs, 'many-waiters', '2'], 1500);
    expect(run.verdict).toBe('hang');
    const waiters = got.trace!.threads.filter((x) => x.events > 0 && x.pid !== run.rootPid);
    expect(waiters).toHaveLength(2);
    expect(waiters.map((w) => w.state)).toEqual(['running', 'running']);
    for (const w of waiters) expect(w.last.at(-1)).toMatch(/^cond-wait wait-begin 0x[0-9a-f]+ \(mutex 0x[0-9a-f]+\)$/);
  });

  it('a vfork child’s _exit ends only itself: the parent, waiting on, stays running in the trace', async () => {
    const { run, got } = await under({ check: false, trace: 'shared' }, [hangs, 'vfork-wait'], 1000);
    expect(run.verdict).toBe('hang');
    const [parent] = got.trace!.threads;
    expect(parent).toMatchObject({ pid: run.rootPid, state: 'running' });
    expect(parent!.last.at(-1)).toMatch(/^cond-wait wait-begin/);
  });

  it('a holder SIGKILLed with the lock shows it taken; its waiters show their lock entered, with the deadline, and not taken', async () => {
    const { run, got } = await under({ check: false, trace: 'shared' }, [hangs, 'timedlock', '2'], 1500);
    expect(run.verdict).toBe('hang');
    const last = got.trace!.threads.filter((x) => x.events > 0).map((x) => x.last.at(-1));
    expect(last.filter((l) => /^mutex-lock locked 0x[0-9a-f]+$/.test(l!))).toHaveLength(1);
    const waits = last.filter((l) => l!.startsWith('mutex-timedlock'));
    expect(waits).toHaveLength(2);
    for (const w of waits) expect(w).toMatch(/^mutex-timedlock enter 0x[0-9a-f]+, deadline (59\d{3}|60000) ms$/);
  });
});
