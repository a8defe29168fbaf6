// `mvar-repro check [--timeout D] [--json] -- COMMAND ARGS...`: run a program
// once under the preload library and say which primitives in shared memory
// it uses without making them process-shared.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { runCheck } from '../../core/check/check.js';
import { parseDuration } from '../../core/system/duration.js';
import { ExitCode, exitCodeHelp } from '../../core/system/exit-codes.js';
import { checkLines } from '../format/check.js';
import { err, out, outJson } from '../output.js';
import { checkCommand } from '../../core/system/command.js';
import { installSignals, interruptedExitCode } from '../signals.js';

interface Args {
  timeout: string;
  json?: boolean;
  '--'?: string[];
}

export const checkCli: CommandModule<object, Args> = {
  command: 'check',
  describe: 'run a program once under a preload library: find mutexes, condvars and semaphores in shared memory that are not process-shared, at their first use',
  builder: (y: Argv) =>
    y
      .option('timeout', { type: 'string', default: '60s', describe: 'kill the program after this long (its findings so far still count)' })
      .option('json', { type: 'boolean', describe: 'the result as JSON on stdout' })
      .usage('$0 check [--timeout D] [--json] -- COMMAND ARGS...')
      .epilog(exitCodeHelp('check')) as unknown as Argv<Args>,
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const command = argv['--']?.map(String) ?? [];
    checkCommand(command, 'check');
    const signal = installSignals();
    const r = await runCheck(command, parseDuration(argv.timeout, '--timeout'), signal);
    const interrupted = interruptedExitCode(signal);
    if (argv.json) outJson({ command, ...r });
    else for (const l of checkLines(command, r)) out(l);
    if (r.verdict === 'unchecked') err('mvar-repro: the preload library could not get into the program (a static binary, or set-user-ID?): it ran unchecked');
    process.exitCode =
      interrupted ?? (r.verdict === 'found' ? ExitCode.Found : r.verdict === 'unchecked' ? ExitCode.Environment : r.run.verdict === 'completed' ? ExitCode.Ok : ExitCode.Failed);
  },
};
