// What the diagnosis engine produces; part of the report format (schema 1)
// and of `diagnose --json`.

export const FINDING_KINDS = [
  'private-futex-on-shared-memory',
  'lock-copied-by-fork',
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
  /** Set when the finding proves the hang: nothing can ever end it (the reason, in one line). */
  proof?: string;
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
  /**
   * How field was found: our segment's own layout; (foreign memory) decoded
   * from the call and the bytes around it, certain where one reading fits and
   * its bytes agree, else labelled a guess; or (a traced program) the
   * program's own calls named it.
   */
  fieldSource: 'segment-layout' | 'decoded' | 'guess' | 'traced' | null;
  /** Foreign memory: how sure the reading is, what was checked, what else would fit. */
  identification?: { confidence: 'certain' | 'likely' | 'guess'; checks: string[]; alternatives: string[] } | null;
  /** The word's current value, when readable. */
  word: number | null;
}

/** What a thread waits on; one module per kind in waits/ ('multiplex' is read in reports written before epoll and poll had their own). */
export const WAIT_KINDS = [
  'futex',
  'pipe',
  'fifo',
  'socket',
  'eventfd',
  'timerfd',
  'signalfd',
  'pidfd',
  'mqueue',
  'epoll',
  'poll',
  'sysv-sem',
  'sysv-msg',
  'file',
  'file-lock',
  'child',
  'multiplex',
  'signal',
  'sleep',
  'other',
] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** A thread that could end a wait: a thread, or any thread of a process (tid null). */
export interface WakerRef {
  pid: number;
  tid: number | null;
}

/** What a blocked thread waits for, and who could end the wait. */
export interface WaitReport {
  kind: WaitKind;
  /** The wait ends by itself (a timeout was given). */
  timed: boolean;
  /** "pthread_cond_t@0x40.__g_signals[0] in /dev/shm/x", "pipe:[1234], write end (full)". */
  on: string;
  /** Same key, same resource: waits on one word of one object group together. */
  key: string;
  /** Who could end it: a finite set (possibly empty); null when it is open to anyone, not visible, or ends by itself. */
  wakers: WakerRef[] | null;
  /** With wakers null: open — anyone allowed may end it (a client connecting, a signal); hidden — what could end it could not be read. */
  reach?: 'open' | 'hidden';
  /** How the wakers were found: "the mutex owner", "sibling threads (a private futex)", … */
  wakersAre: string;
  /** The wakers hold the resource (mutex owner, the pipe's other end, the lock holder, the child). */
  definite: boolean;
  /**
   * A semaphore in a traced program: the threads the trace saw take it and not
   * post it since. Any sharer may post a semaphore, so they are not its only
   * wakers; used as a lock, they are the ones expected to give it back.
   */
  takenBy?: WakerRef[];
  /** Timed only by periodic timers (a timerfd with an interval): it wakes, and goes back to the same wait. */
  periodic?: boolean;
  /**
   * For a wait open to anyone, or timed only by a periodic timer: who could
   * still end it if nothing outside the processes acts (no new client, no
   * signal, no input) and its self-re-arming timers are set aside. Grounds for
   * a labelled hypothesis only (hypotheses.ts), never for a proof.
   */
  ifQuiet?: WakerRef[];
  /** A private lock whose owner is outside the waiter's process: the thread that held it when fork() copied it. */
  copiedFrom?: WakerRef;
  /** System V IPC: the kernel's last operator of what it waits on (labelled evidence, not a holder). */
  lastOperator?: WakerRef;
  /** Evidence particular to this kind of wait (a semaphore's value and last operator, a hypothesis, labelled). */
  notes?: string[];
  /** Nothing that could end it can ever run: the wait never returns. */
  stuckForGood: boolean;
}

/**
 * The verdict on one thread, the one definition every count and line rests on:
 *   stuck        stuck for good: no live thread outside the stuck set can end its wait (the proof in why)
 *   waiting      blocked, but a named live thread or process can end the wait (or anyone allowed, or its own timeout)
 *   not-visible  blocked, and what could end the wait could not be read (why says what, and the remedy)
 *   runs         not blocked (running, or between calls)
 *   stopped      frozen (SIGSTOP, a tracer): anyone may continue it
 *   gone         exited or a zombie
 */
export const THREAD_VERDICTS = ['stuck', 'waiting', 'not-visible', 'runs', 'stopped', 'gone'] as const;
export type ThreadVerdictKind = (typeof THREAD_VERDICTS)[number];

export interface ThreadVerdict {
  kind: ThreadVerdictKind;
  /** One line: why (the proof, who can wake it, what was not seen). */
  why: string;
  /** waiting: the live threads or processes that can end it (empty when open to anyone or timed). */
  by?: WakerRef[];
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
  /** runs, timed, blocked (untimed, never woke while sampled), moving (woke between samples), stopped, dead, unreadable. */
  /** Absent in reports written before the wait-for graph (schema 1 stays readable). */
  activity?: ThreadActivity;
  wait?: WaitReport | null;
  /** Absent in reports written before the three-way verdict. */
  verdict?: ThreadVerdict;
  /** A traced program (soak --trace): what its own calls say, where the thread was traced. */
  traced?: TracedFacts | null;
}

/** Facts from the preload library's trace of the thread, not read from memory: no guessing. */
export interface TracedFacts {
  /** The primitive its last call is on, when that call has not returned (the kind is the call's). */
  inCall: { call: string; kind: 'mutex' | 'cond' | 'sem'; addr: string; mutex: string | null } | null;
  /** Its last transitions, oldest first. */
  last: string[];
}

export const THREAD_ACTIVITIES = ['runs', 'timed', 'blocked', 'moving', 'stopped', 'dead', 'unreadable'] as const;
export type ThreadActivity = (typeof THREAD_ACTIVITIES)[number];

export interface PrimitiveDecode {
  /** e.g. "mvar.mutex", "canTake", or "0x7f…140 (guess)". */
  name: string;
  type: 'mutex' | 'cond' | 'sem' | 'rwlock' | 'barrier';
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
  /** Stuck for good only because it waits for a process a finding explains (a parent in wait4, …). */
  behind?: { pid: number; kind: string } | null;
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
  /** A finding proves the hang: it can never end, whatever the deadline. */
  proven?: boolean;
  /** Why, when proven: the first proving finding's reason. */
  proof?: string | null;
  /** What could not be read, per process; empty when everything was. */
  incomplete?: string[];
  /** What the evidence suggests but cannot prove (a deadlock through System V IPC), each labelled a hypothesis. */
  hypotheses?: string[];
  /** Processes inspected besides those asked for, because a wait led to them (diagnose without --only). */
  followed?: { pid: number; reason: string }[];
}
