// Builds a RunReport from what an iteration observed.
import type { Diagnosis } from '../diagnosis/types.js';
import type { Environment } from '../system/environment.js';
import type { IterationResult, ProcessStatus } from '../run/iteration.js';
import type { TraceEvent } from '../native/layout.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { HangProof, ProcessReport, RunConfig, RunReport } from './types.js';
import { fmtDuration } from '../system/duration.js';
import { EVENTS_FILE, RUN_REPORT_KIND, SCHEMA_VERSION } from './types.js';
import { byProcess, traceStats } from '../trace/stats.js';
import { processLabel } from './labels.js';
import { hangCountWords, hangCounts } from './process-state.js';

/** What the inspector gathered at a hang, before the kill. */
export interface HangEvidence {
  procfs: ProcRaw[];
  diagnosis: Diagnosis | null;
}

function processReport(p: ProcessStatus, events: TraceEvent[], missed: number, runtime: RunConfig['runtime']): ProcessReport {
  const s = p.slotState;
  return {
    role: p.role,
    id: p.id,
    pid: p.pid,
    runtime: p.role === 'master' ? 'native' : runtime,
    classification: p.classification,
    exit: p.exit,
    expectedByFault: p.expectedByFault,
    opsDone: s?.opsDone ?? 0,
    currentOp: s && s.curOp !== 'none' ? { op: s.curOp, opId: s.curOpId } : null,
    sinceLastEventMs: p.sinceLastEventMs === null ? null : Math.round(p.sinceLastEventMs),
    sinceLastDoneMs: p.sinceLastDoneMs === null ? null : Math.round(p.sinceLastDoneMs),
    reason: s?.reason || p.stderr.split('\n').filter(Boolean).at(-1) || '',
    events: events.length,
    missedEvents: missed,
    lastEvents: events.slice(-10),
  };
}

export function roundProof(p: HangProof): HangProof {
  const ms = (v: number) => Math.round(v * 10) / 10;
  return { provenAtMs: ms(p.provenAtMs), lastProgressAtMs: p.lastProgressAtMs === null ? null : ms(p.lastProgressAtMs), reason: p.reason };
}

function verdictSentence(r: IterationResult, processes: ProcessReport[], diagnosis: Diagnosis | null): string {
  const n = processes.length;
  if (r.verdict === 'completed') {
    const staged = processes.filter((p) => p.expectedByFault).map(processLabel);
    return `completed: ${n} processes finished in ${Math.round(r.wallMs)} ms${staged.length ? ` (${staged.join(', ')} ended by the staged fault)` : ''}`;
  }
  if (r.verdict === 'hang') {
    const kinds = [...new Set(diagnosis?.findings.map((f) => f.kind) ?? [])];
    const when = r.proof ? `proven after ${fmtDuration(r.proof.provenAtMs)}` : `not complete after ${fmtDuration(r.spec.timeoutMs)}`;
    return `hang: ${when}; ${hangCountWords(hangCounts(processes, diagnosis))}${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
  }
  const bad = processes.filter((p) => p.classification !== 'done' && !p.expectedByFault);
  return `failed: ${bad
    .slice(0, 3)
    .map((p) => `${processLabel(p)} ${p.exit?.signal ? `killed by ${p.exit.signal}` : `exited ${p.exit?.code}`}${p.reason ? ` (${p.reason})` : ''}`)
    .join('; ')}${bad.length > 3 ? `; and ${bad.length - 3} more` : ''}`;
}

export function buildReport(
  r: IterationResult,
  config: RunConfig,
  env: Environment,
  evidence: HangEvidence | null,
  shard: RunReport['shard'] = null,
): RunReport {
  const perProcess = byProcess(r.events);
  const processes = r.processes.map((p) => processReport(p, perProcess.get(p.slot) ?? [], r.missedEvents[p.slot] ?? 0, config.runtime));
  const diagnosis = evidence?.diagnosis ?? null;
  if (r.verdict === 'interrupted') throw new Error('an interrupted iteration has no report');
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: RUN_REPORT_KIND,
    createdAt: new Date().toISOString(),
    iteration: r.spec.index,
    shard,
    config,
    environment: env,
    verdict: r.verdict,
    summary: verdictSentence(r, processes, diagnosis),
    timing: {
      startedAt: r.startedAt,
      startNs: r.startNs,
      wallMs: Math.round(r.wallMs * 1000) / 1000,
      lateByMs: r.lateByMs === null ? null : Math.round(r.lateByMs * 1000) / 1000,
      evidenceMs: r.evidenceMs === null ? null : Math.round(r.evidenceMs),
      proof: r.proof ? roundProof(r.proof) : null,
    },
    processes,
    chaos: r.chaos,
    segment: { name: r.segmentName, atHang: r.atHang?.mvar ?? null, final: r.final.mvar },
    procfs: evidence?.procfs ?? null,
    diagnosis,
    stats: traceStats(r.events),
    dropped: {
      total: r.missedEvents.reduce((a, b) => a + b, 0),
      corrupt: r.corruptEvents,
      byProcess: processes.filter((p) => p.missedEvents > 0).map((p) => ({ role: p.role, id: p.id, missed: p.missedEvents })),
    },
    events: { file: EVENTS_FILE, count: r.events.length },
  };
}
