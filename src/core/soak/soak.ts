// `soak`: many iterations for a CI job, of mvar-repro's own protocol or of
// any program, with a hang rate and its confidence interval, JUnit XML and
// shards that merge.
import { basename, join } from 'node:path';
import type { CommandResult } from './command-iteration.js';
import { runCommandIteration } from './command-iteration.js';
import { findingSummary, groupFindings } from '../preload/findings.js';
import type { PreloadOptions } from '../preload/session.js';
import { environment } from '../system/environment.js';
import { gatherEvidence } from '../run/evidence.js';
import type { JUnitCase } from './junit.js';
import { JUnitFile } from './junit.js';
import { repeat } from '../system/repeat.js';
import { countIteration, type FindingKindCounts } from '../report/finding-kinds.js';
import { processLabelWithPid } from '../report/labels.js';
import type { CommandHangReport, RunConfig, Shard, SoakSummary } from '../report/types.js';
import { COMMAND_REPORT_FILE, COMMAND_RUN_FILE, COMMAND_RUN_KIND, EVENTS_FILE, GENERIC_REPORT_KIND, SCHEMA_VERSION, SOAK_SUMMARY_KIND } from '../report/types.js';
import { checkOutputFile, checkReportDir, shardTag, stamp, uniqueFolderName, writeEvents, writeFolder, writeJson } from '../report/write.js';
import type { LoopObserver, Outcome } from '../run/loop.js';
import { runLoop, saveOrSay } from '../run/loop.js';
import { iterationSeed } from '../run/chaos.js';
import { wilson } from '../trace/stats.js';
import { fmtDuration } from '../system/duration.js';
import { roundProof } from '../report/build.js';

export interface SoakOptions {
  /** The program to soak, or null for mvar-repro's own protocol. */
  command: string[] | null;
  config: RunConfig;
  iterations: number | undefined;
  durationMs: number | undefined;
  parallel: number;
  untilHang: boolean;
  shard: Shard | null;
  expect: 'none' | 'hang';
  reportDir: string;
  saveAll: boolean;
  stacks: number;
  junit: string | undefined;
  signal: AbortSignal;
  /** -- COMMAND only: --trace / --check, the program runs under the preload library. */
  preload?: PreloadOptions | null;
}

export type SoakOutcome = Outcome;
export type SoakObserver = LoopObserver<Outcome>;

/** This shard's share of K iterations: as even as possible, the first K mod k shards one more. */
export function shardIterations(total: number | undefined, shard: Shard | null): number | undefined {
  if (total === undefined || !shard) return total;
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}

/** A distinct seed per shard and iteration, handed to soaked programs. */
export function seedOf(shard: Shard | null, index: number): number {
  return ((shard?.index ?? 1) * 1_000_003 + index * 7919) >>> 0;
}

export function soakSummary(
  outcomes: SoakOutcome[],
  base: Pick<SoakSummary, 'shard' | 'command' | 'config' | 'expect' | 'wallMs' | 'interrupted'>,
): SoakSummary {
  const hangs = outcomes.filter((o) => o.verdict === 'hang');
  const failures = outcomes.filter((o) => o.verdict === 'failed').length;
  const n = outcomes.length;
  const first = hangs.reduce<SoakOutcome | undefined>((m, o) => (!m || o.index < m.index ? o : m), undefined);
  const kinds: FindingKindCounts = {};
  for (const o of outcomes) countIteration(kinds, o.findingKinds);
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: SOAK_SUMMARY_KIND,
    createdAt: new Date().toISOString(),
    shards: 1,
    ...base,
    iterations: n,
    passes: n - hangs.length - failures,
    hangs: hangs.length,
    provenHangs: hangs.filter((o) => o.proof).length,
    failures,
    hangRate: wilson(hangs.length, n),
    failureRate: wilson(failures, n),
    iterationsPerMinute: base.wallMs > 0 ? Math.round((n / base.wallMs) * 60_000 * 10) / 10 : 0,
    firstHang: first ? { shard: base.shard?.index ?? null, iteration: first.index, report: first.reportPath } : null,
    findingKinds: kinds,
    reports: outcomes.filter((o) => o.reportPath && o.verdict !== 'completed').map((o) => o.reportPath!),
    environment: environment(),
  };
}

function junitCase(o: SoakOutcome, shard: Shard | null, timeoutMs: number, extra: string): JUnitCase {
  const name = `${shard ? `shard ${shard.index}/${shard.count} ` : ''}iteration ${o.index}`;
  const message =
    o.verdict === 'hang'
      ? `hang: ${o.proof ? `proven after ${fmtDuration(o.proof.provenAtMs)} (${o.proof.reason})` : `not complete after ${fmtDuration(timeoutMs)}`}${o.findingSummaries.length ? `; ${o.findingSummaries.join(' ')}` : ''}`
      : o.verdict === 'failed'
        ? o.summary
        : '';
  return {
    name,
    timeMs: o.wallMs,
    verdict: o.verdict,
    message,
    details: [o.summary, ...o.findingSummaries, ...o.incomplete.map((l) => `incomplete: ${l}`), extra].filter(Boolean).join('\n'),
    systemOut: o.reportPath ? `report: ${o.reportPath}` : '',
  };
}

