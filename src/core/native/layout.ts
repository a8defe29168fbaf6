// The segment layout as the C core reports it, and the decoders for its
// records. Offsets always come from the table (native/layout_table.c); only
// the signedness of a field, which is part of its meaning, is stated here.
import type { RawField, RawLayout } from './addon.js';
import { addon } from './addon.js';
import { EnvironmentError } from '../system/errors.js';
import type { AddonErrorCode, Condvar, Op, Phase, Role, Runtime, SlotState, Variant, Fault } from './vocabulary.js';
import { ADDON_ERROR_CODES, CONDVARS, FAULTS, OPS, PHASES, ROLES, RUNTIMES, SLOT_STATES, VARIANTS } from './vocabulary.js';

export type RegionName = keyof RawLayout['regions'];

/** One trace record, with the process it came from. */
export interface TraceEvent {
  /** Slot index of the writer, and its role and id (0 for the master). */
  slot: number;
  role: Role;
  id: number;
  seq: number;
  /** CLOCK_MONOTONIC nanoseconds. */
  tNs: number;
  pid: number;
  tid: number;
  opId: number;
  op: Op;
  phase: Phase;
  rc: number;
  err: number;
  deadlineMs: number;
  isFull: boolean;
  value: number;
  aux: number;
}

export type EventOwner = Pick<TraceEvent, 'slot' | 'role' | 'id'>;

export interface SegmentHeader {
  magic: string;
  layoutVersion: number;
  totalSize: number;
  procCapacity: number;
  ringCapacity: number;
  variant: Variant;
  fault: Fault;
  faultTarget: number;
  rounds: number;
  nslaves: number;
  creatorPid: number;
  createdNs: number;
  /** A traced program's segment: slots its threads claimed, in order (beyond procCapacity, threads went untraced). */
  threadsClaimed: number;
  name: string;
  mvarOffset: number;
  slotsOffset: number;
  ringsOffset: number;
  ringSize: number;
}

export interface SlotInfo {
  index: number;
  pid: number;
  tid: number;
  role: Role | 'none';
  id: number;
  state: SlotState;
  curOp: Op;
  curOpId: number;
  opsDone: number;
  lastEventNs: number;
  exitStatus: number;
  runtime: Runtime | 'unknown';
  startNs: number;
  endNs: number;
  reason: string;
  /** A traced program's slot (one per thread): its process's command line, cut at 127 bytes. */
  cmd: string;
}

export interface MvarState {
  isFull: boolean;
  value: number;
  takes: number;
  puts: number;
  lockTimeouts: number;
  waitTimeouts: number;
  ownerDied: number;
  errors: number;
  /** Raw bytes of each primitive, hex, for the diagnosis decoders. */
  primitives: Record<'mutex' | 'canPut' | 'canTake' | 'aux[0]' | 'aux[1]', string>;
}

export interface SegmentSnapshot {
  header: SegmentHeader;
  mvar: MvarState;
  slots: SlotInfo[];
}

const SIGNED_EVENT = new Set(['pid', 'tid', 'rc', 'err']);
const SIGNED_SLOT = new Set(['pid', 'tid', 'exitStatus']);

function read(view: DataView, base: number, f: RawField, signed: boolean): number {
  const o = base + f.offset;
  switch (f.size) {
    case 1:
      return signed ? view.getInt8(o) : view.getUint8(o);
    case 2:
      return signed ? view.getInt16(o, true) : view.getUint16(o, true);
    case 4:
      return signed ? view.getInt32(o, true) : view.getUint32(o, true);
    case 8:
      return Number(signed ? view.getBigInt64(o, true) : view.getBigUint64(o, true));
    default:
      throw new Error(`field of ${f.size} bytes is not a number`);
  }
}

function cstring(buf: Buffer, start: number, size: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end < 0 || end > start + size ? start + size : end);
}

/** Maps one enum group both ways and checks it against the TypeScript names. */
class EnumMap<T extends string> {
  private readonly byValue = new Map<number, T>();
  private readonly byName = new Map<T, number>();
  /** `older`: a layout recorded by an earlier build, which may lack names added since (never have others). */
  constructor(group: string, table: Record<string, number> | undefined, names: readonly T[], older = false) {
    if (!table) throw new EnvironmentError(`addon has no '${group}' constants: rebuild it`);
    const theirs = Object.keys(table).sort().join(',');
    const ours = [...names].sort().join(',');
    const known = older && Object.keys(table).every((n) => (names as readonly string[]).includes(n));
    if (theirs !== ours && !known)
      throw new EnvironmentError(`addon and TypeScript disagree on ${group} names (${theirs} vs ${ours}): rebuild`);
    for (const n of names.filter((x) => x in table)) {
      const v = table[n] as number;
      this.byValue.set(v, n);
      this.byName.set(n, v);
    }
  }
  name(v: number): T | undefined {
    return this.byValue.get(v);
  }
  value(n: T): number {
    return this.byName.get(n) as number;
  }
}

