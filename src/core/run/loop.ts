// The loop behind `run` and `soak`: iterations one after another (or P at a
// time), each reported, stopping on a count, a duration, the first hang, or
// an interrupt.
import { join } from 'node:path';
import { ExecaLauncher } from './launchers/execa.js';
import { ForkServerLauncher } from './launchers/forkserver.js';
import type { Launcher } from './launchers/launcher.js';
import { environment } from '../system/environment.js';
import type { HangContext, IterationResult } from './iteration.js';
import { runIteration } from './iteration.js';
import { iterationLimit, repeat } from '../system/repeat.js';
import type { HangEvidence } from '../report/build.js';
import { buildReport } from '../report/build.js';
import type { HangProof, RunConfig, RunReport, Shard } from '../report/types.js';
import { provenProcesses, proveHang } from './evidence.js';
import { checkReportDir, writeRunFolder } from '../report/write.js';
import { EnvironmentError } from '../system/errors.js';
import { countIteration } from '../report/finding-kinds.js';
import { sweepStaleSegments } from './stale-segments.js';

export interface LoopOptions {
  config: RunConfig;
  /** Stop after this many iterations (undefined: no count limit). */
  iterations?: number;
  /** Stop after this long; no iteration starts once it has passed. */
  durationMs?: number;
  untilHang: boolean;
  /** Iterations in flight at once. */
  parallel: number;
  reportDir: string;
  /** Write a report for every iteration, not only hangs and failures. */
  saveAll: boolean;
  /** The soak shard this loop is (report names and reports carry it). */
  shard?: Shard | null;
  /** Store the first completed iteration as baselines/NAME under reportDir. */
  saveBaseline?: string;
  /** Gathers the evidence of a hang (procfs, diagnosis) before the kill. */
  inspect: (ctx: HangContext) => Promise<HangEvidence>;
  /** With --keep: called with the hung iteration and its evidence; resolves when the user lets it go. */
  keep?: (ctx: HangContext, evidence: HangEvidence | null) => Promise<void>;
  signal: AbortSignal;
}

/** How an iteration ended, as loops report it (run and soak, protocol or command). */
export interface Outcome {
  index: number;
  verdict: RunReport['verdict'];
  wallMs: number;
  lateByMs: number | null;
  /** A hang proven before its deadline. */
  proof: HangProof | null;
  summary: string;
  findingKinds: string[];
  findingSummaries: string[];
  /** What the diagnosis could not read: said, never taken as nothing. */
  incomplete: string[];
  reportPath: string | null;
  /** Why its report could not be saved, when it could not. */
  saveError: string | null;
}

export interface IterationOutcome extends Outcome {
  report: RunReport;
}

export interface LoopObserver<O extends Outcome = IterationOutcome> {
  iterationStarted?(index: number): void;
  /** The deadline passed (lateByMs: by how much) or the hang was proven (proof), before any evidence is gathered. */
  hangDetected?(index: number, how: { lateByMs: number | null; proof?: HangProof }): void;
  iterationDone?(o: O): void;
}

export interface LoopSummary {
  iterations: number;
  completed: number;
  hangs: number;
  failures: number;
  firstHang: { iteration: number; report: string | null } | null;
  /** The first iteration that failed (a process crashed or exited non-zero), and its report. */
  firstFailure: { iteration: number; report: string | null } | null;
  wallMs: number;
  /** Every report folder saved (hangs and failures; good iterations too with --save-all). */
  reports: string[];
  interrupted: boolean;
  findingKinds: Record<string, number>;
  /** Where --save-baseline stored its run, if it did. */
  baseline: string | null;
  /** Reports that could not be saved, and why. */
  saveErrors: string[];
}

/** Runs a write; an EnvironmentError (the disk, the folder) becomes a sentence, anything else stays a bug. */
export async function saveOrSay(write: () => Promise<string>): Promise<{ path: string | null; error: string | null }> {
  try {
    return { path: await write(), error: null };
  } catch (e) {
    if (e instanceof EnvironmentError) return { path: null, error: e.message };
    throw e;
  }
}

