// The report format, schema version 1: the single definition used by the
// writer (report-build.ts, report-write.ts) and every reader (report-read.ts,
// diff, export, soak). docs/report-format.md describes the same shapes.
import type { Diagnosis } from '../diagnosis/types.js';
import type { Environment } from '../system/environment.js';
import type { Verdict } from '../run/iteration.js';
import type { MvarState, TraceEvent } from '../native/layout.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { TraceStats } from '../trace/stats.js';
import type { Classification } from '../native/vocabulary.js';
import type { Fault, Runtime, SlaveThread, Variant } from '../native/vocabulary.js';
import type { FindingGroup } from '../preload/findings.js';
import type { PreloadOptions } from '../preload/session.js';
import type { TracedThread } from '../preload/traced.js';

export const SCHEMA_VERSION = 1;

/** Shard i of k of a soak (1 <= index <= count). */
export interface Shard {
  index: number;
  count: number;
}
export const REPORT_FILE = 'report.json';
export const EVENTS_FILE = 'events.ndjson';
/** The report of a hung iteration of a soaked command. */
export const COMMAND_REPORT_FILE = 'command-hang.json';
/** The report of a traced iteration of a soaked command that did not hang. */
export const COMMAND_RUN_FILE = 'command-run.json';

export interface RunConfig {
  nslaves: number;
  variant: Variant;
  fault: Fault;
  runtime: Runtime;
  slaveThread: SlaveThread;
  rounds: number;
  timeoutMs: number;
  stallMs: number;
  pollMs: number;
  ringEvents: number;
  spawner: 'forkserver' | 'execa';
  /** Report a proven hang at once instead of at the deadline (--no-early turns it off); absent in older reports. */
  early?: boolean;
  /** --chaos: scheduling perturbed, with this seed and intensity; null or absent when off. */
  chaos?: ChaosSettings | null;
}

export interface ChaosSettings {
  /** The run's seed (--seed); each iteration's seed is derived from it. */
  seed: number;
  /** 1..10: how often and how long processes are frozen. */
  intensity: number;
}

/** What chaos did in one iteration. */
export interface ChaosRecord extends ChaosSettings {
  iterationSeed: number;
  /** The processes' own lock, unlock, signal and wait calls were jittered from inside by the preload library (absent in older reports). */
  jitter?: boolean;
  /** Counts from the chaos process; null if it could not say. */
  actions: { freezes: number; cpuMoves: number; renices: number } | null;
}

/** A hang proven before the deadline: when, after what, and why it can never end. */
export interface HangProof {
  /** ms from the iteration's start to the verdict. */
  provenAtMs: number;
  /** ms from the start to the last sign of progress before it (an event, or CPU time of a soaked command). */
  lastProgressAtMs: number | null;
  /** The proving finding's reason. */
  reason: string;
}

export interface ProcessReport {
  role: 'master' | 'slave';
  id: number;
  pid: number;
  runtime: Runtime;
  classification: Classification;
  exit: { code: number | null; signal: string | null; killedByWatchdog: boolean } | null;
  /** The staged fault explains how this process ended. */
  expectedByFault: boolean;
  opsDone: number;
  /** The operation it was in when classified, if any. */
  currentOp: { op: string; opId: number } | null;
  sinceLastEventMs: number | null;
  sinceLastDoneMs: number | null;
  /** Its one-line failure reason (slot or stderr), empty when none. */
  reason: string;
  events: number;
  /** Events overwritten in its ring before they could be read. */
  missedEvents: number;
  /** Its last 10 events. */
  lastEvents: TraceEvent[];
}

export interface RunReport {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: typeof RUN_REPORT_KIND;
  createdAt: string;
  /** Iteration number within its loop, from 1. */
  iteration: number;
  /** The soak shard that ran it, if any. */
  shard: Shard | null;
  config: RunConfig;
  environment: Environment;
  verdict: Exclude<Verdict, 'interrupted'>;
  /** One sentence: what happened. */
  summary: string;
  timing: {
    startedAt: string;
    /** The start on CLOCK_MONOTONIC, the clock of every event's tNs. */
    startNs: number;
    wallMs: number;
    /** Detection minus deadline, for a hang. */
    lateByMs: number | null;
    /** Evidence gathering before the kill, for a hang. */
    evidenceMs: number | null;
    /** Set when the hang was proven before the deadline. */
    proof?: HangProof | null;
  };
  processes: ProcessReport[];
  /** --chaos: what was done to this iteration's scheduling. */
  chaos?: ChaosRecord | null;
  segment: {
    name: string;
    atHang: MvarState | null;
    final: MvarState;
  };
  /** Raw /proc text of every live process at the hang, before the kill. */
  procfs: ProcRaw[] | null;
  diagnosis: Diagnosis | null;
  stats: TraceStats;
  dropped: { total: number; corrupt: number; byProcess: { role: string; id: number; missed: number }[] };
  events: { file: string; count: number };
}

