// One iteration: create the segment, start master + N slaves, watch them
// until they all exit or the deadline passes, gather evidence of a hang
// before anything is killed, then kill, reap, read every ring and clean up.
import { onProcessExit } from '../system/on-exit.js';
import type { ExitInfo, Launcher, ProcessSpec } from './launchers/launcher.js';
import type { EventOwner, SegmentSnapshot, SlotInfo, TraceEvent } from '../native/layout.js';
import type { RunConfig } from '../report/types.js';
import { RingReader, Segment } from '../native/segment.js';
import type { Classification } from './watchdog.js';
import { classify, exitExpectedByFault } from './watchdog.js';

/** One iteration: the run's configuration and its number in the loop. */
export type IterationSpec = RunConfig & { index: number };

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
  /** Called the moment the deadline passes, before any evidence is gathered. */
  onHangDetected?(info: { index: number; lateByMs: number }): void;
  /** Gathers evidence while every process is still as it hung. */
  inspect?(ctx: HangContext): Promise<unknown>;
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
  /** Detection time minus deadline (ms), for a hang. */
  lateByMs: number | null;
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

const nowNs = () => Number(process.hrtime.bigint());

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
  let unlinked = false;
  const unlinkOnce = () => {
    if (!unlinked) {
      unlinked = true;
      seg.unlink();
    }
  };
  const dropExitHook = onProcessExit(unlinkOnce);
  try {
    return await watch(spec, launcher, hooks, seg, unlinkOnce, () => unlinked);
  } finally {
    unlinkOnce();
    dropExitHook();
    seg.close();
  }
}

async function watch(
  spec: IterationSpec,
  launcher: Launcher,
  hooks: IterationHooks,
  seg: Segment,
  unlink: () => void,
  isUnlinked: () => boolean,
): Promise<IterationResult> {
  const procs = processSpecs(spec.nslaves);
  // Slot index = 0 for the master, id for slave id (mvr_slot_index in mvar.c).
  const owners: EventOwner[] = procs.map((p, i) => ({ slot: i, role: p.role, id: p.id }));
  const reader = new RingReader(seg, owners);
  const events: TraceEvent[] = [];
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const startNs = nowNs();
  const deadline = t0 + spec.timeoutMs;

  const launched = await launcher.launch(seg.name, procs);
  const dropKillHook = onProcessExit(() => launched.killAll());
  if (launched.mappedAtStart) unlink();

  const tracked: Tracked[] = procs.map((p, i) => ({
    spec: p,
    pid: launched.pids[i]!,
    exit: undefined,
    exitBeforeKill: undefined,
    lastEventNs: 0,
    lastDoneNs: 0,
    lastTimeoutNs: 0,
  }));
  let killIssued = false;
  let remaining = tracked.length;
  let wake: (() => void) | undefined;
  launched.exits.forEach((p, i) =>
    p.then((info) => {
      const t = tracked[i]!;
      t.exit = info;
      if (!killIssued) t.exitBeforeKill = info;
      remaining--;
      wake?.();
    }),
  );
  const onAbort = () => wake?.();
  hooks.signal?.addEventListener('abort', onAbort);

  const drain = () => {
    for (const e of reader.poll()) {
      events.push(e);
      const t = tracked[e.slot];
      if (!t) continue;
      t.lastEventNs = e.tNs;
      if (e.phase === 'done') t.lastDoneNs = e.tNs;
      else if (e.phase === 'lock-timeout' || e.phase === 'wait-timeout') t.lastTimeoutNs = e.tNs;
    }
  };
  const statuses = (snap: SegmentSnapshot): ProcessStatus[] => {
    const now = nowNs();
    return tracked.map((t, i) => {
      const slot = snap.slots[i];
      const observed = {
        role: t.spec.role,
        id: t.spec.id,
        exit: t.exit,
        slot,
        lastEventNs: t.lastEventNs,
        lastDoneNs: t.lastDoneNs,
        lastTimeoutNs: t.lastTimeoutNs,
      };
      const exit = t.exit
        ? { code: t.exit.code, signal: t.exit.signal, killedByWatchdog: killIssued && t.exitBeforeKill === undefined }
        : null;
      return {
        role: t.spec.role,
        id: t.spec.id,
        slot: i,
        pid: t.pid,
        classification: classify(observed, now, startNs, spec.stallMs),
        exit,
        expectedByFault: exitExpectedByFault({ ...observed, exit: t.exitBeforeKill }, spec.fault, snap.header.faultTarget),
        slotState: slot,
        sinceLastEventMs: t.lastEventNs ? (now - t.lastEventNs) / 1e6 : null,
        sinceLastDoneMs: t.lastDoneNs ? (now - t.lastDoneNs) / 1e6 : null,
        stderr: t.exit?.stderr ?? '',
      };
    });
  };

  let verdict: Verdict = 'completed';
  let lateByMs: number | null = null;
  let evidenceMs: number | null = null;
  let atHang: SegmentSnapshot | null = null;
  let hangStatuses: ProcessStatus[] | null = null;
  let evidence: unknown = null;
  try {
    for (;;) {
      drain();
      if (!isUnlinked()) {
        const snap = seg.snapshot();
        if (tracked.every((t, i) => t.exit || (snap.slots[i]?.pid ?? 0) !== 0)) unlink();
      }
      if (remaining === 0) break;
      if (hooks.signal?.aborted) {
        verdict = 'interrupted';
        break;
      }
      const now = performance.now();
      if (now >= deadline) {
        verdict = 'hang';
        lateByMs = now - deadline;
        hooks.onHangDetected?.({ index: spec.index, lateByMs });
        break;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(spec.pollMs, Math.max(0, deadline - now)));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }

    if (verdict === 'hang') {
      const e0 = performance.now();
      drain();
      atHang = seg.snapshot();
      hangStatuses = statuses(atHang);
      const ctx: HangContext = {
        spec,
        segment: seg,
        snapshot: atHang,
        processes: hangStatuses,
        events,
        detectedAtMs: e0 - t0,
      };
      evidence = hooks.inspect ? await hooks.inspect(ctx) : null;
      evidenceMs = performance.now() - e0;
      if (hooks.keep) await hooks.keep(ctx, evidence);
    }
  } finally {
    killIssued = remaining > 0;
    launched.killAll();
    await Promise.all(launched.exits);
    dropKillHook();
    hooks.signal?.removeEventListener('abort', onAbort);
  }

  drain();
  const final = seg.snapshot();
  const finalStatuses = statuses(final);
  // At a hang the classification that matters is the one before the kill.
  const processes = hangStatuses
    ? hangStatuses.map((h, i) => ({ ...h, exit: finalStatuses[i]!.exit, stderr: finalStatuses[i]!.stderr }))
    : finalStatuses;
  if (verdict === 'completed' && processes.some((p) => p.classification !== 'done' && !p.expectedByFault))
    verdict = 'failed';

  return {
    spec,
    verdict,
    startedAt,
    startNs,
    wallMs: performance.now() - t0,
    lateByMs,
    evidenceMs,
    processes,
    events,
    missedEvents: reader.missed,
    corruptEvents: reader.corrupt,
    atHang,
    final,
    evidence,
    segmentName: seg.name,
  };
}
