// Which object and field a futex word is, and the primitives decoded from
// memory: inside an mvar-repro segment (recognised by its header, read
// through /proc/PID/mem) the field is named from the layout table and our
// primitives are decoded from their own bytes; in foreign shared memory the
// words around the address are decoded as a glibc mutex or condvar where the
// shape fits, and marked a guess. Mutex owners are resolved to live or dead
// threads. Used by the facts pass only.
import type { Layout, SegmentHeader } from '../native/layout.js';
import { findMapping, isShared, type MapEntry } from '../procfs/decode.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { FutexDecode } from './futex.js';
import {
  condOffsets,
  describeCond,
  describeMutex,
  looksLikeCond,
  looksLikeMutex,
  mutexOffsets,
  PTHREAD_MUTEX_PSHARED_BIT,
  readCond,
  readMutex,
  type MutexView,
} from './glibc.js';
import type { RunContext } from './input.js';
import type { Probe } from './probe.js';
import type { FutexCall, MappingRef, PrimitiveDecode } from './types.js';

export const hex = (v: bigint | number) => `0x${v.toString(16)}`;

/** Our segment's primitives, as named in the layout table's mvar region. */
const PRIMITIVES = ['mutex', 'canPut', 'canTake', 'aux[0]', 'aux[1]'] as const;
type PrimName = (typeof PRIMITIVES)[number];
const isMutexName = (n: string) => n === 'mutex' || n.startsWith('aux');

/** The primitive a futex word belongs to: one of ours (by layout) or a guessed one. */
export interface PrimitiveRef {
  name: string;
  type: 'mutex' | 'cond';
  mutex?: MutexView;
  guess: boolean;
  field?: string;
}

/** Where a futex word lies: the mapping, its object and offset, and the field it is when we can tell. */
export interface FutexLocation {
  mapping: MapEntry | null;
  ref: MappingRef | null;
  field: string | null;
  fieldSource: FutexCall['fieldSource'];
  primitive: PrimitiveRef | null;
}

export interface PrimitiveFinder {
  /** Every primitive decoded so far, by name ("mvar.canTake", "mutex@0x7f…"). */
  primitives: Map<string, PrimitiveDecode>;
  mutexViews: Map<string, MutexView>;
  locateFutex(raw: ProcRaw, maps: MapEntry[], futex: FutexDecode): FutexLocation;
  /** Our runs: decode the segment's primitives whether anyone waits on them or not. */
  decodeRunPrimitives(): void;
}

interface Segmentish {
  header: SegmentHeader;
  /** Start address of the mapping in a given process. */
  base: Map<number, bigint>;
}