export const RUN_REPORT_KIND = 'mvar-repro-run';
export const SOAK_SUMMARY_KIND = 'mvar-repro-soak-summary';
export const GENERIC_REPORT_KIND = 'mvar-repro-command-hang';
/** A traced iteration of a soaked program that did not hang (soak --trace --save-all). */
export const COMMAND_RUN_KIND = 'mvar-repro-command-run';

export interface RateInterval {
  rate: number;
  /** 95 % Wilson score interval. */
  low: number;
  high: number;
}

/** What `soak` prints and writes with --summary, and what `merge` reads and writes. */
export interface SoakSummary {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: typeof SOAK_SUMMARY_KIND;
  createdAt: string;
  /** null for a merged summary of several shards, or an unsharded soak. */
  shard: Shard | null;
  /** Shards merged into this summary (merge only). */
  shards: number;
  /** The soaked program, or null when soaking mvar-repro's own protocol. */
  command: string[] | null;
  config: RunConfig | { timeoutMs: number; chaos?: ChaosSettings | null };
  expect: 'none' | 'hang';
  iterations: number;
  passes: number;
  hangs: number;
  /** Hangs proven before their deadline (the rest were called at the deadline). */
  provenHangs?: number;
  failures: number;
  hangRate: RateInterval;
  failureRate: RateInterval;
  wallMs: number;
  iterationsPerMinute: number;
  firstHang: { shard: number | null; iteration: number; report: string | null } | null;
  /** finding kind -> iterations whose diagnosis has it. */
  findingKinds: Record<string, number>;
  /** Report folders of the iterations that hung or failed (or had a --check finding): those kept, see reportsKept. */
  reports: string[];
  /**
   * Such reports are bounded: the first `limit` and the last are kept
   * (--keep-reports). `of` counts every iteration that had one to keep.
   */
  reportsKept?: { kept: number; of: number; limit: number };
  interrupted: boolean;
  environment: Environment;
  /** Files that could not be written (reports, JUnit), and why; absent when all were. */
  saveErrors?: string[];
  /** --trace/--check: iterations whose program the preload library could not get into (static, set-user-ID), so ran untraced and unchecked. */
  unpreloaded?: number;
  /** merge: shards of the soak that were not among the merged summaries. */
  missingShards?: Shard[];
}

/**
 * An iteration of a soaked program (`soak -- COMMAND`): a hang (kind
 * GENERIC_REPORT_KIND, in COMMAND_REPORT_FILE), or, with --trace --save-all,
 * a traced iteration that did not hang (COMMAND_RUN_KIND, in COMMAND_RUN_FILE):
 * what `diff` compares a hang against.
 */
export interface CommandHangReport {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: typeof GENERIC_REPORT_KIND | typeof COMMAND_RUN_KIND;
  /** Absent in hang reports written before --save-all kept traced good iterations. */
  verdict?: 'hang' | 'completed' | 'failed';
  createdAt: string;
  command: string[];
  iteration: number;
  shard: Shard | null;
  timeoutMs: number;
  environment: Environment;
  /** The process tree at the deadline, before the kill. */
  tree: { pid: number; ppid: number; comm: string; cmdline: string }[];
  stdoutTail: string;
  stderrTail: string;
  procfs: ProcRaw[];
  /** Null for an iteration that did not hang. */
  diagnosis: Diagnosis | null;
  /** Set when the hang was proven before the deadline. */
  proof?: HangProof | null;
  /** An iteration that did not hang: how it ended. */
  exit?: { code: number | null; signal: string | null; wallMs: number } | null;
  /** /dev/shm objects the program created in this iteration and left behind. */
  leftBehind?: string[];
  /** --chaos: what was done to this iteration's scheduling. */
  chaos?: ChaosRecord | null;
  /** --trace / --check: what the preload library was asked, got into, found and traced; absent without them. */
  preload?: PreloadRecord;
}

export interface PreloadRecord {
  check: boolean;
  trace: PreloadOptions['trace'];
  /** Processes of the program the library was loaded into (a static or set-user-ID program is not among them). */
  loadedPids: number[];
  /** --check: one per primitive; null without --check. */
  findings: FindingGroup[] | null;
  /** --trace: the rings of every traced thread, written to `file` (events.ndjson) beside the report. */
  traced: {
    file: string;
    count: number;
    /** The iteration's start on CLOCK_MONOTONIC, the clock of every event's tNs. */
    startNs: number;
    threads: TracedThread[];
    /** Threads that found every ring taken, so went untraced. */
    untracedThreads: number;
    /** Events overwritten in a ring before they could be read. */
    missed: number;
  } | null;
}
