// `mvar-repro run [N]`: master + N slaves, watched; loops on request.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { exitCodeHelp, loopExitCode } from '../../core/system/exit-codes.js';
import { gatherEvidence } from '../../core/run/evidence.js';
import type { HangContext } from '../../core/run/iteration.js';
import type { HangEvidence } from '../../core/report/build.js';
import { processLabel } from '../../core/report/labels.js';
import type { LoopSummary } from '../../core/run/loop.js';
import { runLoop } from '../../core/run/loop.js';
import { iterationLimit } from '../../core/system/repeat.js';
import { finalLine, printOutcome } from '../format/outcome.js';
import { err, fmtDuration, out, outJson, paint, warn } from '../output.js';
import { Progress, progressMode } from '../progress.js';
import type { RunArgs } from '../run-options.js';
import { faultHelp, loopArgs, withRunOptions } from '../run-options.js';
import { installSignals, interruptedExitCode, waitForRelease } from '../signals.js';

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

/** run's own options given where they do nothing (those it shares with soak: ignoredOptions). */
function runIgnoredOptions(a: RunArgs & { keep?: boolean }): string[] {
  return [
    ...(a['save-all'] && a['report-dir'] !== undefined ? ['--save-all has no effect with --report-dir (run saves every iteration in a folder it is given)'] : []),
    ...(a.keep && a.stacks !== undefined ? ['--stacks has no effect with --keep (a kept iteration is left to your own debugger)'] : []),
  ];
}

export const runCli: CommandModule<object, RunArgs> = {
  command: 'run [N]',
  describe: 'run master + N slaves on the shared MVar and watch for a hang',
  builder: (y: Argv) =>
    withRunOptions(y)
      .option('keep', { type: 'boolean', describe: 'leave a hung iteration alive for a debugger until Ctrl-C' })
      .epilog(`Faults (on top of --variant fixed):\n${faultHelp()}\n\n${exitCodeHelp('run')}`) as unknown as Argv<RunArgs>,
  handler: async (argv: ArgumentsCamelCase<RunArgs & { keep?: boolean }>) => {
    const a = loopArgs(argv);
    for (const w of runIgnoredOptions(argv)) warn(w);
    const signal = installSignals();
    const mode = progressMode(argv);
    const progress = new Progress(mode, iterationLimit(a));
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
          hangDetected: (i, how) =>
            progress.note(
              how.proof
                ? `iteration ${i}: hang proven after ${fmtDuration(how.proof.provenAtMs)}, gathering evidence before the kill`
                : `iteration ${i}: deadline passed (+${(how.lateByMs ?? 0).toFixed(1)}ms), gathering evidence before the kill`,
            ),
          iterationDone: (o) => {
            progress.iterationDone(o.verdict);
            printOutcome(progress, o);
          },
        },
      );
    } finally {
      progress.stop();
    }
    const code = interruptedExitCode(signal) ?? loopExitCode(summary, a.expectHang);
    if (a.saveBaseline && mode !== 'json')
      progress.note(summary.baseline ? `baseline ${a.saveBaseline}: ${summary.baseline}` : `no completed iteration: baseline ${a.saveBaseline} not saved`);
    if (mode === 'json') outJson({ command: 'run', config: a.config, ...summary, exitCode: code }, 0);
    else {
      if (a.config.chaos) out(`chaos: seed ${a.config.chaos.seed}, intensity ${a.config.chaos.intensity} (--seed ${a.config.chaos.seed} repeats its decisions)`);
      out(paint(code === 0 ? 'green' : 'red', finalLine('run', summary, a.expectHang)));
    }
    process.exitCode = code;
  },
};
