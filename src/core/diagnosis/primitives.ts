// Which object and field a futex word is, and the primitives decoded from
// memory: inside an mvar-repro segment (recognised by its header, read
// through /proc/PID/mem) the field is named from the layout table and our
// primitives are decoded from their own bytes; in foreign shared memory the
// futex call and the words around the address decide which word of which
// glibc primitive it is (futex-word.ts), and the decode is marked a guess. Mutex owners are resolved to live or dead
// threads. Used by the facts pass only.
import type { Layout, SegmentHeader } from '../native/layout.js';
import { findMapping, isShared, type MapEntry } from '../procfs/decode.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { FutexDecode } from './futex.js';
import { identifyFutexWord, SEM_SIZE, type Offsets, type WordIdentity } from './futex-word.js';
import { condOffsets, describeCond, describeMutex, mutexOffsets, readCond, readMutex, type MutexView } from './glibc.js';
import type { RunContext, TracedPrimitive } from './input.js';
import type { Probe } from './probe/probe.js';
import type { FutexCall, MappingRef, PrimitiveDecode } from './types.js';
import { barrierOffsets, rwlockOffsets, type RwlockView } from './glibc-rwlock.js';
import { hex } from '../system/hex.js';

/** Our segment's primitives, as named in the layout table's mvar region. */
const PRIMITIVES = ['mutex', 'canPut', 'canTake', 'aux[0]', 'aux[1]'] as const;
type PrimName = (typeof PRIMITIVES)[number];
const isMutexName = (n: string) => n === 'mutex' || n.startsWith('aux');

