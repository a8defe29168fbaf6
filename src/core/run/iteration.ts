// One iteration: create the segment, start master + N slaves, watch them
// until they all exit or the deadline passes, gather evidence of a hang
// before anything is killed, then kill, reap, read every ring and clean up.
// (~380 lines, on purpose: the watch's steps — start, poll, prove, capture,
// tear down, result — share one Watch state that no other module may touch.)
import { nowNs } from '../system/duration.js';
import { onProcessExit } from '../system/on-exit.js';
import type { ExitInfo, Launched, Launcher, ProcessSpec } from './launchers/launcher.js';
import type { EventOwner, SegmentSnapshot, SlotInfo, TraceEvent } from '../native/layout.js';
import type { ChaosRecord, HangProof, RunConfig } from '../report/types.js';
import { Chaos, iterationSeed } from './chaos.js';
import { RingReader, Segment } from '../native/segment.js';
import type { Classification } from './watchdog.js';
import { classify, exitExpectedByFault } from './watchdog.js';
import { ProofSchedule } from './proof-schedule.js';
import type { ProvenHang } from './evidence.js';

/** One iteration: the run's configuration and its number in the loop. */
export type IterationSpec = RunConfig & { index: number; shardIndex?: number };

export type Verdict = 'completed' | 'hang' | 'failed' | 'interrupted';

/** A process as the watchdog saw it at the end (or at the hang, before the kill). */
export interface ProcessStatus {
  role: 'master' | 'slave';
  id: number;
  slot: number;
  pid: number;
  classification: Classification;
  /** How it ended; killedByWatchdog when the watchdog's kill ended it. */
  exit: { code: number | null; signal: string | null; killedByWatchdog: boolean } | null;
  expectedByFault: boolean;
  slotState: SlotInfo | undefined;
  /** ms since its last event / last completed op, at classification time. */
  sinceLastEventMs: number | null;
  sinceLastDoneMs: number | null;
  stderr: string;
}

export interface HangContext {
  spec: IterationSpec;
  segment: Segment;
  snapshot: SegmentSnapshot;
  processes: ProcessStatus[];
  events: TraceEvent[];
  /** ms from iteration start to detection. */
  detectedAtMs: number;
}

export interface IterationHooks {
  signal?: AbortSignal;
  /**
   * Asked while the iteration runs, when a process has been quiet: can the
   * hang already be proven? Resolves to the reason, or null.
   */
  prove?(ctx: HangContext): Promise<ProvenHang | null>;
  /** Called the moment the deadline passes or the hang is proven, before any evidence is gathered. */
  onHangDetected?(info: { index: number; lateByMs: number | null; proof?: HangProof }): void;
  /** Gathers evidence while every process is still as it hung. */
  inspect?(ctx: HangContext): Promise<unknown>;
  /** A proven hang: which processes the evidence shows stuck (or starving), to classify them by it. */
  provenBy?(evidence: unknown): Omit<ProvenHang, 'reason'> | null;
  /** With --keep: gets what inspect gathered; resolves when the user lets the hung processes go. */
  keep?(ctx: HangContext, evidence: unknown): Promise<void>;
}

export interface IterationResult {
  spec: IterationSpec;
  verdict: Verdict;
  /** Realtime ISO start, and the same instant on CLOCK_MONOTONIC (the events' clock). */
  startedAt: string;
  startNs: number;
  wallMs: number;
  /** Detection time minus deadline (ms), for a hang called at the deadline. */
  lateByMs: number | null;
  /** For a hang proven before the deadline. */
  proof: HangProof | null;
  /** --chaos: what was done to the iteration's scheduling. */
  chaos: ChaosRecord | null;
  /** Time spent gathering evidence before the kill (ms). */
  evidenceMs: number | null;
  processes: ProcessStatus[];
  events: TraceEvent[];
  missedEvents: number[];
  corruptEvents: number;
  /** The segment at the hang (before the kill) and at the end. */
  atHang: SegmentSnapshot | null;
  final: SegmentSnapshot;
  evidence: unknown;
  segmentName: string;
}

interface Tracked {
  spec: ProcessSpec;
  pid: number;
  exit: ExitInfo | undefined;
  exitBeforeKill: ExitInfo | undefined;
  lastEventNs: number;
  lastDoneNs: number;
  lastTimeoutNs: number;
}

