// The wait modules (src/core/diagnosis/waits/) on recorded real processes
// (test/fixtures/record-diagnosis.mjs NAME program waits MODE, from
// test/c/waits.c): the /proc text and every probe answer replayed through the
// same analysis, so each verdict is checked on the system's own answers.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/diagnosis/analyze.js';
import type { RunContext } from '../../../src/core/diagnosis/input.js';
import { ReplayProbe, type ProbeLog } from '../../../src/core/diagnosis/probe/recorded.js';
import { stuckCounts } from '../../../src/core/diagnosis/verdict.js';
import type { RawLayout } from '../../../src/core/native/addon.js';
import { Layout } from '../../../src/core/native/layout.js';
import type { ProcRaw } from '../../../src/core/procfs/capture.js';

interface Bundle {
  layout: RawLayout;
  glibc: string;
  pids: number[];
  observers?: number[];
  samples: ProcRaw[][];
  probe: ProbeLog;
  run: RunContext | null;
}

function replay(name: string, hangEvidence?: string) {
  const b = JSON.parse(readFileSync(new URL(`../../fixtures/diagnosis/waits-${name}.json`, import.meta.url), 'utf8')) as Bundle;
  const d = analyze({ layout: new Layout(b.layout), glibcVersion: b.glibc, samples: b.samples, probe: new ReplayProbe(b.probe), observers: b.observers ?? [], ...(hangEvidence ? { hangEvidence } : {}) });
  const threads = (pid: number) => d.processes.find((p) => p.pid === pid)!.threads;
  return { b, d, threads };
}

describe('recorded waits: stuck for good, with the cause', () => {
  it('a lock copied by fork: no thread of the child can unlock it; the parent, waiting for the child, is behind it', () => {
    const { b, d, threads } = replay('fork-copied-lock');
    const [child, parent] = b.pids as [number, number];
    const f = d.findings[0]!;
    expect(d.findings.map((x) => x.kind)).toEqual(['lock-copied-by-fork']);
    expect(f.pids).toEqual([child]);
    expect(threads(child)[0]!.wait).toMatchObject({ kind: 'futex', wakers: [], definite: true, copiedFrom: { pid: parent } });
    expect(d.processes.find((p) => p.pid === parent)!.behind).toMatchObject({ pid: child, kind: 'lock-copied-by-fork' });
    // The parent's thread that holds the lock waits for a signal: open, not stuck.
    expect(threads(parent).some((t) => t.verdict?.kind === 'waiting' && t.wait?.kind === 'signal')).toBe(true);
  });

  it('OFD locks: the holders are the processes whose fdinfo lists the blocking lock, and the two waits close a cycle', () => {
    const { b, d, threads } = replay('ofd-deadlock');
    const [a, c] = b.pids as [number, number];
    expect(threads(a)[0]!.wait).toMatchObject({ kind: 'file-lock', definite: true, wakers: [{ pid: c, tid: null }] });
    expect(threads(c)[0]!.wait).toMatchObject({ kind: 'file-lock', definite: true, wakers: [{ pid: a, tid: null }] });
    expect(d.findings.map((f) => f.kind)).toEqual(['deadlock-cycle']);
  });

  it('epoll on a pipe and poll on another: each target judged by the pipe module, the cycle runs through both', () => {
    const { b, d, threads } = replay('epoll-cycle');
    const [a, c] = b.pids as [number, number];
    expect(threads(a)[0]!.wait).toMatchObject({ kind: 'epoll', definite: true, wakers: [{ pid: c, tid: null }] });
    expect(threads(c)[0]!.wait).toMatchObject({ kind: 'poll', definite: true, wakers: [{ pid: a, tid: null }] });
    expect(d.findings[0]).toMatchObject({ kind: 'deadlock-cycle', pids: [a, c].sort((x, y) => x - y) });
  });

  it('loopback TCP: the peer is the socket whose endpoints are this one swapped, held by the other process', () => {
    const { b, d, threads } = replay('tcp-cycle');
    const [a, c] = b.pids as [number, number];
    expect(threads(a)[0]!.wait!.on).toMatch(/^TCP 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(ESTABLISHED\)/);
    expect(threads(a)[0]!.wait!.wakers).toEqual([{ pid: c, tid: null }]);
    expect(d.findings.map((f) => f.kind)).toEqual(['deadlock-cycle']);
  });

  it("a PI deadlock: glibc's park on a word of the parked thread's own stack, recognised because that thread owns the PI mutex the other waits for", () => {
    const { d } = replay('pi-deadlock');
    const f = d.findings.find((x) => x.kind === 'deadlock-cycle')!;
    expect(f.summary).toMatch(/priority-inheritance/);
    expect(stuckCounts(d)).toMatchObject({ threads: 3, processes: 1 });
  });
});

describe('recorded waits: never stuck where something can end them', () => {
  it('a server idle in epoll on a listening socket: open to any client, no finding; past a deadline, an unknown finding, never a proof', () => {
    const { b, d, threads } = replay('tcp-idle-server');
    expect(d.findings).toEqual([]);
    expect(threads(b.pids[0]!)[0]!.wait).toMatchObject({ kind: 'epoll', reach: 'open' });
    expect(threads(b.pids[0]!)[0]!.verdict!.kind).toBe('waiting');
    expect(replay('tcp-idle-server', 'not finished by the 1000 ms deadline').d.findings.map((f) => [f.kind, f.proof])).toEqual([['unknown', undefined]]);
  });

  it('a message queue a live child has open to send: waiting on that child', () => {
    const { b, threads } = replay('mq-fed');
    const [receiver, sender] = b.pids as [number, number];
    const v = threads(receiver)[0]!.verdict!;
    expect(v.kind).toBe('waiting');
    expect(v.by).toEqual([{ pid: sender, tid: null }]);
  });

  it('System V semaphores: open (no holder to name), the last operators as evidence, and their cycle a labelled hypothesis', () => {
    const { b, d, threads } = replay('sysv-sem-deadlock');
    const [a, c] = b.pids as [number, number];
    expect(d.findings).toEqual([]);
    for (const pid of [a, c]) expect(threads(pid)[0]!.wait).toMatchObject({ kind: 'sysv-sem', reach: 'open' });
    expect(threads(a)[0]!.wait!.lastOperator).toEqual({ pid: c, tid: null });
    expect(d.hypotheses!.join('\n')).toMatch(/^hypothesis: a deadlock through System V IPC: .*not a proof\)$/m);
  });
});
