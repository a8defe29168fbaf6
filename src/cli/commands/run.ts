// `mvar-repro run [N]`: master + N slaves, watched; loops on request.
import { isAbsolute, relative } from 'node:path';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ExitCode } from '../../core/system/errors.js';
import { gatherEvidence } from '../../core/run/evidence.js';
import type { HangContext } from '../../core/run/iteration.js';
import { processLabel, type HangEvidence } from '../../core/report/build.js';
import type { LoopSummary, Outcome } from '../../core/run/loop.js';
import { runLoop } from '../../core/run/loop.js';
import { err, fmtMs, out, paint, plural } from '../output.js';
import { Progress, progressMode } from '../progress.js';
import type { RunArgs } from '../run-options.js';
import { faultHelp, loopArgs, withRunOptions } from '../run-options.js';
import { installSignals, interruptedExitCode, waitForRelease } from '../signals.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

/** A path under the current directory, relative to it; others as they are. */
export function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

export function printOutcome(progress: Progress, o: Outcome): void {
  if (o.verdict === 'completed') return;
  const head = o.verdict === 'hang' ? paint('red', 'HANG') : paint('yellow', 'FAILED');
  progress.line(`${head} iteration ${o.index}: ${o.summary}`);
  for (const s of o.findingSummaries) progress.line(`  ${s}`);
  if (o.reportPath) progress.line(`  report: ${shortPath(o.reportPath)}`);
}

async function keepHook(ctx: HangContext, evidence: HangEvidence | null): Promise<void> {
  const live = ctx.processes.filter((p) => !p.exit);
  for (const f of evidence?.diagnosis?.findings ?? []) err(`${f.kind}: ${f.summary}`);
  err(`kept hung iteration ${ctx.spec.index} alive for a debugger; Ctrl-C kills it and finishes the run`);
  for (const p of live) err(`  ${processLabel(p).padEnd(10)} pid ${String(p.pid).padEnd(8)} ${p.classification}`);
  const first = live.find((p) => p.classification === 'stuck') ?? live[0];
  if (first) err(`  attach:   gdb -p ${first.pid} -ex 'thread apply all bt'`);
  err(`  diagnose: mvar-repro diagnose ${live.map((p) => p.pid).join(' ')}`);
  await waitForRelease();
}

export function finalLine(name: string, s: LoopSummary): string {
  const parts = [
    plural(s.iterations, 'iteration'),
    s.hangs ? `${plural(s.hangs, 'hang')} (first at iteration ${s.firstHang?.iteration})` : 'no hang',
    `${s.failures} failed`,
    fmtMs(s.wallMs),
  ];
  const reports = s.reports.map(shortPath);
  const listed = reports.length > 5 ? [...reports.slice(0, 5), `… ${reports.length - 5} more`] : reports;
  return `${name}: ${parts.join(', ')}${s.interrupted ? ' (interrupted)' : ''}${listed.length ? `; reports: ${listed.join(', ')}` : ''}`;
}

export function loopExitCode(s: LoopSummary, signal: AbortSignal, expectHang: boolean): number {
  const interrupted = interruptedExitCode(signal);
  if (interrupted !== null) return interrupted;
  if (expectHang) return s.hangs > 0 ? ExitCode.Ok : ExitCode.Found;
  if (s.hangs > 0) return ExitCode.Found;
  if (s.failures > 0) return ExitCode.Failed;
  return ExitCode.Ok;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [N]',
  describe: 'run master + N slaves on the shared MVar and watch for a hang',
  builder: (y: Argv) =>
    withRunOptions(y)
      .option('keep', { type: 'boolean', describe: 'leave a hung iteration alive for a debugger until Ctrl-C' })
      .epilog(`Faults (on top of --variant fixed):\n${faultHelp()}\n\n${EXIT_CODES_HELP}`) as unknown as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs & { keep?: boolean }>) => {
    const a = loopArgs(argv);
    const signal = installSignals();
    const mode = progressMode(argv);
    const total = a.iterations ?? (a.untilHang || a.durationMs !== undefined ? undefined : 1);
    const progress = new Progress(mode, total);
    progress.start();
    let summary: LoopSummary;
    try {
      summary = await runLoop(
        {
          config: a.config,
          iterations: a.iterations,
          durationMs: a.durationMs,
          untilHang: a.untilHang,
          parallel: 1,
          reportDir: a.reportDir,
          saveAll: a.saveAll,
          ...(a.saveBaseline ? { saveBaseline: a.saveBaseline } : {}),
          inspect: (ctx) => gatherEvidence(ctx, { stacks: a.stacks, keep: Boolean(argv.keep) }),
          ...(argv.keep ? { keep: keepHook } : {}),
          signal,
        },
        {
          iterationStarted: () => progress.iterationStarted(),
          hangDetected: (i, late) => progress.note(`iteration ${i}: deadline passed (+${late.toFixed(1)}ms), gathering evidence before the kill`),
          iterationDone: (o) => {
            progress.iterationDone(o.verdict);
            printOutcome(progress, o);
          },
        },
      );
    } finally {
      progress.stop();
    }
    const code = loopExitCode(summary, signal, a.expectHang);
    if (a.saveBaseline && mode !== 'json')
      progress.note(summary.baseline ? `baseline ${a.saveBaseline}: ${summary.baseline}` : `no completed iteration: baseline ${a.saveBaseline} not saved`);
    if (mode === 'json') out(JSON.stringify({ command: 'run', config: a.config, ...summary, exitCode: code }));
    else out(finalLine('run', summary));
    process.exitCode = code;
  },
};
