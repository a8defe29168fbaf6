// The diagnosis on recorded real hangs (test/fixtures/record-diagnosis.mjs):
// /proc text, memory and liveness answers captured from real processes,
// replayed through the same analysis the CLI runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawLayout } from '../../../src/core/native/addon.js';
import type { RunContext } from '../../../src/core/diagnosis/input.js';
import { analyze } from '../../../src/core/diagnosis/analyze.js';
import { ReplayProbe, type ProbeLog } from '../../../src/core/diagnosis/probe/recorded.js';
import { Layout } from '../../../src/core/native/layout.js';
import type { ProcRaw } from '../../../src/core/procfs/capture.js';

interface Bundle {
  scenario?: string[];
  observers?: number[];
  glibc: string;
  layout: RawLayout;
  pids: number[];
  samples: ProcRaw[][];
  probe: ProbeLog;
  run: RunContext | null;
}

/** A recorded fixture through the analysis; `alter` changes what was recorded (the /proc samples, the probe's answers). */
function replay(name: string, alter: (b: Bundle) => Bundle = (b) => b, hangEvidence?: string) {
  const b = alter(JSON.parse(readFileSync(new URL(`../../fixtures/diagnosis/${name}.json`, import.meta.url), 'utf8')) as Bundle);
  const d = analyze({
    layout: new Layout(b.layout),
    glibcVersion: b.glibc,
    samples: b.samples,
    probe: new ReplayProbe(b.probe),
    observers: b.observers ?? [],
    ...(b.run ? { run: b.run } : {}),
    ...(hangEvidence ? { hangEvidence } : {}),
  });
  const proc = (role: string, id: number) => b.run!.processes.find((p) => p.role === role && p.id === id)!;
  return { b, d, proc };
}

