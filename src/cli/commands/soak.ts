// `mvar-repro soak [N] [run options] (--duration D | --iterations K) [-- COMMAND ARGS...]`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { oneLine, UsageError } from '../../core/system/errors.js';
import { checkOutputFile, writeJsonAtomic } from '../../core/report/write.js';
import { exitCodeHelp, loopExitCode } from '../../core/system/exit-codes.js';
import type { SoakSummary } from '../../core/report/types.js';
import type { Shard } from '../../core/report/types.js';
import { soak } from '../../core/soak/soak.js';
import { MAX_SHARDS, parseShard, shardIterations } from '../../core/soak/shards.js';
import { DEFAULT_KEEP_REPORTS } from '../../core/soak/keep.js';
import { err, out, paint } from '../output.js';
import { Progress, progressMode } from '../progress.js';
import type { RunArgs } from '../run-options.js';
import { loopArgs, parseCount, withRunOptions } from '../run-options.js';
import { checkCommand } from '../../core/system/command.js';
import { installSignals, interruptedExitCode } from '../signals.js';
import { printOutcome } from '../format/outcome.js';
import { summaryLines } from '../format/soak-summary.js';
import type { PreloadOptions } from '../../core/preload/session.js';

interface SoakArgs extends RunArgs {
  parallel: string;
  'keep-reports': string;
  junit?: string;
  summary?: string;
  shard?: string;
  trace?: string;
  check?: boolean;
  '--'?: string[];
}

/** --trace [shared|all] and --check: the soaked program runs under the preload library. */
function preloadOptions(argv: SoakArgs, command: string[] | null): PreloadOptions | null {
  if (argv.trace === undefined && !argv.check) return null;
  if (!command) throw new UsageError('--trace and --check apply to a soaked program (soak ... -- COMMAND); mvar-repro\'s own runs are always traced');
  const trace = argv.trace === undefined ? 'off' : argv.trace === '' ? 'shared' : argv.trace;
  if (trace !== 'off' && trace !== 'shared' && trace !== 'all') throw new UsageError(`--trace: '${argv.trace}' is not shared or all`);
  return { check: Boolean(argv.check), trace };
}

function shardOption(text: string | undefined): Shard | null {
  if (text === undefined) return null;
  const sh = parseShard(text);
  if (!sh) throw new UsageError(`--shard: '${text}' is not i/k with 1 <= i <= k <= ${MAX_SHARDS}`);
  return sh;
}

export const soakCli: CommandModule<object, SoakArgs> = {
  command: 'soak [N]',
  describe: 'soak for a duration or a count: hang rate with a 95 % interval, JUnit XML, shards; mvar-repro runs or any command after --',
  builder: (y: Argv) =>
    withRunOptions(y)
      .option('parallel', { type: 'string', default: '1', describe: 'iterations at once' })
      .option('keep-reports', { type: 'string', default: String(DEFAULT_KEEP_REPORTS), describe: 'reports of hangs, failures and --check findings kept: the first K and the last (--save-all keeps every one)' })
      .option('junit', { type: 'string', describe: 'write JUnit XML here (complete even when interrupted)' })
      .option('summary', { type: 'string', describe: 'write the summary JSON here' })
      .option('shard', { type: 'string', describe: 'shard i/k: this machine runs its share of --iterations' })
      .option('trace', { type: 'string', describe: '-- COMMAND: trace its mutex, condvar and semaphore calls, one ring per thread (shared [default]: primitives in shared memory; all: every one); a hang\'s report gets events.ndjson' })
      .option('check', { type: 'boolean', describe: '-- COMMAND: find mutexes, condvars and semaphores in shared memory that are not process-shared (as `check` does), in every iteration' })
      .usage('$0 soak [N] [run options] (--duration D | --iterations K) [--expect none|hang] [-- COMMAND ARGS...]')
      .epilog(
        `With -- COMMAND, each iteration runs COMMAND in its own process group (env MVAR_REPRO_ITERATION, _SHARD, _SHARDS, _SEED); past --timeout it is a hang: its process tree is diagnosed, then killed. A non-zero exit is a failure, counted apart from hangs.\n\n${exitCodeHelp('soak')}`,
      ) as unknown as Argv<SoakArgs>,
  handler: async (argv: ArgumentsCamelCase<SoakArgs>) => {
    const command = argv['--']?.length ? argv['--'].map(String) : null;
    if (command) checkCommand(command, 'soak');
    if (argv.iterations === undefined && argv.duration === undefined) throw new UsageError('soak needs --duration D or --iterations K');
    const a = loopArgs(argv);
    if (argv.summary) checkOutputFile(argv.summary, '--summary');
    const shard = shardOption(argv.shard);
    const parallel = parseCount(argv.parallel, '--parallel', 1, 64);
    const keepReports = parseCount(argv['keep-reports'], '--keep-reports', 0, 1_000_000);
    const preload = preloadOptions(argv, command);
    const signal = installSignals();
    const mode = progressMode(argv);
    const iterations = shardIterations(a.iterations, shard);
    const progress = new Progress(mode, iterations, 'soak', a.durationMs);
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
          // A soak keeps good iterations only when asked: thousands of them add up to gigabytes.
          saveAll: Boolean(argv['save-all']),
          keepReports,
          stacks: a.stacks,
          junit: argv.junit,
          signal,
          preload,
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
    if (argv.summary)
      try {
        await writeJsonAtomic(argv.summary, summary);
      } catch (e) {
        err(`mvar-repro: summary not saved: ${oneLine(e)}`);
      }
    const unsaved = (summary.saveErrors ?? []).filter((e) => !e.startsWith('cannot save a report'));
    for (const e of unsaved) err(`mvar-repro: ${e}`);
    if (summary.unpreloaded)
      err(`mvar-repro: the preload library could not get into the program in ${summary.unpreloaded} of ${summary.iterations} iteration(s) (a static binary, or set-user-ID?): they ran untraced and unchecked`);
    const code = interruptedExitCode(signal) ?? loopExitCode(summary, summary.expect === 'hang');
    if (mode === 'json') out(JSON.stringify({ ...summary, exitCode: code }));
    else for (const l of summaryLines('soak', summary)) out(l);
    if (summary.expect === 'hang' && summary.hangs === 0 && mode !== 'json' && !summary.interrupted)
      out(paint('red', 'expected a hang and none reproduced: the reproducer stopped reproducing'));
    process.exitCode = code;
  },
};
