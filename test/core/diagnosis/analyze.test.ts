// The diagnosis on recorded real hangs (test/fixtures/record-diagnosis.mjs):
// /proc text, memory and liveness answers captured from real processes,
// replayed through the same analysis the CLI runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RawLayout } from '../../../src/core/native/addon.js';
import type { RunContext } from '../../../src/core/diagnosis/input.js';
import { analyze } from '../../../src/core/diagnosis/analyze.js';
import { ReplayProbe, type ProbeLog } from '../../../src/core/diagnosis/probe.js';
import { Layout } from '../../../src/core/native/layout.js';
import type { ProcRaw } from '../../../src/core/procfs/capture.js';

interface Bundle {
  glibc: string;
  layout: RawLayout;
  pids: number[];
  samples: ProcRaw[][];
  probe: ProbeLog;
  run: RunContext | null;
}

function replay(name: string) {
  const b = JSON.parse(readFileSync(new URL(`../../fixtures/diagnosis/${name}.json`, import.meta.url), 'utf8')) as Bundle;
  const d = analyze({ layout: new Layout(b.layout), glibcVersion: b.glibc, samples: b.samples, probe: new ReplayProbe(b.probe), ...(b.run ? { run: b.run } : {}) });
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

  it('a foreign program: a zero-initialised condvar in MAP_SHARED memory, guessed from its bytes', () => {
    const { b, d } = replay('foreign-private-cond');
    const [parent, child] = b.pids as [number, number];
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.pids).toEqual([child]);
    expect(f.summary).toMatch(/a guess/);
    const t = d.processes.find((p) => p.pid === child)!.threads[0]!;
    expect(t.futex).toMatchObject({ private: true, timed: false, fieldSource: 'guess' });
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
