// The native core with real processes on real segments: values through the
// fixed MVar, the protocol in both runtimes, the original's hang, rings that
// survive SIGKILL, and segments that are not ours.
import { execa } from 'execa';
import { closeSync, openSync, ftruncateSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runIteration, type IterationSpec } from '../../src/core/run/iteration.js';
import { ExecaLauncher } from '../../src/core/run/launchers/execa.js';
import { ForkServerLauncher } from '../../src/core/run/launchers/forkserver.js';
import type { Launcher } from '../../src/core/run/launchers/launcher.js';
import type { TraceEvent } from '../../src/core/native/layout.js';
import { layout } from '../../src/core/native/layout.js';
import { Segment } from '../../src/core/native/segment.js';
import { byProcess } from '../../src/core/trace/stats.js';
import { alive, NODE_WORKER, shmEntries, until, WORKER } from '../helpers.js';

const spec = (over: Partial<IterationSpec>): IterationSpec => ({
  early: false,
  index: 1,
  nslaves: 8,
  variant: 'fixed',
  fault: 'none',
  runtime: 'native',
  slaveThread: 'worker',
  rounds: 10,
  timeoutMs: 20_000,
  stallMs: 2000,
  pollMs: 20,
  ringEvents: 4096,
  spawner: 'forkserver',
  ...over,
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function decodeRing(seg: Segment, slot: number, role: TraceEvent['role'], id: number): TraceEvent[] {
  const r = seg.raw.readEvents(slot, 0);
  return layout().decodeEvents(r.events, () => ({ slot, role, id })).events;
}

describe('fixed variant', () => {
  it('passes 1,000 values from a producer to a consumer process exactly once and in order', async () => {
    const seg = Segment.create({ variant: 'fixed', nslaves: 1, rounds: 0, ringEvents: 1 << 14 });
    cleanups.push(() => (seg.unlink(), seg.close()));
    const common = ['--segment', seg.openPath, '--count', '1000', '--parent', String(process.pid)];
    const [producer, consumer] = await Promise.all([
      execa(WORKER, ['--role', 'producer', ...common], { reject: false }),
      // The consumer is a Node process: values cross runtimes too.
      execa(process.execPath, [NODE_WORKER, '--role', 'consumer', '--thread', 'worker', ...common], { reject: false }),
    ]);
    expect(producer.exitCode, producer.stderr).toBe(0);
    expect(consumer.exitCode, consumer.stderr).toBe(0);
    const taken = decodeRing(seg, 1, 'consumer', 0)
      .filter((e) => e.op === 'take' && e.phase === 'copied')
      .map((e) => e.value);
    expect(taken).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    const snap = seg.snapshot();
    expect(snap.mvar.isFull).toBe(false);
    expect(snap.mvar.takes).toBe(1000);
    expect(snap.mvar.puts).toBe(1000);
  });

  const launchers: [string, () => Launcher, Partial<IterationSpec>][] = [
    ['native slaves (fork server)', () => new ForkServerLauncher(), {}],
    ['native slaves (execa)', () => new ExecaLauncher({ runtime: 'native', slaveThread: 'worker' }), {}],
    ['node slaves, worker thread', () => new ExecaLauncher({ runtime: 'node', slaveThread: 'worker' }), { runtime: 'node' }],
    ['node slaves, main thread', () => new ExecaLauncher({ runtime: 'node', slaveThread: 'main' }), { runtime: 'node', slaveThread: 'main' }],
  ];

  for (const [name, make, over] of launchers) {
    it(`runs master + 8 ${name} to completion with a complete trace`, async () => {
      const launcher = make();
      const r = await runIteration(spec(over), launcher).finally(() => launcher.close());
      expect(r.verdict).toBe('completed');
      for (const p of r.processes) {
        expect(p.exit, `${p.role} ${p.id}`).toEqual({ code: 0, signal: null, killedByWatchdog: false });
        expect(p.classification).toBe('done');
      }
      expect(r.final.mvar.isFull).toBe(false);
      expect(r.final.mvar.takes).toBe(8 * 11);
      expect(r.final.mvar.puts).toBe(8 + 8 * 10);
      expect(r.missedEvents.every((m) => m === 0)).toBe(true);

      const procs = byProcess(r.events);
      expect(procs.size).toBe(9);
      for (const [slot, events] of procs) {
        const expectedOps = slot === 0 ? 8 : 21;
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
        for (let i = 1; i < events.length; i++) expect(events[i]!.tNs).toBeGreaterThanOrEqual(events[i - 1]!.tNs);
        const ops = new Map<number, TraceEvent[]>();
        for (const e of events) ops.set(e.opId, [...(ops.get(e.opId) ?? []), e]);
        expect([...ops.keys()]).toEqual(Array.from({ length: expectedOps }, (_, i) => i + 1));
        for (const [, op] of ops) {
          expect(op[0]!.phase).toBe('enter');
          expect(op.at(-1)!.phase).toBe('done');
        }
      }
    });
  }
});

describe('original variant', () => {
  it('hangs with 50 native slaves: a process stops writing events while unfinished; nothing is left behind', async () => {
    const launcher = new ForkServerLauncher();
    const r = await runIteration(spec({ variant: 'original', nslaves: 50, timeoutMs: 5000, stallMs: 2000 }), launcher).finally(
      () => launcher.close(),
    );
    expect(r.verdict).toBe('hang');
    const stuck = r.processes.filter((p) => p.classification === 'stuck');
    expect(stuck.length).toBeGreaterThan(0);
    for (const p of stuck) {
      expect(p.slotState?.state).toBe('running');
      expect(p.sinceLastEventMs ?? Infinity).toBeGreaterThan(2000);
    }
    for (const p of r.processes) expect(alive(p.pid)).toBe(false);
    expect(shmEntries()).not.toContain(r.segmentName.slice(1));
  });
});

describe('trace rings', () => {
  it('keep a SIGKILLed writer’s last events readable', async () => {
    const seg = Segment.create({ variant: 'fixed', nslaves: 1, rounds: 10 });
    cleanups.push(() => (seg.unlink(), seg.close()));
    // A slave without a master waits in take, timing out and retrying.
    const child = execa(WORKER, ['--segment', seg.openPath, '--role', 'slave', '--id', '1'], { reject: false });
    expect(await until(() => seg.raw.readEvents(1, 0).head >= 8, 5000)).toBe(true);
    const before = decodeRing(seg, 1, 'slave', 1);
    child.kill('SIGKILL');
    const r = await child;
    expect(r.signal).toBe('SIGKILL');

    const reader = Segment.open(seg.openPath); // a second, independent mapping
    cleanups.push(() => reader.close());
    const after = decodeRing(reader, 1, 'slave', 1);
    expect(after.length).toBeGreaterThanOrEqual(before.length);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((e) => e.seq)).toEqual(after.map((_, i) => i));
    expect(new Set(after.map((e) => e.pid))).toEqual(new Set([child.pid]));
    expect(['wait-begin', 'wait-timeout', 'signalled']).toContain(after.at(-1)!.phase);
    expect(reader.snapshot().slots[1]!.state).toBe('running');
  });

  it('count what a lapping writer overwrote instead of losing it silently', async () => {
    const seg = Segment.create({ variant: 'fixed', nslaves: 1, rounds: 0, ringEvents: 16 });
    cleanups.push(() => (seg.unlink(), seg.close()));
    const common = ['--segment', seg.openPath, '--count', '50'];
    await Promise.all([execa(WORKER, ['--role', 'producer', ...common]), execa(WORKER, ['--role', 'consumer', ...common])]);
    const r = seg.raw.readEvents(0, 0);
    expect(r.head).toBeGreaterThan(16);
    expect(r.events.length / layout().size('event')).toBe(16);
    expect(r.missed).toBe(r.head - 16);
  });
});

describe('segments that are not ours', () => {
  const shmFile = (bytes: Buffer | number) => {
    const name = `mvar-repro-test-${randomBytes(6).toString('hex')}`;
    const path = `/dev/shm/${name}`;
    if (typeof bytes === 'number') {
      const fd = openSync(path, 'w', 0o600);
      ftruncateSync(fd, bytes);
      closeSync(fd);
    } else writeFileSync(path, bytes, { mode: 0o600 });
    cleanups.push(() => unlinkSync(path));
    return { name, path };
  };

  const patch = (path: string, field: string, value: number) => {
    const f = layout().field('header', field);
    const b = Buffer.alloc(f.size);
    b.writeUIntLE(value, 0, f.size);
    const fd = openSync(path, 'r+');
    writeSync(fd, b, 0, f.size, f.offset);
    closeSync(fd);
  };

  /** A real segment's bytes under a name in /dev/shm (ours have none: the core unlinks it at creation). */
  const realSegment = () => {
    const seg = Segment.create({ variant: 'fixed', nslaves: 2, rounds: 1 });
    const name = seg.name.slice(1);
    writeFileSync(`/dev/shm/${name}`, readFileSync(seg.openPath), { mode: 0o600 });
    seg.close();
    cleanups.push(() => {
      try {
        unlinkSync(`/dev/shm/${name}`);
      } catch {
        // already removed
      }
    });
    return { name, path: `/dev/shm/${name}` };
  };

  const cases: [string, () => string, RegExp][] = [
    ['too small for a header', () => shmFile(16).name, /segment too small: 16 bytes/],
    ['wrong magic', () => shmFile(Buffer.alloc(1 << 16)).name, /not an mvar-repro segment: magic is 0x0+,/],
    [
      'a future layout version',
      () => {
        const s = realSegment();
        patch(s.path, 'layoutVersion', 99);
        return s.name;
      },
      new RegExp(`layout version 99 is not supported \\(this build reads version ${layout().limits.layoutVersion}\\)`),
    ],
    [
      'capacities out of bounds',
      () => {
        const s = realSegment();
        patch(s.path, 'procCapacity', 0);
        return s.name;
      },
      /capacities out of bounds: 0 processes/,
    ],
    [
      'shorter than its header claims',
      () => {
        const s = realSegment();
        const fd = openSync(s.path, 'r+');
        ftruncateSync(fd, 4096);
        closeSync(fd);
        return s.name;
      },
      /segment too small: 4096 bytes, its header claims \d+/,
    ],
  ];

  for (const [what, make, message] of cases) {
    it(`refuses ${what}, in the addon and in the worker`, async () => {
      const name = make();
      expect(() => Segment.open(name)).toThrow(message);
      const r = await execa(WORKER, ['--segment', name, '--role', 'slave', '--id', '1'], { reject: false });
      expect(r.exitCode).toBe(layout().exitCodes.segment);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
