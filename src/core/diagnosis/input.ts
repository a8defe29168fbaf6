// What the diagnosis reads: /proc samples of the inspected processes, a probe
// of memory and thread liveness, and, for our own runs, what the watchdog saw
// at the hang. Everything is plain data (or a recorded probe), so a capture
// taken on a live hang replays in a unit test.
import type { Layout, SegmentHeader } from '../native/layout.js';
import type { Classification, Op, Phase } from '../native/vocabulary.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { Probe } from './probe/probe.js';

/** One process of our run, as the watchdog saw it at the hang. */
export interface RunProcess {
  pid: number;
  role: 'master' | 'slave';
  id: number;
  classification: Classification;
  exit: { code: number | null; signal: string | null } | null;
  /** Its slot says it finished its protocol (it may not have exited yet). */
  finished: boolean;
  curOp: Op;
  curOpId: number;
  opsDone: number;
  lastPhase: Phase | null;
  lastOp: Op | null;
  /** aux of the last event (abba: the aux mutex it asked for). */
  lastAux: number;
  takes: number;
  puts: number;
  waitTimeouts: number;
  lockTimeouts: number;
  sinceLastEventMs: number | null;
}

export interface RunContext {
  segmentName: string;
  header: SegmentHeader;
  /** Hex bytes of each primitive at the hang (the segment snapshot). */
  primitives: Record<string, string>;
  processes: RunProcess[];
  /** tid -> pid from the trace, dead processes included. */
  tids: Record<number, number>;
  expiredWithConditionTrue: number;
}

export interface AnalysisInput {
  layout: Layout;
  glibcVersion: string;
  /** samples[k] holds one capture per inspected process; samples[0] has the maps. */
  samples: ProcRaw[][];
  probe: Probe;
  run?: RunContext;
  /** Processes that map or hold what the inspected ones use but never act on it (the tool itself). */
  observers?: number[];
  /** A traced program (soak --trace): primitives its own calls named, by process and address. */
  traced?: TracedPrimitive[];
  /** Why a process's ptrace-guarded files could not be read, with the remedy (access.ts), by pid. */
  access?: Record<number, string>;
  /**
   * Independent evidence of a hang (a run or soak deadline passed with no
   * progress), in words; absent for a plain diagnose or a proof attempt. Only
   * with it do blocked threads that nothing proves stuck become 'unknown' findings.
   */
  hangEvidence?: string;
}

/** A primitive the preload library saw the program call: its kind is a fact, not read from its bytes. */
export interface TracedPrimitive {
  pid: number;
  addr: bigint;
  kind: 'mutex' | 'cond' | 'sem';
  /** The call that names it, e.g. "pthread_cond_timedwait". */
  call: string;
  /** A semaphore: threads of pid that took it (a wait or trywait that succeeded) and had not posted it since. */
  takenBy?: number[];
  /** For each of those threads, the call it took it with (its last take). */
  takenWith?: Record<number, string>;
}