export function primitiveFinder(layout: Layout, probe: Probe, run: RunContext | undefined, label: (pid: number | null | undefined) => string): PrimitiveFinder {
  const mOff = mutexOffsets(layout);
  const cOff = condOffsets(layout);
  const segments = new Map<string, Segmentish | null>();
  const primitives = new Map<string, PrimitiveDecode>();
  const mutexViews = new Map<string, MutexView>();

  const segmentOf = (pid: number, m: MapEntry): Segmentish | null => {
    const key = `${m.dev}:${m.inode}`;
    if (!m.path.startsWith('/dev/shm/') || !isShared(m)) return null;
    let seg = segments.get(key);
    if (seg === undefined) {
      seg = null;
      const bytes = m.offset === 0n ? probe.readMemory(pid, m.start, layout.size('header')) : null;
      if (bytes) {
        const h = layout.decodeHeader(bytes);
        if (h.magic === layout.raw.magic && h.layoutVersion === layout.limits.layoutVersion) seg = { header: h, base: new Map() };
      } else if (run && m.path.replace(/ \(deleted\)$/, '') === `/dev/shm${run.segmentName}`) {
        seg = { header: run.header, base: new Map() };
      }
      segments.set(key, seg);
    }
    if (seg) seg.base.set(pid, m.start - m.offset);
    return seg;
  };

  const segmentField = (seg: Segmentish, offset: number): string => {
    const h = seg.header;
    if (offset >= h.mvarOffset && offset < h.mvarOffset + layout.size('mvar')) {
      const f = layout.fieldAt('mvar', offset - h.mvarOffset);
      return f ? `mvar.${f.name}` : 'mvar';
    }
    if (offset >= h.slotsOffset && offset < h.ringsOffset) {
      const slot = Math.floor((offset - h.slotsOffset) / layout.size('slot'));
      const f = layout.fieldAt('slot', (offset - h.slotsOffset) % layout.size('slot'));
      return `slots[${slot}]${f ? `.${f.name}` : ''}`;
    }
    if (offset >= h.ringsOffset) return `rings[${Math.floor((offset - h.ringsOffset) / h.ringSize)}]`;
    return 'header';
  };

  /** Bytes of one of our primitives: from a process's memory, else from the run's snapshot. */
  const primitiveBytes = (seg: Segmentish, name: PrimName): Buffer | null => {
    const f = layout.field('mvar', name);
    for (const [pid, base] of seg.base) {
      const b = probe.readMemory(pid, base + BigInt(seg.header.mvarOffset + f.offset), f.size);
      if (b) return b;
    }
    const h = run?.primitives[name];
    return h ? Buffer.from(h, 'hex') : null;
  };

  const ownerOf = (tid: number) => {
    const t = probe.thread(tid);
    const pid = t.alive ? t.pid : (run?.tids[tid] ?? t.pid);
    return { ...t, pid };
  };
  /** Records a decoded mutex, with its owner resolved to a live or dead thread. */
  const recordMutex = (name: string, v: MutexView, guess: boolean): void => {
    mutexViews.set(name, v);
    const owner = v.ownerTid ? ownerOf(v.ownerTid) : null;
    primitives.set(name, {
      name,
      type: 'mutex',
      guess,
      lines: [...v.lines, ...(owner ? [`owner tid ${v.ownerTid}: ${owner.alive ? 'alive' : 'gone'}, ${label(owner.pid)}`] : [])],
      pshared: v.pshared,
      robust: v.robust,
      ownerTid: v.ownerTid,
      ownerAlive: owner?.alive ?? false,
      ownerPid: owner?.pid ?? null,
    });
  };
  const decodeOurPrimitive = (seg: Segmentish, name: PrimName): void => {
    if (primitives.has(`mvar.${name}`)) return;
    const b = primitiveBytes(seg, name);
    if (!b) return;
    if (isMutexName(name)) {
      recordMutex(`mvar.${name}`, describeMutex(readMutex(b, 0, mOff)), false);
    } else {
      const v = describeCond(readCond(b, 0, cOff));
      primitives.set(`mvar.${name}`, { name: `mvar.${name}`, type: 'cond', guess: false, lines: v.lines, pshared: v.pshared, clock: v.clock, waiters: v.waiterRefs });
    }
  };

  /** Reads the words around a foreign futex and decodes them as a mutex or condvar if the shape fits. */
  const guessPrimitive = (pid: number, f: FutexDecode): PrimitiveRef | null => {
    const mutexSize = layout.field('mvar', 'mutex').size;
    const condSize = layout.field('mvar', 'canTake').size;
    const asMutex = probe.readMemory(pid, f.addr - BigInt(mOff.__lock ?? 0), mutexSize);
    if (asMutex && f.command === 'WAIT' && (f.expected === 2 || f.expected === 1)) {
      const m = readMutex(asMutex, 0, mOff);
      if (looksLikeMutex(m) && Boolean(m.kind & PTHREAD_MUTEX_PSHARED_BIT) !== f.private) {
        const v = describeMutex(m);
        const name = `mutex@${hex(f.addr - BigInt(mOff.__lock ?? 0))}`;
        recordMutex(name, v, true);
        return { name, type: 'mutex', mutex: v, guess: true, field: `${name}.__lock` };
      }
    }
    for (const field of ['__g_signals[0]', '__g_signals[1]', '__g1_orig_size', '__g_refs[0]', '__g_refs[1]']) {
      const off = cOff[field];
      if (off === undefined) continue;
      const b = probe.readMemory(pid, f.addr - BigInt(off), condSize);
      if (!b) continue;
      const c = readCond(b, 0, cOff);
      const v = describeCond(c);
      // The condvar's own pshared bit must agree with the futex's private flag.
      if (!looksLikeCond(c) || v.pshared === f.private) continue;
      const name = `cond@${hex(f.addr - BigInt(off))}`;
      primitives.set(name, { name, type: 'cond', guess: true, lines: v.lines, pshared: v.pshared, clock: v.clock, waiters: v.waiterRefs });
      return { name, type: 'cond', guess: true, field: `${name}.${field}` };
    }
    return null;
  };

  const locateFutex = (raw: ProcRaw, maps: MapEntry[], futex: FutexDecode): FutexLocation => {
    const mapping = findMapping(maps, futex.addr) ?? null;
    let field: string | null = null;
    let fieldSource: FutexCall['fieldSource'] = null;
    let ref: MappingRef | null = null;
    let primitive: PrimitiveRef | null = null;
    if (mapping) {
      const offset = Number(futex.addr - mapping.start + mapping.offset);
      const shared = isShared(mapping);
      ref = {
        path: mapping.path,
        shared,
        device: mapping.dev,
        inode: mapping.inode,
        offset,
        key: mapping.inode ? `${mapping.dev}:${mapping.inode}+${hex(offset)}` : `pid ${raw.pid}:${hex(futex.addr)}`,
      };
      const seg = segmentOf(raw.pid, mapping);
      if (seg) {
        field = segmentField(seg, offset);
        fieldSource = 'segment-layout';
        const prim = PRIMITIVES.find((p) => field === `mvar.${p}` || field?.startsWith(`mvar.${p}.`));
        if (prim) {
          decodeOurPrimitive(seg, prim);
          primitive = { name: `mvar.${prim}`, type: isMutexName(prim) ? 'mutex' : 'cond', mutex: mutexViews.get(`mvar.${prim}`), guess: false };
        }
      } else if (futex.waits && shared) {
        primitive = guessPrimitive(raw.pid, futex);
        if (primitive) {
          field = primitive.field ?? primitive.name;
          fieldSource = 'guess';
        }
      }
    }
    return { mapping, ref, field, fieldSource, primitive };
  };

  const decodeRunPrimitives = (): void => {
    if (!run) return;
    const seg = [...segments.values()].find((s) => s !== null) ?? { header: run.header, base: new Map() };
    for (const p of PRIMITIVES) if (!p.startsWith('aux') || run.header.fault === 'abba') decodeOurPrimitive(seg, p);
  };

  return { primitives, mutexViews, locateFutex, decodeRunPrimitives };
}
