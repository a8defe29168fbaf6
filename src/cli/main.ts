#!/usr/bin/env node
// The mvar-repro command line: parsing, printing and exit codes only; the
// work is in src/core.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, exitCodeOf, oneLine } from '../core/system/errors.js';
import { toolVersion } from '../core/system/paths.js';
import { diagnoseCommand } from './commands/diagnose.js';
import { diffCommand } from './commands/diff.js';
import { mergeCommand } from './commands/merge.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { soakCommand } from './commands/soak.js';
import { EXIT_CODES_HELP } from './commands/exit-codes.js';
import { err } from './output.js';

const VARIADIC = new Set(['pids', 'runs', 'summaries', '--']);

function fail(e: unknown): never {
  err(`mvar-repro: ${oneLine(e)}`);
  process.exit(exitCodeOf(e));
}

// `mvar-repro … | head` closes our stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  fail(e);
});
process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

try {
  await yargs(hideBin(process.argv))
    .scriptName('mvar-repro')
    .parserConfiguration({ 'populate--': true })
    // A repeated option keeps its last value; variadic positionals stay lists.
    .middleware((argv) => {
      for (const [k, v] of Object.entries(argv)) if (Array.isArray(v) && k !== '_' && !VARIADIC.has(k)) argv[k] = v.at(-1);
    }, true)
    .usage('$0 <command> [options]\n\nReproduce and diagnose interprocess hangs on a shared-memory MVar.')
    .command(runCommand)
    .command(diagnoseCommand)
    .command(reportCommand)
    .command(diffCommand)
    .command(soakCommand)
    .command(mergeCommand)
    .demandCommand(1, 'name a command: run, diagnose, report, diff, soak, merge')
    .strict()
    .recommendCommands()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .epilog(EXIT_CODES_HELP)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, e) => {
      if (e) fail(e);
      err(`mvar-repro: ${String(msg).replace(/\s*\n\s*/g, ' ')} (see --help)`);
      process.exit(ExitCode.Usage);
    })
    .parseAsync();
} catch (e) {
  fail(e);
}