describe('diagnosis of recorded hangs', () => {
  it('original: every stuck process waits on a process-private futex in the segment, named by field', () => {
    const { b, d } = replay('original');
    const stuck = b.run!.processes.filter((p) => p.classification === 'stuck').map((p) => p.pid);
    expect(stuck.length).toBeGreaterThan(0);
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f).toBeDefined();
    expect(f.pids).toEqual(expect.arrayContaining(stuck));
    for (const pid of stuck) {
      const p = d.processes.find((x) => x.pid === pid)!;
      expect(p.kind).toBe('private-futex-on-shared-memory');
      const waits = p.threads.filter((t) => t.futex?.private && t.futex.mapping?.shared);
      expect(waits.length).toBeGreaterThan(0);
      for (const t of waits) {
        expect(t.futex!.field).toMatch(/^mvar\.(mutex|canPut|canTake)\.__/);
        expect(t.futex!.fieldSource).toBe('segment-layout');
        expect(t.futex!.mapping!.path).toMatch(/^\/dev\/shm\/mvar-repro-/);
      }
    }
    expect(f.summary).toMatch(/not process-shared/);
    // The primitives' own bytes say why: no pshared bit anywhere.
    for (const name of ['mvar.mutex', 'mvar.canPut', 'mvar.canTake'])
      expect(d.primitives.find((p) => p.name === name)).toMatchObject({ pshared: false, guess: false });
    expect(d.findings.map((x) => x.kind)).not.toContain('deadlock-cycle');
  });

  it('kill-holder-nonrobust: the waiters wait for a dead owner', () => {
    const { d, proc } = replay('kill-holder-nonrobust');
    const f = d.findings.find((x) => x.kind === 'owner-died')!;
    expect(f).toBeDefined();
    const victim = proc('slave', 1);
    expect(victim.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(f.summary).toContain('mvar.mutex');
    expect(f.summary).toContain(`slave 1 (pid ${victim.pid})`);
    expect(f.summary).toMatch(/not robust/);
    const mutex = d.primitives.find((p) => p.name === 'mvar.mutex')!;
    expect(mutex).toMatchObject({ pshared: true, robust: false, ownerAlive: false, ownerPid: victim.pid });
    expect(f.pids).not.toContain(victim.pid);
    expect(f.pids.length).toBeGreaterThan(0);
  });

  it('lose-value: the last taker has no live process that could put', () => {
    const { b, d } = replay('lose-value');
    const f = d.findings.find((x) => x.kind === 'no-waker')!;
    expect(f).toBeDefined();
    expect(f.pids).toEqual(b.pids);
    expect(f.summary).toMatch(/waits for a value in take/);
    expect(f.summary).toMatch(/slave 1 \(pid \d+\) exited 0 after 2 take\(s\) and 0 put\(s\)/);
    expect(d.findings.map((x) => x.kind)).toEqual(['no-waker']);
  });

  it('lose-value, with the taker caught between its events (in a nanosleep, as a chaos-jittered thread is): its trace alone proves nothing', () => {
    const { d } = replay('lose-value', (b) => {
      for (const sample of b.samples)
        for (const p of sample.filter((x) => b.pids.includes(x.pid)))
          for (const t of p.tasks) {
            t.syscall = '35 0x7ffd470ca0b0 0x0 0x0 0x0 0x0 0x0 0x7ffd470c9f20 0x7f9485200000';
            t.wchan = 'hrtimer_nanosleep';
          }
      return b;
    });
    expect(d.findings.filter((f) => f.proof)).toEqual([]);
    expect(d.findings.map((f) => f.kind)).not.toContain('no-waker');
  });

  it('stop-slave: the stopped holder is named, with who waits for it', () => {
    const { d, proc } = replay('stop-slave');
    const f = d.findings.find((x) => x.kind === 'stopped')!;
    expect(f).toBeDefined();
    const holder = proc('slave', 1);
    expect(f.pids[0]).toBe(holder.pid);
    expect(f.summary).toMatch(/is stopped \(SIGSTOP\) while it holds mvar\.mutex/);
    const waiters = d.processes.filter((p) => p.pid !== holder.pid && p.kind === 'stopped');
    expect(waiters.length).toBeGreaterThan(0);
    expect(f.pids.slice(1).sort()).toEqual(waiters.map((p) => p.pid).sort());
    expect(d.findings.map((x) => x.kind)).not.toContain('owner-died');
  });

  it('abba: the cycle is reported in order, and the master has no waker', () => {
    const { d, proc } = replay('abba');
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f).toBeDefined();
    const [s1, s2] = [proc('slave', 1).pid, proc('slave', 2).pid];
    expect(f.pids).toEqual([Math.min(s1, s2), Math.max(s1, s2)]);
    expect(f.summary).toMatch(new RegExp(`slave 1 \\(pid ${s1}\\) waits for mvar\\.aux\\[1\\] held by slave 2 \\(pid ${s2}\\)`));
    expect(f.summary).toMatch(new RegExp(`slave 2 \\(pid ${s2}\\) waits for mvar\\.aux\\[0\\] held by slave 1 \\(pid ${s1}\\)`));
    const master = d.processes.find((p) => p.role === 'master')!;
    expect(master.kind).toBe('no-waker');
  });

  it('a foreign program: a zero-initialised condvar in MAP_SHARED memory, decoded from its bytes, and called certain only where the evidence is', () => {
    const { b, d } = replay('foreign-private-cond');
    const [parent, child] = b.pids as [number, number];
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.pids).toEqual([child]);
    const t = d.processes.find((p) => p.pid === child)!.threads[0]!;
    // One reading fits and its bytes agree: certain, so neither the summary nor the primitive says "a guess".
    expect(t.futex!.identification!.confidence).toBe('certain');
    expect(f.summary).not.toMatch(/guess/);
    expect(d.primitives.every((p) => !p.guess)).toBe(true);
    expect(t.futex).toMatchObject({ private: true, timed: false, fieldSource: 'decoded' });
    expect(t.futex!.field).toMatch(/^cond@0x[0-9a-f]+\.__g_signals\[[01]\]$/);
    expect(t.futex!.mapping).toMatchObject({ shared: true, path: '/dev/zero (deleted)' });
    expect(t.wakeupsWhileSampled).toBe(0);
    expect(d.processes.find((p) => p.pid === parent)!.kind).toBeNull();
  });

  it('notes the glibc releases with the condvar lost-wakeup bug', () => {
    const { d } = replay('stop-slave');
    expect(d.glibc.version).toBe('2.36');
    expect(d.glibc.lostWakeupBug).toBe(true);
    expect(d.glibc.note).toMatch(/2\.25 to 2\.40.*fixed in 2\.41/);
  });
});