export function processSpecs(nslaves: number): ProcessSpec[] {
  return [{ role: 'master', id: 0 }, ...Array.from({ length: nslaves }, (_, i) => ({ role: 'slave' as const, id: i + 1 }))];
}

export async function runIteration(spec: IterationSpec, launcher: Launcher, hooks: IterationHooks = {}): Promise<IterationResult> {
  const seg = Segment.create({
    variant: spec.variant,
    fault: spec.fault,
    nslaves: spec.nslaves,
    rounds: spec.rounds,
    ringEvents: spec.ringEvents,
  });
  // The segment has no name in /dev/shm (the C core unlinks it at creation):
  // closing our descriptor and every process's mapping is all it takes to free it.
  try {
    return await watch(spec, launcher, hooks, seg);
  } finally {
    seg.close();
  }
}

/** Everything one iteration's watch owns; only the steps below touch it. */
interface Watch {
  spec: IterationSpec;
  hooks: IterationHooks;
  seg: Segment;
  reader: RingReader;
  events: TraceEvent[];
  startedAt: string;
  t0: number;
  startNs: number;
  deadline: number;
  launched: Launched;
  tracked: Tracked[];
  remaining: number;
  killIssued: boolean;
  /** Cuts the poll's sleep short (an exit, an abort). */
  wake: (() => void) | undefined;
  /** --chaos, while it runs, and what it did once stopped. */
  chaos: Chaos | null;
  chaosRecord: ChaosRecord | null;
  /** Early verdicts: when the next proof attempt may be made. */
  proofSchedule: ProofSchedule;
  /** Processes a proof names: stuck (or starving), however recently they wrote an event. */
  proven: { stuck: Set<number>; starving: Set<number> };
  dropKillHook: () => void;
  onAbort: () => void;
}

/** How the poll loop ended. */
interface PollEnd {
  verdict: Verdict;
  lateByMs: number | null;
  proof: HangProof | null;
}

/**
 * Early verdicts: a process quiet this long gets the hang's proof tried.
 * Twice the protocol's first timeout (MVR_FIRST_TIMEOUT_MS, 50 ms): a live
 * process in a timed wait writes an event at least that often at first.
 */
const QUIET_MS = 100;
/** After a proof attempt fails, the next waits twice as long, up to this. */
const MAX_PROOF_BACKOFF_MS = 1000;

/** What was captured at a hang, before the kill. */
interface HangCapture {
  atHang: SegmentSnapshot;
  statuses: ProcessStatus[];
  evidence: unknown;
  evidenceMs: number;
}

async function watch(spec: IterationSpec, launcher: Launcher, hooks: IterationHooks, seg: Segment): Promise<IterationResult> {
  const w = await start(spec, launcher, hooks, seg);
  let end: PollEnd = { verdict: 'interrupted', lateByMs: null, proof: null };
  let hang: HangCapture | null = null;
  try {
    end = await poll(w);
    // Chaos ends before anything is looked at: every process it froze is running again.
    await stopChaos(w);
    if (end.verdict === 'hang') hang = await captureAtHang(w);
  } finally {
    await stopChaos(w);
    await tearDown(w);
  }
  return result(w, end, hang);
}

/** Starts master + slaves and arranges to hear of every exit. */
async function start(spec: IterationSpec, launcher: Launcher, hooks: IterationHooks, seg: Segment): Promise<Watch> {
  const procs = processSpecs(spec.nslaves);
  // Slot index = 0 for the master, id for slave id (mvr_slot_index in mvar.c).
  const owners: EventOwner[] = procs.map((p, i) => ({ slot: i, role: p.role, id: p.id }));
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const startNs = nowNs();
  const chaosSeed = spec.chaos ? iterationSeed(spec.chaos, spec.index, spec.shardIndex ?? 1) : 0;
  const launched = await launcher.launch(seg.openPath, procs, spec.chaos ? { seed: chaosSeed, intensity: spec.chaos.intensity } : undefined);
  const dropKillHook = onProcessExit(() => launched.killAll());
  const chaos = !spec.chaos ? null : launched.stopChaos ? Chaos.within(spec.chaos, chaosSeed, launched.pids, launched.stopChaos, launched.jitter === true) : Chaos.start(spec.chaos, chaosSeed, { pids: launched.pids }, launched.jitter === true);
  const w: Watch = {
    spec,
    hooks,
    seg,
    reader: new RingReader(seg, owners),
    events: [],
    startedAt,
    t0,
    startNs,
    deadline: t0 + spec.timeoutMs,
    launched,
    tracked: procs.map((p, i) => ({ spec: p, pid: launched.pids[i]!, exit: undefined, exitBeforeKill: undefined, lastEventNs: 0, lastDoneNs: 0, lastTimeoutNs: 0 })),
    remaining: procs.length,
    killIssued: false,
    wake: undefined,
    chaos,
    chaosRecord: null,
    proofSchedule: new ProofSchedule(QUIET_MS, MAX_PROOF_BACKOFF_MS),
    proven: { stuck: new Set(), starving: new Set() },
    dropKillHook,
    onAbort: () => w.wake?.(),
  };
  launched.exits.forEach((p, i) =>
    p.then((info) => {
      const t = w.tracked[i]!;
      t.exit = info;
      if (!w.killIssued) t.exitBeforeKill = info;
      w.remaining--;
      w.wake?.();
    }),
  );
  hooks.signal?.addEventListener('abort', w.onAbort);
  return w;
}

