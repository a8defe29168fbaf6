// What is gathered at a hang while every process is still as it hung: raw
// /proc text of each live process and the diagnosis built on it.
import type { RunContext, RunProcess } from '../diagnosis/input.js';
import { diagnose } from '../diagnosis/engine.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { findMapping, isShared, parseMaps, parseSyscall, STATUS_KEYS } from '../procfs/decode.js';
import { SYS_FUTEX } from '../diagnosis/futex.js';
import type { HangContext } from './iteration.js';
import type { TraceEvent } from '../native/layout.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { HangEvidence } from '../report/build.js';
import { byProcess, traceStats } from '../trace/stats.js';

export interface EvidenceOptions {
  /** Native stacks of up to this many stuck processes (0: none). */
  stacks: number;
  /** The hung processes will be kept for the user's own debugger. */
  keep: boolean;
}

export function runContext(ctx: HangContext): RunContext {
  const per = byProcess(ctx.events);
  const tids: Record<number, number> = {};
  for (const e of ctx.events) tids[e.tid] = e.pid;
  const processes: RunProcess[] = ctx.processes.map((p) => {
    const ev: TraceEvent[] = per.get(p.slot) ?? [];
    const last = ev.at(-1);
    const count = (phase: string, op?: string) => ev.filter((e) => e.phase === phase && (!op || e.op === op)).length;
    if (p.slotState?.tid) tids[p.slotState.tid] = p.pid;
    return {
      pid: p.pid,
      role: p.role,
      id: p.id,
      classification: p.classification,
      exit: p.exit ? { code: p.exit.code, signal: p.exit.signal } : null,
      finished: p.slotState?.state === 'done' || p.slotState?.state === 'failed',
      curOp: p.slotState?.curOp ?? 'none',
      curOpId: p.slotState?.curOpId ?? 0,
      opsDone: p.slotState?.opsDone ?? 0,
      lastPhase: last?.phase ?? null,
      lastOp: last?.op ?? null,
      lastAux: last?.aux ?? 0,
      takes: count('done', 'take'),
      puts: count('done', 'put'),
      waitTimeouts: count('wait-timeout'),
      lockTimeouts: count('lock-timeout'),
      sinceLastEventMs: p.sinceLastEventMs,
    };
  });
  return {
    segmentName: ctx.segment.name,
    header: ctx.snapshot.header,
    primitives: ctx.snapshot.mvar.primitives,
    processes,
    tids,
    expiredWithConditionTrue: traceStats(ctx.events).expiredWithConditionTrue,
  };
}

/**
 * While the iteration runs: is the hang already proven? Two quick /proc
 * samples (a thread that moves between them is not stuck) and the same
 * analysis as at the deadline; the reason when a finding proves it.
 */
export function proveHang(ctx: HangContext): Promise<ProvenHang | null> {
  return proveAmong(
    ctx.processes.filter((p) => !p.exit).map((p) => p.pid),
    runContext(ctx),
  );
}

export interface ProvenHang {
  reason: string;
  stuck: number[];
  starving: number[];
}

/** The same for any processes (a soaked command's tree), with what the run knows of them when it is ours. */
export async function proveAmong(pids: number[], run?: RunContext): Promise<ProvenHang | null> {
  if (!pids.length) return null;
  try {
    const { diagnosis } = await diagnose(pids, { samples: 2, intervalMs: 20, stacks: 0, stackTimeoutMs: 0, ...(run ? { run } : {}) });
    if (!diagnosis.proof) return null;
    return { reason: diagnosis.proof, ...provenProcesses(diagnosis) };
  } catch {
    return null; // nothing readable right now: the deadline decides
  }
}

/** Stuck: a thread that can never be woken. Starving: named by a proving finding, but only timing out and retrying for ever. */
export function provenProcesses(d: Diagnosis): Omit<ProvenHang, 'reason'> {
  const stuck = d.processes.filter((p) => p.threads.some((t) => t.wait?.stuckForGood)).map((p) => p.pid);
  const named = d.findings.filter((f) => f.proof).flatMap((f) => f.pids);
  return { stuck, starving: named.filter((p) => !stuck.includes(p)) };
}

/** A capture as a report keeps it: shared mappings and those holding a futex a thread waits on; key status lines. */
export function trimForReport(raw: ProcRaw): ProcRaw {
  const rows = (raw.maps ?? '').split('\n').map((line) => ({ line, m: parseMaps(line)[0] }));
  const maps = rows.flatMap((r) => (r.m ? [r.m] : []));
  const addrs = raw.tasks.flatMap((t) => {
    const sc = parseSyscall(t.syscall);
    return sc.kind === 'syscall' && sc.nr === SYS_FUTEX && sc.args[0] !== undefined ? [sc.args[0]] : [];
  });
  const keep = new Set(addrs.map((a) => findMapping(maps, a)?.start));
  const lines = rows.filter((r) => r.m !== undefined && (isShared(r.m) || keep.has(r.m.start))).map((r) => r.line);
  const status = (s: string | null) =>
    s === null ? null : s.split('\n').filter((l) => STATUS_KEYS.includes(l.split(':')[0]!)).join('\n');
  return { ...raw, maps: raw.maps === null ? null : lines.join('\n'), status: status(raw.status), tasks: raw.tasks.map((t) => ({ ...t, status: status(t.status) })) };
}

export async function gatherEvidence(ctx: HangContext, opts: EvidenceOptions): Promise<HangEvidence> {
  const live = ctx.processes.filter((p) => !p.exit);
  if (!live.length) return { procfs: [], diagnosis: null }; // nothing left to look at
  const { diagnosis, samples } = await diagnose(
    live.map((p) => p.pid),
    {
      samples: 2,
      intervalMs: 100,
      stacks: opts.stacks,
      stackTimeoutMs: 15_000,
      // The processes are killed right after: freeze them so the attach cannot let one through.
      freezeForStacks: true,
      stacksSkipped: opts.keep ? '--keep: attach your own debugger (an attach can wake a thread left asleep by a lost wake-up)' : null,
      run: runContext(ctx),
    },
  );
  return { procfs: samples[0]!.map(trimForReport), diagnosis };
}