// Programs this tool did not write (test/c/hangs.c), recorded live.
describe('diagnosis of recorded hangs of other programs: the wait-for graph', () => {
  const thread = (d: ReturnType<typeof replay>['d'], pid: number, tid: number) => d.processes.find((p) => p.pid === pid)!.threads.find((t) => t.tid === tid)!;

  it('two threads of one process deadlocked on two private mutexes: a cycle naming both threads, in order', () => {
    const { b, d } = replay('thread-deadlock');
    const [pid] = b.pids as [number];
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f).toBeDefined();
    expect(f.pids).toEqual([pid]);
    const tids = [...f.summary.matchAll(/thread (\d+) waits for (mutex@0x[0-9a-f]+)\.__lock[^,]*, held by thread (\d+)/g)].map((m) => [Number(m[1]), m[2], Number(m[3])] as const);
    expect(tids).toHaveLength(2);
    expect(tids[0]![0]).toBe(tids[1]![2]);
    expect(tids[1]![0]).toBe(tids[0]![2]);
    for (const [tid] of tids) expect(thread(d, pid, tid).wait).toMatchObject({ kind: 'futex', definite: true, stuckForGood: true });
    expect(d.proven).toBe(true);
  });

  it('two processes each writing a full pipe only the other reads: a cycle through pipes; the parent is behind it', () => {
    const { b, d } = replay('pipe-deadlock');
    const [a, c, parent] = b.pids as [number, number, number];
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, c].sort());
    expect(f.summary).toMatch(/\(pipe\)/);
    expect(f.summary).toMatch(/writing \(full\)/);
    expect(d.findings).toHaveLength(1);
    expect(d.processes.find((p) => p.pid === parent)!.behind).toMatchObject({ kind: 'deadlock-cycle' });
  });

  it('two processes each reading the Unix socket pair end only the other writes: a cycle through the socket peers', () => {
    const { b, d } = replay('socket-deadlock');
    const [a, c, parent] = b.pids as [number, number, number];
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, c].sort());
    expect(f.summary).toMatch(/\(socket\)/);
    expect(f.summary).toMatch(/Unix socket socket:\[\d+\] \(peer socket:\[\d+\]\), reading \(nothing received\)/);
    expect(d.findings).toHaveLength(1);
    expect(d.processes.find((p) => p.pid === parent)!.behind).toMatchObject({ kind: 'deadlock-cycle' });
  });

  it('a socket whose peer the probe could not name: not visible, never stuck; a finding only once a deadline passed', () => {
    const noPeers = (b: Bundle) => ({ ...b, probe: { ...b.probe, socketPeers: {} } });
    const { b, d } = replay('socket-deadlock', noPeers);
    const [a, c] = b.pids as [number, number];
    expect(d.findings).toEqual([]);
    for (const pid of [a, c]) {
      const t = d.processes.find((p) => p.pid === pid)!.threads[0]!;
      expect(t.verdict?.kind).toBe('not-visible');
      expect(t.wait?.stuckForGood).toBe(false);
    }
    const late = replay('socket-deadlock', noPeers, 'not finished by the 2000 ms deadline').d;
    for (const pid of [a, c]) expect(late.processes.find((p) => p.pid === pid)!.kind).toBe('unknown');
    expect(late.findings.every((f) => f.kind === 'unknown' && !f.proof)).toBe(true);
  });

  it('two processes each holding one flock() and waiting for the other: a cycle through file locks', () => {
    const { b, d } = replay('flock-deadlock');
    const [a, c] = b.pids as [number, number];
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.pids.sort()).toEqual([a, c].sort());
    expect(f.summary).toMatch(/FLOCK WRITE lock on .*\/two/);
    expect(f.summary).toMatch(/FLOCK WRITE lock on .*\/one/);
  });

  it('a waiter whose only signaller exited, its parent in wait4: no-waker, and the parent is no waker', () => {
    const { b, d } = replay('orphan-waiter');
    const [waiter, parent] = b.pids as [number, number];
    const f = d.findings.find((x) => x.kind === 'no-waker')!;
    expect(f.pids).toEqual([waiter]);
    expect(f.summary).toMatch(/blocked for good in a child to exit/);
    expect(d.processes.find((p) => p.pid === parent)!.behind).toEqual({ pid: waiter, kind: 'no-waker' });
    expect(d.findings).toHaveLength(1);
  });

  it('a waiter whose only signaller is blocked for ever in read() on a pipe nobody writes: both named', () => {
    const { b, d } = replay('blocked-signaller');
    const [waiter, signaller] = b.pids as [number, number];
    const kinds = Object.fromEntries(d.processes.map((p) => [p.pid, p.kind]));
    expect(kinds[waiter]).toBe('no-waker');
    expect(kinds[signaller]).toBe('no-waker');
    const onWaiter = d.findings.find((x) => x.pids.includes(waiter))!;
    expect(onWaiter.summary).toMatch(new RegExp(`pid ${signaller} \\(hangs\\) is blocked for good in pipe:\\[\\d+\\], reading`));
  });

  it('timed waits on a private mutex in shared memory: read as a mutex, reported as timed, never as stuck', () => {
    const { b, d } = replay('timedlock');
    const waiters = b.pids.slice(0, -1);
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.summary).toMatch(/mutex@0x0\.__lock ×3/);
    expect(f.summary).toMatch(/every wait there has a timeout/);
    expect(f.summary).not.toMatch(/without a timeout/);
    for (const pid of waiters) {
      const t = d.processes.find((p) => p.pid === pid)!.threads[0]!;
      expect(t.futex).toMatchObject({ command: 'WAIT_BITSET', timed: true, field: 'mutex@0x0.__lock' });
      expect(t.wait!.stuckForGood).toBe(false);
    }
    expect(d.proven).toBe(false);
  });

  it('a thread relocking a mutex it holds: no-waker, nobody can wake it', () => {
    const { d } = replay('relock');
    expect(d.findings.map((x) => x.kind)).toEqual(['no-waker']);
    expect(d.findings[0]!.summary).toMatch(/already holds this mutex itself/);
  });

  it('healthy control: an idle thread pool whose main thread sleeps has no finding', () => {
    const { d } = replay('idle-pool');
    expect(d.findings).toEqual([]);
    expect(d.proven).toBe(false);
    const workers = d.processes[0]!.threads.filter((t) => t.wait?.kind === 'futex');
    expect(workers.length).toBe(4);
    for (const t of workers) expect(t.wait).toMatchObject({ stuckForGood: false, wakersAre: expect.stringMatching(/sibling threads/) });
  });
});