/** Reads new events from every ring and notes each process's last event, completion and timeout. */
function drain(w: Watch): void {
  for (const e of w.reader.poll()) {
    w.events.push(e);
    const t = w.tracked[e.slot];
    if (!t) continue;
    t.lastEventNs = e.tNs;
    if (e.phase === 'done') t.lastDoneNs = e.tNs;
    else if (e.phase === 'lock-timeout' || e.phase === 'wait-timeout') t.lastTimeoutNs = e.tNs;
  }
}

/** Drains events until every process exited, the user aborted, or the deadline passed. */
async function poll(w: Watch): Promise<PollEnd> {
  for (;;) {
    drain(w);
    if (w.remaining === 0) return { verdict: 'completed', lateByMs: null, proof: null };
    if (w.hooks.signal?.aborted) return { verdict: 'interrupted', lateByMs: null, proof: null };
    const now = performance.now();
    if (now >= w.deadline) {
      const lateByMs = now - w.deadline;
      w.hooks.onHangDetected?.({ index: w.spec.index, lateByMs });
      return { verdict: 'hang', lateByMs, proof: null };
    }
    const proof = await tryProof(w, now);
    if (proof) {
      w.hooks.onHangDetected?.({ index: w.spec.index, lateByMs: null, proof });
      return { verdict: 'hang', lateByMs: null, proof };
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(w.spec.pollMs, Math.max(0, w.deadline - now)));
      w.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    w.wake = undefined;
  }
}

/** When a live, unfinished process has been quiet, ask whether the hang is already proven. */
async function tryProof(w: Watch, now: number): Promise<HangProof | null> {
  if (!w.spec.early || !w.hooks.prove || !w.proofSchedule.due(now)) return null;
  const snap = w.seg.snapshot();
  const ns = nowNs();
  const quiet = w.tracked.some((t, i) => {
    const slot = snap.slots[i];
    const finished = slot?.state === 'done' || slot?.state === 'failed';
    return !t.exit && !finished && ns - Math.max(t.lastEventNs, w.startNs) > QUIET_MS * 1e6;
  });
  if (!quiet) return null;
  let proven = await w.hooks.prove(hangContext(w, snap));
  // Chaos can itself end a wait it catches (a stop restarts the futex wait): with chaos off, the proof must stand again.
  if (proven && w.chaos) {
    await stopChaos(w);
    proven = await w.hooks.prove(hangContext(w, w.seg.snapshot()));
  }
  if (!proven) {
    w.proofSchedule.failed(performance.now());
    return null;
  }
  noteProven(w, proven);
  const lastNs = Math.max(...w.tracked.map((t) => t.lastEventNs));
  return { provenAtMs: performance.now() - w.t0, lastProgressAtMs: lastNs > 0 ? (lastNs - w.startNs) / 1e6 : null, reason: proven.reason };
}

function hangContext(w: Watch, snap: SegmentSnapshot): HangContext {
  return { spec: w.spec, segment: w.seg, snapshot: snap, processes: statusesOf(w, snap), events: w.events, detectedAtMs: performance.now() - w.t0 };
}

