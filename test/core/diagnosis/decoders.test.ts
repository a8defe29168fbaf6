// Decoders on real captured text and bytes (test/fixtures/diagnosis/*.json).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFutex, formatFutex } from '../../../src/core/diagnosis/futex.js';
import { condOffsets, describeCond, describeMutex, mutexOffsets, readCond, readMutex } from '../../../src/core/diagnosis/glibc.js';
import { findMapping, parseMaps, parseStat, parseSyscall } from '../../../src/core/procfs/decode.js';
import { Layout } from '../../../src/core/native/layout.js';

const bundle = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/diagnosis/${name}.json`, import.meta.url), 'utf8'));

describe('procfs decoders', () => {
  it('parse stat, syscall and maps as the kernel wrote them', () => {
    const b = bundle('stop-slave');
    const holder = b.run.processes.find((p: { role: string; id: number }) => p.role === 'slave' && p.id === 1).pid;
    const raw = b.samples[0].find((p: { pid: number }) => p.pid === holder);
    const stat = parseStat(raw.tasks[0].stat)!;
    expect(stat).toMatchObject({ pid: holder, comm: 'mvar-slave-1', state: 'T' });
    const waiter = b.samples[0].find((p: { tasks: { syscall: string }[] }) => p.tasks[0]!.syscall.startsWith('202 '));
    const sc = parseSyscall(waiter.tasks[0].syscall);
    expect(sc.kind).toBe('syscall');
    if (sc.kind !== 'syscall') return;
    expect(sc.nr).toBe(202);
    const maps = parseMaps(waiter.maps);
    const m = findMapping(maps, sc.args[0]!)!;
    expect(m.perms).toBe('rw-s');
    expect(m.path).toMatch(/^\/dev\/shm\/mvar-repro-\d+-[0-9a-f]{16} \(deleted\)$/);
  });

  it('read "running" and "-1 sp pc" syscall states', () => {
    expect(parseSyscall('running')).toEqual({ kind: 'running' });
    expect(parseSyscall('-1 0x7ffd1 0x4005')).toMatchObject({ kind: 'no-syscall' });
    expect(parseSyscall(null)).toEqual({ kind: 'unreadable' });
  });
});

describe('futex decoder', () => {
  const args = (line: string) => (parseSyscall(line) as { args: bigint[] }).args;
  it('the original: FUTEX_WAIT with the private flag and no timeout', () => {
    const f = decodeFutex(args(bundle('original').samples[0][0].tasks[0].syscall));
    expect(f).toMatchObject({ command: 'WAIT', private: true, clockRealtime: false, timed: false, waits: true });
    expect(formatFutex(f)).toMatch(/^futex\(0x[0-9a-f]+, FUTEX_WAIT\|FUTEX_PRIVATE_FLAG, \d+, NULL\)$/);
  });
  it('the fixed variant: shared FUTEX_WAIT_BITSET with a timeout (a timed condvar wait)', () => {
    const b = bundle('lose-value');
    const waiter = b.samples[0].find((p: { tasks: { syscall: string }[] }) => /^202 \S+ 0x9 /.test(p.tasks[0].syscall));
    expect(decodeFutex(args(waiter.tasks[0].syscall))).toMatchObject({ command: 'WAIT_BITSET', private: false, timed: true });
  });
  it('a foreign condvar wait: WAIT_BITSET|PRIVATE|CLOCK_REALTIME, untimed', () => {
    const b = bundle('foreign-private-cond');
    expect(decodeFutex(args(b.samples[0][1].tasks[0].syscall))).toMatchObject({ command: 'WAIT_BITSET', private: true, clockRealtime: true, timed: false });
  });
});

describe('glibc primitive decoders on real segment bytes', () => {
  const L = new Layout(bundle('original').layout);
  it('the original: all-zero style primitives are process-private', () => {
    const b = bundle('original');
    const m = describeMutex(readMutex(Buffer.from(b.run.primitives.mutex, 'hex'), 0, mutexOffsets(L)));
    expect(m).toMatchObject({ pshared: false, robust: false });
    const c = describeCond(readCond(Buffer.from(b.run.primitives.canTake, 'hex'), 0, condOffsets(L)));
    expect(c).toMatchObject({ pshared: false, clock: 'realtime' });
  });
  it('fixed: process-shared, robust, monotonic; a robust lock word names its owner', () => {
    const b = bundle('stop-slave');
    const holder = b.run.processes.find((p: { role: string; id: number }) => p.role === 'slave' && p.id === 1);
    const m = describeMutex(readMutex(Buffer.from(b.run.primitives.mutex, 'hex'), 0, mutexOffsets(L)));
    expect(m).toMatchObject({ pshared: true, robust: true, locked: true, ownerTid: holder.pid });
    const c = describeCond(readCond(Buffer.from(b.run.primitives.canPut, 'hex'), 0, condOffsets(L)));
    expect(c).toMatchObject({ pshared: true, clock: 'monotonic' });
  });
  it('abba: each aux mutex is owned by the other party', () => {
    const b = bundle('abba');
    const tid = (id: number) => b.run.processes.find((p: { role: string; id: number }) => p.role === 'slave' && p.id === id).pid;
    const aux = (i: number) => describeMutex(readMutex(Buffer.from(b.run.primitives[`aux[${i}]`], 'hex'), 0, mutexOffsets(L)));
    expect(aux(0)).toMatchObject({ locked: true, ownerTid: tid(1), robust: false, pshared: true });
    expect(aux(1)).toMatchObject({ locked: true, ownerTid: tid(2) });
  });
});