async function soakProtocol(opts: SoakOptions, observer: SoakObserver, record: (o: SoakOutcome, extra: string) => void) {
  const s = await runLoop(
    {
      config: opts.config,
      iterations: opts.iterations,
      durationMs: opts.durationMs,
      untilHang: opts.untilHang,
      parallel: opts.parallel,
      reportDir: opts.reportDir,
      saveAll: opts.saveAll,
      shard: opts.shard,
      inspect: (ctx) => gatherEvidence(ctx, { stacks: opts.stacks, keep: false }),
      signal: opts.signal,
    },
    {
      ...(observer.iterationStarted ? { iterationStarted: observer.iterationStarted } : {}),
      ...(observer.hangDetected ? { hangDetected: observer.hangDetected } : {}),
      iterationDone: (o) => {
        const stuck = o.report.processes.filter((p) => p.classification === 'stuck').map(processLabelWithPid);
        // Keep the outcome, not the whole report: a long soak holds thousands.
        const { index, verdict, wallMs, lateByMs, proof, summary, findingKinds, findingSummaries, incomplete, reportPath, saveError } = o;
        record({ index, verdict, wallMs, lateByMs, proof, summary, findingKinds, findingSummaries, incomplete, reportPath, saveError }, stuck.length ? `stuck: ${stuck.join(', ')}` : '');
      },
    },
  );
  return s.interrupted;
}

/** --check: what the library found, one finding per primitive, counted like the diagnosis's. */
function checkFindings(r: CommandResult): { kind: string; summary: string }[] {
  return groupFindings(r.preload?.findings ?? []).map((g) => ({ kind: g.kind, summary: findingSummary(g) }));
}

/** The report's record of the preload library: what it was asked, what it got into, what it found and traced. */
function preloadFields(r: CommandResult, opts: PreloadOptions | null | undefined): Partial<Pick<CommandHangReport, 'preload'>> {
  if (!opts || !r.preload) return {};
  const t = r.preload.trace;
  return {
    preload: {
      check: opts.check,
      trace: opts.trace,
      loadedPids: r.preload.loaded,
      findings: opts.check ? groupFindings(r.preload.findings) : null,
      traced: t ? { file: EVENTS_FILE, count: t.events.length, startNs: r.startNs, threads: t.threads, untracedThreads: t.untracedThreads, missed: t.missed } : null,
    },
  };
}

function saveCommandIteration(r: CommandResult, opts: SoakOptions, index: number): Promise<string> {
  const command = opts.command!;
  const hang = r.verdict === 'hang';
  const report: CommandHangReport = {
    schemaVersion: SCHEMA_VERSION,
    kind: hang ? GENERIC_REPORT_KIND : COMMAND_RUN_KIND,
    verdict: hang ? 'hang' : r.verdict === 'completed' ? 'completed' : 'failed',
    createdAt: new Date().toISOString(),
    command,
    iteration: index,
    shard: opts.shard,
    timeoutMs: opts.config.timeoutMs,
    environment: environment(),
    tree: r.tree,
    stdoutTail: r.stdoutTail,
    stderrTail: r.stderrTail,
    procfs: r.procfs,
    diagnosis: r.diagnosis,
    proof: r.proof ? roundProof(r.proof) : null,
    exit: hang ? null : { code: r.exitCode, signal: r.signal, wallMs: Math.round(r.wallMs) },
    leftBehind: r.leftBehind,
    chaos: r.chaos,
    ...preloadFields(r, opts.preload),
  };
  const events = r.preload?.trace?.events;
  const name = uniqueFolderName(`${stamp(report.createdAt)}-command-${basename(command[0]!).replace(/[^A-Za-z0-9._-]/g, '_')}${shardTag(opts.shard)}-i${index}-${report.verdict}`);
  return writeFolder(opts.reportDir, name, async (tmp) => {
    await writeJson(join(tmp, hang ? COMMAND_REPORT_FILE : COMMAND_RUN_FILE), report);
    if (events) await writeEvents(join(tmp, EVENTS_FILE), events);
  });
}

function commandSummary(r: CommandResult): string {
  const left = r.leftBehind.length ? `; left behind in /dev/shm: ${r.leftBehind.slice(0, 5).join(', ')}${r.leftBehind.length > 5 ? ` and ${r.leftBehind.length - 5} more` : ''}` : '';
  return `${verdictOf(r)}${left}`;
}

function verdictOf(r: CommandResult): string {
  if (r.verdict === 'completed') return `exited 0 in ${Math.round(r.wallMs)} ms`;
  if (r.verdict === 'failed') {
    const last = r.stderrTail.trim().split('\n').at(-1);
    return `${r.signal ? `killed by ${r.signal}` : `exited ${r.exitCode}`}${last ? ` (${last.slice(0, 200)})` : ''}`;
  }
  return r.proof
    ? `hang: proven after ${fmtDuration(r.proof.provenAtMs)}; ${r.tree.length} process(es) in the tree`
    : `hang: ${r.tree.length} process(es) still running at the deadline`;
}