export class Layout {
  readonly variant: EnumMap<Variant>;
  readonly fault: EnumMap<Fault>;
  readonly role: EnumMap<Role>;
  readonly slotState: EnumMap<SlotState>;
  readonly op: EnumMap<Op>;
  readonly phase: EnumMap<Phase>;
  readonly runtime: EnumMap<Runtime>;
  readonly cv: EnumMap<Condvar>;
  readonly error: EnumMap<AddonErrorCode>;
  readonly limits: Record<string, number>;
  readonly exitCodes: Record<string, number>;

  constructor(readonly raw: RawLayout) {
    const c = raw.constants;
    // A recording from an earlier build may know fewer names; the addon we run must know exactly ours.
    const older = (c.limit?.layoutVersion ?? 0) < (addon().layout().constants.limit?.layoutVersion ?? 0);
    this.variant = new EnumMap('variant', c.variant, VARIANTS, older);
    this.fault = new EnumMap('fault', c.fault, FAULTS, older);
    this.role = new EnumMap('role', c.role, ROLES, older);
    this.slotState = new EnumMap('slotState', c.slotState, SLOT_STATES, older);
    this.op = new EnumMap('op', c.op, OPS, older);
    this.phase = new EnumMap('phase', c.phase, PHASES, older);
    this.runtime = new EnumMap('runtime', c.runtime, RUNTIMES, older);
    this.cv = new EnumMap('cv', c.cv, CONDVARS, older);
    this.error = new EnumMap('error', c.error, ADDON_ERROR_CODES, older);
    this.limits = c.limit ?? {};
    this.exitCodes = c.exit ?? {};
  }

  size(region: RegionName): number {
    return this.raw.regions[region].size;
  }

  has(region: RegionName, name: string): boolean {
    return name in this.raw.regions[region].fields;
  }

  field(region: RegionName, name: string): RawField {
    const f = this.raw.regions[region].fields[name];
    if (!f) throw new EnvironmentError(`layout has no ${region}.${name}: rebuild the addon`);
    return f;
  }

  /**
   * The most specific field of `region` that contains byte `offset`, e.g.
   * 136 in mvar -> "canTake.__g1_orig_size". Undefined in padding.
   */
  fieldAt(region: RegionName, offset: number): { name: string; offset: number; size: number } | undefined {
    let best: { name: string; offset: number; size: number } | undefined;
    for (const [name, f] of Object.entries(this.raw.regions[region].fields)) {
      if (offset < f.offset || offset >= f.offset + f.size) continue;
      if (!best || f.size < best.size) best = { name, offset: f.offset, size: f.size };
    }
    return best;
  }

  /**
   * Decodes packed records; `ownerOf(i)` names the process of the i-th one.
   * Records with an op or phase this build does not know are counted, not returned.
   */
  decodeEvents(buf: Buffer, ownerOf: (i: number) => EventOwner): { events: TraceEvent[]; corrupt: number } {
    const size = this.size('event');
    const f = (n: string) => this.field('event', n);
    const [seq, tNs, pid, tid, opId, op, phase, rc, err, deadlineMs, isFull, value, aux] = [
      'seq', 'tNs', 'pid', 'tid', 'opId', 'op', 'phase', 'rc', 'err', 'deadlineMs', 'isFull', 'value', 'aux',
    ].map(f) as RawField[];
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const events: TraceEvent[] = [];
    let corrupt = 0;
    const n = Math.floor(buf.byteLength / size);
    for (let i = 0; i < n; i++) {
      const b = i * size;
      const opName = this.op.name(read(view, b, op!, false));
      const phaseName = this.phase.name(read(view, b, phase!, false));
      if (!opName || !phaseName) {
        corrupt++;
        continue;
      }
      const who = ownerOf(i);
      events.push({
        slot: who.slot,
        role: who.role,
        id: who.id,
        seq: read(view, b, seq!, false),
        tNs: read(view, b, tNs!, false),
        pid: read(view, b, pid!, SIGNED_EVENT.has('pid')),
        tid: read(view, b, tid!, SIGNED_EVENT.has('tid')),
        opId: read(view, b, opId!, false),
        op: opName,
        phase: phaseName,
        rc: read(view, b, rc!, true),
        err: read(view, b, err!, true),
        deadlineMs: read(view, b, deadlineMs!, false),
        isFull: read(view, b, isFull!, false) !== 0,
        value: read(view, b, value!, false),
        aux: read(view, b, aux!, false),
      });
    }
    return { events, corrupt };
  }