export function makeLauncher(config: RunConfig): Launcher {
  if (config.runtime === 'native' && config.spawner === 'forkserver') return new ForkServerLauncher({ jitter: !!config.chaos });
  return new ExecaLauncher({ runtime: config.runtime, slaveThread: config.slaveThread });
}

export async function runLoop(opts: LoopOptions, observer: LoopObserver = {}): Promise<LoopSummary> {
  checkReportDir(opts.reportDir, '--report-dir');
  sweepStaleSegments();
  const t0 = performance.now();
  const env = environment();
  const launcher = makeLauncher(opts.config);
  const summary: LoopSummary = {
    iterations: 0,
    completed: 0,
    hangs: 0,
    failures: 0,
    firstHang: null,
    firstFailure: null,
    wallMs: 0,
    reports: [],
    interrupted: false,
    findingKinds: {},
    baseline: null,
    saveErrors: [],
  };
  const one = async (index: number): Promise<'stop' | void> => {
    observer.iterationStarted?.(index);
    let evidence: HangEvidence | null = null;
    const result: IterationResult = await runIteration({ ...opts.config, index, ...(opts.shard ? { shardIndex: opts.shard.index } : {}) }, launcher, {
      signal: opts.signal,
      onHangDetected: (h) => observer.hangDetected?.(index, h),
      ...(opts.config.early ? { prove: proveHang, provenBy: (ev: unknown) => ((ev as HangEvidence | null)?.diagnosis ? provenProcesses((ev as HangEvidence).diagnosis!) : null) } : {}),
      inspect: async (ctx) => (evidence = await opts.inspect(ctx)),
      ...(opts.keep ? { keep: (ctx: HangContext) => opts.keep!(ctx, evidence) } : {}),
    });
    if (result.verdict === 'interrupted') {
      summary.interrupted = true;
      return 'stop';
    }
    const report = buildReport(result, opts.config, env, evidence, opts.shard ?? null);
    const save = opts.saveAll || report.verdict !== 'completed';
    // A verdict never waits on the disk: a report that cannot be saved is said, and the loop goes on.
    const saved = save ? await saveOrSay(() => writeRunFolder(opts.reportDir, report, result.events)) : { path: null, error: null };
    if (saved.error) summary.saveErrors.push(saved.error);
    if (opts.saveBaseline && !summary.baseline && report.verdict === 'completed') {
      summary.baseline = 'pending'; // claimed before the await: a parallel lane must not save a second one
      const b = await saveOrSay(() => writeRunFolder(join(opts.reportDir, 'baselines'), report, result.events, opts.saveBaseline, true));
      summary.baseline = b.path;
      if (b.error) summary.saveErrors.push(b.error);
    }
    const reportPath = saved.path;
    summary.iterations++;
    if (report.verdict === 'completed') summary.completed++;
    if (report.verdict === 'failed') {
      summary.failures++;
      if (!summary.firstFailure || index < summary.firstFailure.iteration) summary.firstFailure = { iteration: index, report: reportPath };
    }
    const findings = report.diagnosis?.findings ?? [];
    countIteration(summary.findingKinds, findings.map((f) => f.kind));
    if (report.verdict === 'hang') {
      summary.hangs++;
      if (!summary.firstHang || index < summary.firstHang.iteration) summary.firstHang = { iteration: index, report: reportPath };
    }
    if (reportPath) summary.reports.push(reportPath);
    observer.iterationDone?.({
      index,
      verdict: report.verdict,
      wallMs: result.wallMs,
      lateByMs: result.lateByMs,
      proof: report.timing.proof ?? null,
      summary: report.summary,
      findingKinds: findings.map((f) => f.kind),
      findingSummaries: findings.map((f) => f.summary),
      incomplete: report.diagnosis?.incomplete ?? [],
      reportPath,
      saveError: saved.error,
      report,
    });
    return report.verdict === 'hang' && opts.untilHang ? 'stop' : undefined;
  };

  try {
    await repeat({ iterations: iterationLimit(opts), durationMs: opts.durationMs, parallel: opts.parallel, signal: opts.signal }, one);
  } finally {
    await launcher.close();
    summary.wallMs = performance.now() - t0;
  }
  return summary;
}
