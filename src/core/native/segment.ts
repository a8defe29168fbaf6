// Typed access to a run's shared-memory segment through the addon.
import type { RawSegment } from './addon.js';
import { addon, addonErrorCode } from './addon.js';
import { EnvironmentError, UsageError } from '../system/errors.js';
import type { EventOwner, SegmentSnapshot, TraceEvent } from './layout.js';
import { layout } from './layout.js';
import type { Fault, Variant } from './vocabulary.js';

export interface SegmentSpec {
  variant: Variant;
  fault?: Fault;
  nslaves: number;
  rounds: number;
  /** Events per trace ring (rounded up to a power of two). */
  ringEvents?: number;
  /** Slots (rings); nslaves + 1 when absent. A traced program's segment has one per thread. */
  procCapacity?: number;
}

/** Errors from opening a segment that the user pointed us at. */
function openError(e: unknown, name: string): Error {
  const code = addonErrorCode(e);
  const msg = `${name}: ${(e as Error).message}`;
  if (code === 'EACCES') return new EnvironmentError(msg);
  if (code === 'ENOENT' || code?.startsWith('ESEG') || code === 'EARG') return new UsageError(msg);
  return new EnvironmentError(msg);
}

export class Segment {
  private constructor(readonly raw: RawSegment) {}

  static create(spec: SegmentSpec): Segment {
    const L = layout();
    try {
      return new Segment(
        addon().Segment.create({
          variant: L.variant.value(spec.variant),
          fault: L.fault.value(spec.fault ?? 'none'),
          nslaves: spec.nslaves,
          rounds: spec.rounds,
          ringCapacity: spec.ringEvents ?? 0,
          procCapacity: spec.procCapacity ?? 0,
        }),
      );
    } catch (e) {
      const code = addonErrorCode(e);
      if (code === 'EARG') throw new UsageError((e as Error).message);
      throw new EnvironmentError(`cannot create a shared-memory segment: ${(e as Error).message}`);
    }
  }

  static open(name: string): Segment {
    try {
      return new Segment(addon().Segment.open(name));
    } catch (e) {
      throw openError(e, name);
    }
  }

  get name(): string {
    return this.raw.name;
  }

  /** What other processes open it by: /proc/PID/fd/N of the creator (its name is gone), or the name. */
  get openPath(): string {
    return this.raw.openPath;
  }

  /** Removes the name; mappings (ours and the workers') stay valid. False if it was already gone. */
  unlink(): boolean {
    return this.raw.unlink();
  }

  close(): void {
    this.raw.close();
  }

  snapshot(): SegmentSnapshot {
    return layout().decodeSnapshot(this.raw.snapshot());
  }
}

/**
 * Reads every ring incrementally. Polling it often enough means a ring never
 * laps the reader; when one does, `missed` says by how much.
 */
export class RingReader {
  private readonly cursors: Float64Array;
  readonly missed: number[];
  corrupt = 0;

  constructor(
    private readonly seg: Segment,
    private readonly owners: EventOwner[],
  ) {
    this.cursors = new Float64Array(owners.length);
    this.missed = owners.map(() => 0);
  }

  /** New events of every process since the last call, grouped by slot. */
  poll(): TraceEvent[] {
    const r = this.seg.raw.readAll(this.cursors);
    const slotOfEvent: number[] = [];
    r.counts.forEach((c, slot) => {
      for (let i = 0; i < c; i++) slotOfEvent.push(slot);
      this.missed[slot] = (this.missed[slot] ?? 0) + (r.missed[slot] ?? 0);
    });
    const { events, corrupt } = layout().decodeEvents(r.events, (i) => this.owners[slotOfEvent[i]!]!);
    this.corrupt += corrupt;
    return events;
  }
}