  decodeHeader(buf: Buffer): SegmentHeader {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const g = (n: string) => read(view, 0, this.field('header', n), false);
    const magic = view.getBigUint64(this.field('header', 'magic').offset, true);
    const name = this.field('header', 'name');
    return {
      magic: `0x${magic.toString(16).padStart(16, '0')}`,
      layoutVersion: g('layoutVersion'),
      totalSize: g('totalSize'),
      procCapacity: g('procCapacity'),
      ringCapacity: g('ringCapacity'),
      variant: this.variant.name(g('variant')) ?? 'fixed',
      fault: this.fault.name(g('fault')) ?? 'none',
      faultTarget: g('faultTarget'),
      rounds: g('rounds'),
      nslaves: g('nslaves'),
      creatorPid: read(view, 0, this.field('header', 'creatorPid'), true),
      createdNs: g('createdNs'),
      threadsClaimed: this.has('header', 'threadsClaimed') ? g('threadsClaimed') : 0,
      name: cstring(buf, name.offset, name.size),
      mvarOffset: g('mvarOffset'),
      slotsOffset: g('slotsOffset'),
      ringsOffset: g('ringsOffset'),
      ringSize: g('ringSize'),
    };
  }

  decodeMvar(buf: Buffer, base: number): MvarState {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const g = (n: string) => read(view, base, this.field('mvar', n), false);
    const hex = (n: string) => {
      const f = this.field('mvar', n);
      return buf.toString('hex', base + f.offset, base + f.offset + f.size);
    };
    return {
      isFull: g('isFull') !== 0,
      value: g('value'),
      takes: g('takes'),
      puts: g('puts'),
      lockTimeouts: g('lockTimeouts'),
      waitTimeouts: g('waitTimeouts'),
      ownerDied: g('ownerDied'),
      errors: g('errors'),
      primitives: {
        mutex: hex('mutex'),
        canPut: hex('canPut'),
        canTake: hex('canTake'),
        'aux[0]': hex('aux[0]'),
        'aux[1]': hex('aux[1]'),
      },
    };
  }

  decodeSlot(buf: Buffer, base: number, index: number): SlotInfo {
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const g = (n: string) => read(view, base, this.field('slot', n), SIGNED_SLOT.has(n));
    const reason = this.field('slot', 'reason');
    return {
      index,
      pid: g('pid'),
      tid: g('tid'),
      role: this.role.name(g('role')) ?? 'none',
      id: g('id'),
      state: this.slotState.name(g('state')) ?? 'free',
      curOp: this.op.name(g('curOp')) ?? 'none',
      curOpId: g('curOpId'),
      opsDone: g('opsDone'),
      lastEventNs: g('lastEventNs'),
      exitStatus: g('exitStatus'),
      runtime: this.runtime.name(g('runtime')) ?? 'unknown',
      startNs: g('startNs'),
      endNs: g('endNs'),
      reason: cstring(buf, base + reason.offset, reason.size),
      cmd: this.has('slot', 'cmd') ? cstring(buf, base + this.field('slot', 'cmd').offset, this.field('slot', 'cmd').size) : '',
    };
  }

  /** Decodes what Segment.snapshot() copies: header, MVar state and every slot. */
  decodeSnapshot(buf: Buffer): SegmentSnapshot {
    const header = this.decodeHeader(buf);
    const mvar = this.decodeMvar(buf, header.mvarOffset);
    const slotsOffset = header.slotsOffset;
    const slotSize = this.size('slot');
    const slots: SlotInfo[] = [];
    const count = Math.min(header.procCapacity, Math.floor((buf.byteLength - slotsOffset) / slotSize));
    for (let i = 0; i < count; i++) slots.push(this.decodeSlot(buf, slotsOffset + i * slotSize, i));
    return { header, mvar, slots };
  }
}

let cached: Layout | undefined;

/** The layout of the loaded addon. */
export function layout(): Layout {
  if (!cached) cached = new Layout(addon().layout());
  return cached;
}