async function soakProgram(opts: SoakOptions, observer: SoakObserver, record: (o: SoakOutcome, extra: string) => void, unpreloaded: { count: number }) {
  const command = opts.command!;
  let interrupted = false;
  await repeat({ iterations: opts.iterations, durationMs: opts.durationMs, parallel: opts.parallel, signal: opts.signal }, async (index) => {
    observer.iterationStarted?.(index);
    const r = await runCommandIteration(
      {
        index,
        command,
        timeoutMs: opts.config.timeoutMs,
        stacks: opts.stacks,
        early: opts.config.early === true,
        chaos: opts.config.chaos ? { settings: opts.config.chaos, seed: iterationSeed(opts.config.chaos, index, opts.shard?.index ?? 1) } : null,
        preload: opts.preload ?? null,
        env: {
          MVAR_REPRO_ITERATION: String(index),
          MVAR_REPRO_SHARD: String(opts.shard?.index ?? 1),
          MVAR_REPRO_SHARDS: String(opts.shard?.count ?? 1),
          MVAR_REPRO_SEED: String(seedOf(opts.shard, index)),
        },
      },
      opts.signal,
    );
    // A static or set-user-ID program: the library never got in, so the iteration ran untraced and unchecked.
    if (r.preload && !r.preload.loaded.includes(r.rootPid)) unpreloaded.count++;
    if (r.verdict === 'interrupted') {
      interrupted = true;
      return 'stop';
    }
    if (r.verdict === 'hang') observer.hangDetected?.(index, { lateByMs: r.lateByMs, ...(r.proof ? { proof: r.proof } : {}) });
    let saved: { path: string | null; error: string | null } = { path: null, error: null };
    // A hang is always kept; with --trace --save-all, every traced iteration too: the good runs `diff` compares a hang with.
    if (r.verdict === 'hang' || (opts.saveAll && r.preload?.trace)) saved = await saveOrSay(() => saveCommandIteration(r, opts, index));
    const findings = [...(r.diagnosis?.findings ?? []), ...checkFindings(r)];
    const o: SoakOutcome = {
      index,
      verdict: r.verdict,
      wallMs: r.wallMs,
      lateByMs: r.lateByMs,
      proof: r.proof,
      summary: commandSummary(r),
      findingKinds: findings.map((f) => f.kind),
      findingSummaries: findings.map((f) => f.summary),
      incomplete: r.diagnosis?.incomplete ?? [],
      reportPath: saved.path,
      saveError: saved.error,
    };
    const out = [r.stdoutTail && `stdout (tail):\n${r.stdoutTail.slice(-2000)}`, r.stderrTail && `stderr (tail):\n${r.stderrTail.slice(-2000)}`]
      .filter(Boolean)
      .join('\n');
    record(o, r.verdict === 'completed' ? '' : out);
    return opts.untilHang && r.verdict === 'hang' ? 'stop' : undefined;
  });
  return interrupted;
}

export async function soak(opts: SoakOptions, observer: SoakObserver = {}): Promise<SoakSummary> {
  checkReportDir(opts.reportDir, '--report-dir');
  if (opts.junit) checkOutputFile(opts.junit, '--junit');
  const t0 = performance.now();
  const outcomes: SoakOutcome[] = [];
  const chaos = opts.config.chaos ? ` (chaos: seed ${opts.config.chaos.seed}, intensity ${opts.config.chaos.intensity})` : '';
  const junit = opts.junit ? new JUnitFile(opts.junit, `${opts.command ? `soak ${basename(opts.command[0]!)}` : 'mvar-repro soak'}${chaos}`) : null;
  const record = (o: SoakOutcome, extra: string) => {
    outcomes.push(o);
    junit?.add(junitCase(o, opts.shard, opts.config.timeoutMs, extra));
    observer.iterationDone?.(o);
  };
  let interrupted = false;
  const unpreloaded = { count: 0 };
  try {
    interrupted = opts.command ? await soakProgram(opts, observer, record, unpreloaded) : await soakProtocol(opts, observer, record);
  } finally {
    junit?.close();
  }
  outcomes.sort((a, b) => a.index - b.index);
  const summary = soakSummary(outcomes, {
    shard: opts.shard,
    command: opts.command,
    config: opts.command ? { timeoutMs: opts.config.timeoutMs, chaos: opts.config.chaos ?? null } : opts.config,
    expect: opts.expect,
    wallMs: performance.now() - t0,
    interrupted,
  });
  const saveErrors = [...outcomes.flatMap((o) => (o.saveError ? [o.saveError] : [])), ...(junit?.error ? [junit.error] : [])];
  return { ...summary, ...(saveErrors.length ? { saveErrors } : {}), ...(opts.preload ? { unpreloaded: unpreloaded.count } : {}) };
}