/** At a hang, while every process is still as it hung: classify, gather evidence, and hold it with --keep. */
async function captureAtHang(w: Watch): Promise<HangCapture> {
  const e0 = performance.now();
  drain(w);
  const atHang = w.seg.snapshot();
  const ctx = hangContext(w, atHang);
  let statuses = ctx.processes;
  const evidence = w.hooks.inspect ? await w.hooks.inspect(ctx) : null;
  const evidenceMs = performance.now() - e0;
  // A proven hang is classified by what the evidence shows, not only by what the proof saw a moment earlier.
  const seen = w.proven.stuck.size && w.hooks.provenBy ? w.hooks.provenBy(evidence) : null;
  if (seen) {
    noteProven(w, seen);
    statuses = statusesOf(w, atHang);
  }
  if (w.hooks.keep) await w.hooks.keep(ctx, evidence);
  return { atHang, statuses, evidence, evidenceMs };
}

async function stopChaos(w: Watch): Promise<void> {
  const c = w.chaos;
  w.chaos = null;
  if (c) w.chaosRecord = await c.stop();
}

/** Kills whatever still runs and waits until every process is reaped. */
async function tearDown(w: Watch): Promise<void> {
  w.killIssued = w.remaining > 0;
  w.launched.killAll();
  await Promise.all(w.launched.exits);
  w.dropKillHook();
  w.hooks.signal?.removeEventListener('abort', w.onAbort);
}

/** Adds the processes a proof or the evidence shows stuck or starving; stuck wins. */
function noteProven(w: Watch, seen: Omit<ProvenHang, 'reason'>): void {
  for (const p of seen.stuck) {
    w.proven.stuck.add(p);
    w.proven.starving.delete(p);
  }
  for (const p of seen.starving) if (!w.proven.stuck.has(p)) w.proven.starving.add(p);
}

/** A process a proof names is stuck (or starving) for good, however recently it wrote an event. */
function provenOr(c: Classification, proven: Watch['proven'], pid: number): Classification {
  if (proven.stuck.has(pid) && (c === 'running' || c === 'starving')) return 'stuck';
  if (proven.starving.has(pid) && c === 'running') return 'starving';
  return c;
}

function statusesOf(w: Watch, snap: SegmentSnapshot): ProcessStatus[] {
  const now = nowNs();
  return w.tracked.map((t, i) => {
    const slot = snap.slots[i];
    const observed = { role: t.spec.role, id: t.spec.id, exit: t.exit, slot, lastEventNs: t.lastEventNs, lastDoneNs: t.lastDoneNs, lastTimeoutNs: t.lastTimeoutNs };
    const exit = t.exit ? { code: t.exit.code, signal: t.exit.signal, killedByWatchdog: w.killIssued && t.exitBeforeKill === undefined } : null;
    return {
      role: t.spec.role,
      id: t.spec.id,
      slot: i,
      pid: t.pid,
      classification: provenOr(classify(observed, now, w.startNs, w.spec.stallMs), w.proven, t.pid),
      exit,
      expectedByFault: exitExpectedByFault({ ...observed, exit: t.exitBeforeKill }, w.spec.fault, snap.header.faultTarget),
      slotState: slot,
      sinceLastEventMs: t.lastEventNs ? (now - t.lastEventNs) / 1e6 : null,
      sinceLastDoneMs: t.lastDoneNs ? (now - t.lastDoneNs) / 1e6 : null,
      stderr: t.exit?.stderr ?? '',
    };
  });
}

/** The last events, the final segment, and each process's classification (at a hang: the one before the kill). */
function result(w: Watch, end: PollEnd, hang: HangCapture | null): IterationResult {
  drain(w);
  const final = w.seg.snapshot();
  const finalStatuses = statusesOf(w, final);
  const processes = hang ? hang.statuses.map((h, i) => ({ ...h, exit: finalStatuses[i]!.exit, stderr: finalStatuses[i]!.stderr })) : finalStatuses;
  let verdict = end.verdict;
  if (verdict === 'completed' && processes.some((p) => p.classification !== 'done' && !p.expectedByFault)) verdict = 'failed';
  return {
    spec: w.spec,
    verdict,
    startedAt: w.startedAt,
    startNs: w.startNs,
    wallMs: performance.now() - w.t0,
    lateByMs: end.lateByMs,
    proof: end.proof,
    chaos: w.chaosRecord,
    evidenceMs: hang?.evidenceMs ?? null,
    processes,
    events: w.events,
    missedEvents: w.reader.missed,
    corruptEvents: w.reader.corrupt,
    atHang: hang?.atHang ?? null,
    final,
    evidence: hang?.evidence ?? null,
    segmentName: w.seg.name,
  };
}