/** The primitive a futex word belongs to: one of ours (by layout) or a guessed one. */
export interface PrimitiveRef {
  name: string;
  type: 'mutex' | 'cond' | 'sem' | 'rwlock' | 'barrier';
  mutex?: MutexView;
  rwlock?: RwlockView;
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
  /** Foreign memory: the evidence behind the reading. */
  identity: WordIdentity | null;
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

/** Where addr lies in pid's mapping, named so that the same object and offset seen from another process has the same key. */
export function mappingRef(pid: number, mapping: MapEntry, addr: bigint): MappingRef {
  const offset = Number(addr - mapping.start + mapping.offset);
  return {
    path: mapping.path,
    shared: isShared(mapping),
    device: mapping.dev,
    inode: mapping.inode,
    offset,
    key: mapping.inode ? `${mapping.dev}:${mapping.inode}+${hex(offset)}` : `pid ${pid}:${hex(addr)}`,
  };
}

export function primitiveFinder(layout: Layout, probe: Probe, run: RunContext | undefined, label: (pid: number | null | undefined) => string, traced: TracedPrimitive[] = []): PrimitiveFinder {
  const mOff = mutexOffsets(layout);
  const cOff = condOffsets(layout);
  const offsets: Offsets = {
    mutex: mOff,
    cond: cOff,
    mutexSize: layout.field('mvar', 'mutex').size,
    condSize: layout.field('mvar', 'canTake').size,
    rwlock: rwlockOffsets(layout),
    barrier: barrierOffsets(layout),
  };
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
  const ownerFields = (tid: number) => {
    const owner = ownerOf(tid);
    return { ownerAlive: owner.alive, ownerPid: owner.pid ?? null };
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

  /** Foreign memory: which word of which primitive the futex is, from the call and the bytes around it. */
  const identifyForeign = (pid: number, mapping: MapEntry, f: FutexDecode): { primitive: PrimitiveRef | null; identity: WordIdentity; traced: boolean } => {
    const size = { mutex: offsets.mutexSize, cond: offsets.condSize, sem: SEM_SIZE };
    // A traced call names a mutex, condvar or semaphore: its bytes are then read as that, for certain.
    const known = traced.find((t) => t.pid === pid && f.addr >= t.addr && f.addr < t.addr + BigInt(size[t.kind]));
    const identity = identifyFutexWord(f, offsets, (addr, len) => probe.readMemory(pid, addr, len), { start: mapping.start, end: mapping.end }, known);
    if (identity.kind === 'futex') return { primitive: null, identity, traced: false };
    // Named by its offset in a shared object (the same name in every process that maps it), else by address.
    const where = mapping.inode && isShared(mapping) ? identity.base - mapping.start + mapping.offset : identity.base;
    const name = `${identity.kind}@${hex(where)}`;
    // A reading the bytes settle (one fits, and agrees) is no guess; only rival readings, or unread bytes, are.
    const guess = !known && identity.confidence !== 'certain';
    if (identity.mutex) recordMutex(name, identity.mutex, guess);
    else if (identity.cond)
      primitives.set(name, { name, type: 'cond', guess, lines: identity.cond.lines, pshared: identity.cond.pshared, clock: identity.cond.clock, waiters: identity.cond.waiterRefs });
    else if (identity.semShared !== undefined)
      primitives.set(name, { name, type: 'sem', guess, lines: [`private word: ${identity.semShared ? 'LLL_SHARED (128): process-shared' : 'LLL_PRIVATE (0): process-private'}`], pshared: identity.semShared });
    else if (identity.rwlock)
      primitives.set(name, {
        name,
        type: 'rwlock',
        guess,
        lines: identity.rwlock.lines,
        pshared: identity.rwlock.pshared,
        ...(identity.rwlock.writerTid ? { ownerTid: identity.rwlock.writerTid, ...ownerFields(identity.rwlock.writerTid) } : {}),
      });
    else if (identity.barrier) primitives.set(name, { name, type: 'barrier', guess, lines: identity.barrier.lines, pshared: identity.barrier.pshared });
    const type = identity.kind;
    return {
      primitive: { name, type, ...(identity.mutex ? { mutex: identity.mutex } : {}), ...(identity.rwlock ? { rwlock: identity.rwlock } : {}), guess, field: `${name}.${identity.field}` },
      identity,
      traced: known !== undefined,
    };
  };

  const locateFutex = (raw: ProcRaw, maps: MapEntry[], futex: FutexDecode): FutexLocation => {
    const mapping = findMapping(maps, futex.addr) ?? null;
    let field: string | null = null;
    let fieldSource: FutexCall['fieldSource'] = null;
    let ref: MappingRef | null = null;
    let primitive: PrimitiveRef | null = null;
    let identity: WordIdentity | null = null;
    if (mapping) {
      ref = mappingRef(raw.pid, mapping, futex.addr);
      const seg = segmentOf(raw.pid, mapping);
      if (seg) {
        field = segmentField(seg, ref.offset);
        fieldSource = 'segment-layout';
        const prim = PRIMITIVES.find((p) => field === `mvar.${p}` || field?.startsWith(`mvar.${p}.`));
        if (prim) {
          decodeOurPrimitive(seg, prim);
          primitive = { name: `mvar.${prim}`, type: isMutexName(prim) ? 'mutex' : 'cond', mutex: mutexViews.get(`mvar.${prim}`), guess: false };
        }
      } else if (futex.waits) {
        const id = identifyForeign(raw.pid, mapping, futex);
        identity = id.identity;
        primitive = id.primitive;
        if (primitive) {
          field = primitive.field ?? primitive.name;
          fieldSource = id.traced ? 'traced' : primitive.guess ? 'guess' : 'decoded';
        }
      }
    }
    return { mapping, ref, field, fieldSource, primitive, identity };
  };

  const decodeRunPrimitives = (): void => {
    if (!run) return;
    const seg = [...segments.values()].find((s) => s !== null) ?? { header: run.header, base: new Map() };
    for (const p of PRIMITIVES) if (!p.startsWith('aux') || run.header.fault === 'abba') decodeOurPrimitive(seg, p);
  };

  return { primitives, mutexViews, locateFutex, decodeRunPrimitives };
}
