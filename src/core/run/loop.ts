// The loop behind `run` and `soak`: iterations one after another (or P at a
// time), each reported, stopping on a count, a duration, the first hang, or
// an interrupt.
import { join } from 'node:path';
import { ExecaLauncher } from './launchers/execa.js';
import { ForkServerLauncher } from './launchers/forkserver.js';
import type { Launcher } from './launchers/launcher.js';
import { environment } from '../system/environment.js';
import type { HangContext, IterationResult } from './iteration.js';
import type { TraceEvent } from '../native/layout.js';
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

/** One iteration of our protocol, reported (not yet saved): the report and the events of every ring. */
export interface ProtocolIteration {
  report: RunReport;
  events: TraceEvent[];
  result: IterationResult;
  /** Why the hang's processes could not be inspected (all gone), or null. */
  unreadable: string | null;
}

/**
 * Iterations of mvar-repro's own protocol on one launcher, as `run` and
 * `soak` both run them: each started, watched, inspected at a hang and
 * reported; saving is the loop's to decide.
 */
export class ProtocolIterations {
  private readonly launcher: Launcher;
  private readonly env = environment();

  constructor(
    private readonly opts: Pick<LoopOptions, 'config' | 'shard' | 'inspect' | 'keep' | 'signal'> & { hangDetected?: LoopObserver['hangDetected'] },
  ) {
    sweepStaleSegments();
    this.launcher = makeLauncher(opts.config);
  }

  /** The iteration's report, or null when the loop was interrupted during it. */
  async run(index: number): Promise<ProtocolIteration | null> {
    const { config, shard, keep, signal, hangDetected } = this.opts;
    let evidence: HangEvidence | null = null;
    let unreadable: string | null = null;
    // Processes that all exit in the instant of the deadline leave nothing to inspect: still a hang, said incomplete, never an abort.
    const inspect = async (ctx: HangContext): Promise<HangEvidence> => {
      try {
        return await this.opts.inspect(ctx);
      } catch (e) {
        if (!(e instanceof EnvironmentError)) throw e;
        unreadable = e.message;
        return { procfs: [], diagnosis: null };
      }
    };
    const result: IterationResult = await runIteration({ ...config, index, ...(shard ? { shardIndex: shard.index } : {}) }, this.launcher, {
      signal,
      onHangDetected: (h) => hangDetected?.(index, h),
      ...(config.early ? { prove: proveHang, provenBy: (ev: unknown) => ((ev as HangEvidence | null)?.diagnosis ? provenProcesses((ev as HangEvidence).diagnosis!) : null) } : {}),
      inspect: async (ctx) => (evidence = await inspect(ctx)),
      ...(keep ? { keep: (ctx: HangContext) => keep(ctx, evidence) } : {}),
    });
    if (result.verdict === 'interrupted') return null;
    return { report: buildReport(result, config, this.env, evidence, shard ?? null), events: result.events, result, unreadable };
  }

  close(): Promise<void> {
    return this.launcher.close();
  }
}

/** The outcome of a reported iteration, as loops report it. */
export function outcomeOf(it: ProtocolIteration, saved: { path: string | null; error: string | null }): IterationOutcome {
  const { report, result } = it;
  const findings = report.diagnosis?.findings ?? [];
  return {
    index: report.iteration,
    verdict: report.verdict,
    wallMs: result.wallMs,
    lateByMs: result.lateByMs,
    proof: report.timing.proof ?? null,
    summary: report.summary,
    findingKinds: findings.map((f) => f.kind),
    findingSummaries: findings.map((f) => f.summary),
    incomplete: [...(report.diagnosis?.incomplete ?? []), ...(it.unreadable ? [`the processes could not be inspected: ${it.unreadable}`] : [])],
    reportPath: saved.path,
    saveError: saved.error,
    report,
  };
}

export async function runLoop(opts: LoopOptions, observer: LoopObserver = {}): Promise<LoopSummary> {
  checkReportDir(opts.reportDir, '--report-dir');
  const t0 = performance.now();
  const iterations = new ProtocolIterations({ ...opts, ...(observer.hangDetected ? { hangDetected: observer.hangDetected } : {}) });
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
    const it = await iterations.run(index);
    if (!it) {
      summary.interrupted = true;
      return 'stop';
    }
    const { report, events } = it;
    const save = opts.saveAll || report.verdict !== 'completed';
    // A verdict never waits on the disk: a report that cannot be saved is said, and the loop goes on.
    const saved = save ? await saveOrSay(() => writeRunFolder(opts.reportDir, report, events)) : { path: null, error: null };
    if (saved.error) summary.saveErrors.push(saved.error);
    if (opts.saveBaseline && !summary.baseline && report.verdict === 'completed') {
      summary.baseline = 'pending'; // claimed before the await: a parallel lane must not save a second one
      const b = await saveOrSay(() => writeRunFolder(join(opts.reportDir, 'baselines'), report, events, opts.saveBaseline, true));
      summary.baseline = b.path;
      if (b.error) summary.saveErrors.push(b.error);
    }
    const outcome = outcomeOf(it, saved);
    summary.iterations++;
    if (report.verdict === 'completed') summary.completed++;
    if (report.verdict === 'failed') {
      summary.failures++;
      if (!summary.firstFailure || index < summary.firstFailure.iteration) summary.firstFailure = { iteration: index, report: saved.path };
    }
    countIteration(summary.findingKinds, outcome.findingKinds);
    if (report.verdict === 'hang') {
      summary.hangs++;
      if (!summary.firstHang || index < summary.firstHang.iteration) summary.firstHang = { iteration: index, report: saved.path };
    }
    if (saved.path) summary.reports.push(saved.path);
    observer.iterationDone?.(outcome);
    return report.verdict === 'hang' && opts.untilHang ? 'stop' : undefined;
  };

  try {
    await repeat({ iterations: iterationLimit(opts), durationMs: opts.durationMs, parallel: opts.parallel, signal: opts.signal }, one);
  } finally {
    await iterations.close();
    summary.wallMs = performance.now() - t0;
  }
  return summary;
}
