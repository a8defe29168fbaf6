#!/usr/bin/env node
// The mvar-repro command line: parsing, printing and exit codes only; the
// work is in src/core.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ExitCode, exitCodeOf, oneLine } from '../core/errors.js';
import { toolVersion } from '../core/paths.js';
import { runCommand } from './commands/run.js';
import { EXIT_CODES_HELP } from './commands/exit-codes.js';
import { err } from './output.js';

function fail(e: unknown): never {
  err(`mvar-repro: ${oneLine(e)}`);
  process.exit(exitCodeOf(e));
}

process.on('unhandledRejection', fail);
process.on('uncaughtException', fail);

try {
  await yargs(hideBin(process.argv))
    .scriptName('mvar-repro')
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .usage('$0 <command> [options]\n\nReproduce and diagnose interprocess hangs on a shared-memory MVar.')
    .command(runCommand)
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
