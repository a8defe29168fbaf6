#!/usr/bin/env node
// The mvar-repro command line: parsing, printing and exit codes only; the
// work is in src/core.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeOf, oneLine, UsageError } from '../core/system/errors.js';
import { ExitCode, exitCodeHelp } from '../core/system/exit-codes.js';
import { toolVersion } from '../core/system/paths.js';
import { closest } from '../core/system/closest.js';
import { diagnoseCli } from './commands/diagnose.js';
import { diffCli } from './commands/diff.js';
import { mergeCli } from './commands/merge.js';
import { reportCli } from './commands/report.js';
import { runCli } from './commands/run.js';
import { soakCli } from './commands/soak.js';
import { checkCli } from './commands/check.js';
import { err } from './output.js';

const VARIADIC = new Set(['pids', 'runs', 'summaries', '--']);
/** Options whose value is a duration: a negative one would otherwise parse as short flags ("-1s" -> -1 -s). */
const DURATION_FLAGS = new Set(['--timeout', '--stall', '--duration', '--interval']);

function refuseNegativeDurations(args: string[]): void {
  for (let i = 0; i < args.length - 1; i++) {
    if (args[i] === '--') return;
    if (DURATION_FLAGS.has(args[i]!) && /^-\d/.test(args[i + 1]!))
      throw new UsageError(`${args[i]}: '${args[i + 1]}' is not a duration: a duration must be positive (e.g. 500ms, 5s, 10m)`);
  }
}

/** `help` and `help COMMAND...` are `--help` and `COMMAND... --help`. */
function helpAsFlag(args: string[]): string[] {
  return args[0] === 'help' ? [...args.slice(1), '--help'] : args;
}

/** yargs' "Unknown argument(s): a, b", with the nearest known option for each mistyped one. */
function withSuggestions(msg: string, known: string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg);
  if (!m) return msg;
  const flag = (n: string) => `${n.length === 1 ? '-' : '--'}${n}`;
  const names = m[1]!.split(', ');
  const hints = names.map((name) => {
    const near = closest(name, known);
    return { name, hint: near.length ? ` (did you mean ${near.map(flag).join(' or ')}?)` : '' };
  });
  if (!hints.some((h) => h.hint)) return msg;
  return `unknown option${names.length > 1 ? 's' : ''} ${hints.map((h) => `${flag(h.name)}${h.hint}`).join(', ')}`;
}

/** The option names the failing command's help describes (yargs hands its usage object to .fail). */
function knownOptions(usage: unknown): string[] {
  const d = (usage as { getDescriptions?: () => Record<string, unknown> } | undefined)?.getDescriptions?.();
  return d ? Object.keys(d) : [];
}

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
  const args = helpAsFlag(hideBin(process.argv));
  refuseNegativeDurations(args);
  await yargs(args)
    .scriptName('mvar-repro')
    .parserConfiguration({ 'populate--': true })
    // A repeated option keeps its last value; variadic positionals stay lists.
    .middleware((argv) => {
      for (const [k, v] of Object.entries(argv)) if (Array.isArray(v) && k !== '_' && !VARIADIC.has(k)) argv[k] = v.at(-1);
    }, true)
    .usage('$0 <command> [options]\n\nReproduce and diagnose interprocess hangs on a shared-memory MVar.')
    .command(runCli)
    .command(diagnoseCli)
    .command(reportCli)
    .command(diffCli)
    .command(soakCli)
    .command(mergeCli)
    .command(checkCli)
    .command('help [command..]', 'show the help of a command (the same as COMMAND --help)')
    .completion('completion', 'print a bash/zsh completion script (mvar-repro completion >> ~/.bashrc)')
    .demandCommand(1, 'name a command: run, diagnose, report, diff, soak, merge, check, help, completion')
    .strict()
    .recommendCommands()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .epilog(exitCodeHelp())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, e, y) => {
      if (e) fail(e);
      err(`mvar-repro: ${withSuggestions(String(msg).replace(/\s*\n\s*/g, ' '), knownOptions(y))} (see --help)`);
      process.exit(ExitCode.Usage);
    })
    .parseAsync();
} catch (e) {
  fail(e);
}
