// Which word of which glibc primitive a futex wait is on, decided from the
// evidence: checked against recorded real waits whose answer is known, the
// original hang inside our own segment, where the layout table names every
// field. The decoder is not told the answer; it sees only the futex call and
// the bytes around the address, as it would in a foreign program.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFutex } from '../../../src/core/diagnosis/futex.js';
import { identifyFutexWord, type Offsets } from '../../../src/core/diagnosis/futex-word.js';
import { condOffsets, mutexOffsets } from '../../../src/core/diagnosis/glibc.js';
import type { ProbeLog } from '../../../src/core/diagnosis/probe/recorded.js';
import type { RawLayout } from '../../../src/core/native/addon.js';
import { Layout } from '../../../src/core/native/layout.js';
import type { ProcRaw } from '../../../src/core/procfs/capture.js';
import { findMapping, parseMaps, parseSyscall } from '../../../src/core/procfs/decode.js';

interface Bundle {
  layout: RawLayout;
  samples: ProcRaw[][];
  probe: ProbeLog;
  run: { segmentName: string; header: { mvarOffset: number } };
}

const b = JSON.parse(readFileSync(new URL('../../fixtures/diagnosis/original.json', import.meta.url), 'utf8')) as Bundle;
const layout = new Layout(b.layout);
const offsets: Offsets = { mutex: mutexOffsets(layout), cond: condOffsets(layout), mutexSize: layout.field('mvar', 'mutex').size, condSize: layout.field('mvar', 'canTake').size };

/** The segment's start in each process, and the memory recorded there, so any process's read can be served. */
const segStart = new Map<number, bigint>();
for (const p of b.samples[0]!) {
  const m = parseMaps(p.maps).find((x) => x.path.includes(b.run.segmentName));
  if (m) segStart.set(p.pid, m.start - m.offset);
}
const recorded = new Map<string, Buffer>(); // "segment offset:len" -> bytes
for (const [k, hex] of Object.entries(b.probe.memory)) {
  const [pid, addr, len] = k.split(':');
  const start = segStart.get(Number(pid));
  if (hex && start !== undefined) recorded.set(`${BigInt(`0x${addr}`) - start}:${len}`, Buffer.from(hex, 'hex'));
}

describe('identifyFutexWord on the recorded original hang', () => {
  const waits = b.samples[0]!.flatMap((p) =>
    p.tasks.flatMap((t) => {
      const sc = parseSyscall(t.syscall);
      if (sc.kind !== 'syscall' || sc.nr !== 202) return [];
      const f = decodeFutex(sc.args);
      const m = findMapping(parseMaps(p.maps), f.addr);
      const start = segStart.get(p.pid);
      if (!f.waits || !m || start === undefined) return [];
      const truth = layout.fieldAt('mvar', Number(f.addr - start) - b.run.header.mvarOffset)!.name;
      return [{ pid: p.pid, f, start, truth }];
    }),
  );

  it('has real waits on several condvar words to decide', () => {
    expect(waits.length).toBeGreaterThan(10);
    expect(new Set(waits.map((w) => w.truth.split('.')[1])).size).toBeGreaterThanOrEqual(2);
  });

  it('names the same field the layout table does, for every recorded wait, without a rival reading', () => {
    for (const w of waits) {
      const read = (addr: bigint, len: number) => recorded.get(`${addr - w.start}:${len}`) ?? null;
      const id = identifyFutexWord(w.f, offsets, read);
      const [prim, field] = w.truth.split(/\.(.*)/) as [string, string];
      expect(id.kind).toBe(prim === 'mutex' ? 'mutex' : 'cond');
      expect(id.field).toBe(field);
      expect(id.base - w.start).toBe(BigInt(b.run.header.mvarOffset + layout.field('mvar', prim).offset));
      expect(id.confidence).toBe('certain');
      expect(id.alternatives).toEqual([]);
    }
  });

  it('without the bytes it still decides from the call alone, and says it could not check', () => {
    const w = waits.find((x) => x.truth.endsWith('__g1_orig_size'))!;
    const id = identifyFutexWord(w.f, offsets, () => null);
    expect(id).toMatchObject({ kind: 'cond', field: '__g1_orig_size', confidence: 'likely' });
  });

  it('a primitive the trace saw called is certain even without its bytes; a traced primitive elsewhere changes nothing', () => {
    const w = waits.find((x) => x.truth.endsWith('__g1_orig_size'))!;
    const base = w.start + BigInt(b.run.header.mvarOffset + layout.field('mvar', w.truth.split('.')[0]!).offset);
    const id = identifyFutexWord(w.f, offsets, () => null, undefined, { pid: w.pid, addr: base, kind: 'cond', call: 'pthread_cond_timedwait' });
    expect(id).toMatchObject({ kind: 'cond', field: '__g1_orig_size', confidence: 'certain', alternatives: [] });
    expect(id.checks[0]).toMatch(/^traced: the program called pthread_cond_timedwait on pthread_cond_t@0x[0-9a-f]+$/);
    const elsewhere = identifyFutexWord(w.f, offsets, () => null, undefined, { pid: w.pid, addr: base + 4096n, kind: 'cond', call: 'pthread_cond_wait' });
    expect(elsewhere.confidence).toBe('likely');
  });

  it('a call no glibc primitive makes is a raw futex', () => {
    const raw = decodeFutex([0x1000n, 0x80n, 4n, 0n, 0n, 0n]); // FUTEX_WAIT|PRIVATE, expected 4
    expect(identifyFutexWord(raw, offsets, () => null)).toMatchObject({ kind: 'futex', field: '' });
  });
});
