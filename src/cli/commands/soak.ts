// `mvar-repro soak [N] [run options] (--duration D | --iterations K) [-- COMMAND ARGS...]`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { accessSync, constants } from 'node:fs';
import { findOnPath } from '../../core/diagnosis/stacks.js';
import { ExitCode, UsageError } from '../../core/system/errors.js';
import { writeFileAtomic } from '../../core/report/write.js';
import type { SoakSummary } from '../../core/report/types.js';
import type { Shard } from '../../core/soak/soak.js';
import { shardIterations, soak } from '../../core/soak/soak.js';
import { fmtMs, out, paint, plural } from '../output.js';
import { Progress, progressMode } from '../progress.js';
import type { RunArgs } from '../run-options.js';
import { loopArgs, parseCount, withRunOptions } from '../run-options.js';
import { installSignals, interruptedExitCode } from '../signals.js';
import { printOutcome } from './run.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

interface SoakArgs extends RunArgs {
  parallel: string;
  junit?: string;
  summary?: string;
  shard?: string;
  '--'?: string[];
}

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

export function summaryLines(name: string, s: SoakSummary): string[] {
  const lines = [
    `${name}: ${plural(s.iterations, 'iteration')}${s.shards > 1 ? ` from ${s.shards} shards` : s.shard ? ` (shard ${s.shard.index}/${s.shard.count})` : ''}, ${plural(s.hangs, 'hang')} (hang rate ${pct(s.hangRate.rate)}, 95 % CI ${pct(s.hangRate.low)}–${pct(s.hangRate.high)}), ${s.failures} failed, ${s.iterationsPerMinute} iterations/min, ${fmtMs(s.wallMs)}${s.interrupted ? ' (interrupted)' : ''}`,
  ];
  if (s.firstHang) lines.push(`  first hang: iteration ${s.firstHang.iteration}${s.firstHang.shard ? ` of shard ${s.firstHang.shard}` : ''}${s.firstHang.report ? `: ${s.firstHang.report}` : ''}`);
  const kinds = Object.entries(s.findingKinds);
  if (kinds.length) lines.push(`  findings: ${kinds.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  return lines;
}

export function soakExitCode(s: SoakSummary): number {
  if (s.expect === 'hang') return s.hangs > 0 ? ExitCode.Ok : ExitCode.Found;
  if (s.hangs > 0) return ExitCode.Found;
  return s.failures > 0 ? ExitCode.Failed : ExitCode.Ok;
}

export function writeSummary(path: string, s: SoakSummary): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(s, null, 2)}\n`);
}

function parseShard(text: string | undefined): Shard | null {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[1]) < 1 || Number(m[1]) > Number(m[2]))
    throw new UsageError(`--shard: '${text}' is not i/k with 1 <= i <= k`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

function checkRunnable(cmd: string): void {
  if (cmd.includes('/')) {
    try {
      accessSync(cmd, constants.X_OK);
      return;
    } catch {
      throw new UsageError(`cannot run '${cmd}': not an executable file`);
    }
  }
  if (!findOnPath(cmd)) throw new UsageError(`cannot run '${cmd}': not found on PATH`);
}

export const soakCommand: CommandModule<object, SoakArgs> = {
  command: 'soak [N]',
  describe: 'soak for a duration or a count: hang rate with a 95 % interval, JUnit XML, shards; mvar-repro runs or any command after --',
  builder: (y: Argv) =>
    withRunOptions(y)
      .option('parallel', { type: 'string', default: '1', describe: 'iterations at once' })
      .option('junit', { type: 'string', describe: 'write JUnit XML here (complete even when interrupted)' })
      .option('summary', { type: 'string', describe: 'write the summary JSON here' })
      .option('shard', { type: 'string', describe: 'shard i/k: this machine runs its share of --iterations' })
      .usage('$0 soak [N] [run options] (--duration D | --iterations K) [--expect none|hang] [-- COMMAND ARGS...]')
      .epilog(
        `With -- COMMAND, each iteration runs COMMAND in its own process group (env MVAR_REPRO_ITERATION, _SHARD, _SHARDS, _SEED); past --timeout it is a hang: its process tree is diagnosed, then killed. A non-zero exit is a failure, counted apart from hangs.\n\nExit: 0 no hang; 1 a hang (with --expect hang: none); 4 failures and no hang.\n\n${EXIT_CODES_HELP}`,
      ) as unknown as Argv<SoakArgs>,
  handler: async (argv: ArgumentsCamelCase<SoakArgs>) => {
    const command = argv['--']?.length ? argv['--'].map(String) : null;
    if (command) checkRunnable(command[0]!);
    if (argv.iterations === undefined && argv.duration === undefined) throw new UsageError('soak needs --duration D or --iterations K');
    const a = loopArgs(argv);
    const shard = parseShard(argv.shard);
    const parallel = parseCount(argv.parallel, '--parallel', 1, 64);
    const signal = installSignals();
    const mode = progressMode(argv);
    const iterations = shardIterations(a.iterations, shard);
    const progress = new Progress(mode, iterations, 'soak');
    progress.start();
    let summary: SoakSummary;
    try {
      summary = await soak(
        {
          command,
          config: a.config,
          iterations,
          durationMs: a.durationMs,
          parallel,
          untilHang: a.untilHang,
          shard,
          expect: a.expectHang ? 'hang' : 'none',
          reportDir: a.reportDir,
          saveAll: a.saveAll,
          stacks: a.stacks,
          junit: argv.junit,
          signal,
        },
        {
          iterationStarted: () => progress.iterationStarted(),
          iterationDone: (o) => {
            progress.iterationDone(o.verdict);
            printOutcome(progress, o);
          },
        },
      );
    } finally {
      progress.stop();
    }
    if (argv.summary) await writeSummary(argv.summary, summary);
    const code = interruptedExitCode(signal) ?? soakExitCode(summary);
    if (mode === 'json') out(JSON.stringify({ ...summary, exitCode: code }));
    else for (const l of summaryLines('soak', summary)) out(l);
    if (summary.expect === 'hang' && summary.hangs === 0 && mode !== 'json' && !summary.interrupted)
      out(paint('red', 'expected a hang and none reproduced: the reproducer stopped reproducing'));
    process.exitCode = code;
  },
};
