// What the diagnosis engine produces; part of the report format (schema 1)
// and of `diagnose --json`.

export const FINDING_KINDS = [
  'private-futex-on-shared-memory',
  'owner-died',
  'deadlock-cycle',
  'stopped',
  'no-waker',
  'starving',
  'unknown',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Finding {
  kind: FindingKind;
  /** One sentence: the cause. */
  summary: string;
  /** The processes the finding is about (the stuck ones first). */
  pids: number[];
  /** The lines of evidence the summary rests on. */
  evidence: string[];
}

export interface MappingRef {
  /** The maps line's path: "/dev/shm/…", "/dev/zero (deleted)", "[heap]", "" for anonymous. */
  path: string;
  shared: boolean;
  /** dev:inode, "" for anonymous private memory. */
  device: string;
  inode: number;
  /** Offset of the address within the mapped object. */
  offset: number;
  /** Same object, same offset: waiters with equal keys wait on the same futex. */
  key: string;
}

export interface FutexCall {
  /** Hex address of the futex word. */
  addr: string;
  op: number;
  /** WAIT, WAIT_BITSET, LOCK_PI, WAKE, … */
  command: string;
  private: boolean;
  clockRealtime: boolean;
  /** The value the kernel compares against (WAIT*). */
  expected: number | null;
  /** A timeout was passed (the wait ends by itself). */
  timed: boolean;
  mapping: MappingRef | null;
  /** Field name when the address is inside a known structure, e.g. "mvar.canTake.__g1_orig_size". */
  field: string | null;
  /** How field was found: the segment's own layout, or a guess from the bytes around it. */
  fieldSource: 'segment-layout' | 'guess' | null;
  /** The word's current value, when readable. */
  word: number | null;
}

export interface ThreadReport {
  tid: number;
  /** R, S, D, T, t, Z, … and its name. */
  state: string;
  stateName: string;
  wchan: string | null;
  /** "futex(0x7f…148, FUTEX_WAIT|FUTEX_PRIVATE_FLAG, 198, NULL)" or "running" / "not in a syscall". */
  syscall: string;
  syscallNr: number | null;
  futex: FutexCall | null;
  /** voluntary context switches seen while sampling (0: it never woke). */
  wakeupsWhileSampled: number | null;
  /** Blocked in the same call in every sample. */
  sameCallInEverySample: boolean;
}

export interface PrimitiveDecode {
  /** e.g. "mvar.mutex", "canTake", or "0x7f…140 (guess)". */
  name: string;
  type: 'mutex' | 'cond';
  guess: boolean;
  /** Human lines: "__kind = 0x0: process-private, not robust". */
  lines: string[];
  pshared: boolean;
  robust?: boolean;
  /** Mutex owner tid (0: unlocked / none). */
  ownerTid?: number;
  ownerAlive?: boolean;
  ownerPid?: number | null;
  clock?: 'realtime' | 'monotonic';
  waiters?: number;
}

export interface ProcessDiagnosis {
  pid: number;
  comm: string;
  /** From our segment, when the process is one of ours. */
  role: string | null;
  id: number | null;
  state: string;
  stateName: string;
  threads: ThreadReport[];
  /** Files that could not be read and why (permissions, gone). */
  errors: string[];
  /** The finding kind that explains this process, if any. */
  kind: string | null;
}

export interface StackCapture {
  tool: string | null;
  /** Why stacks were not captured (no tool, not asked, time budget). */
  skipped: string | null;
  traces: { pid: number; text: string; error: string | null }[];
}

export interface Diagnosis {
  /** Which glibc the decoders assume, and the one this machine runs. */
  glibc: { version: string; assumes: string; lostWakeupBug: boolean; note: string | null };
  processes: ProcessDiagnosis[];
  findings: Finding[];
  primitives: PrimitiveDecode[];
  stacks: StackCapture;
  /** Timed waits that expired while their condition held (run context only). */
  expiredWithConditionTrue: number | null;
}
