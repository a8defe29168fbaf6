// `mvar-repro diff GOOD... BAD`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { compareRuns } from '../../core/trace/compare.js';
import { UsageError } from '../../core/system/errors.js';
import { ExitCode, exitCodeHelp } from '../../core/system/exit-codes.js';
import { diffLines } from '../format/diff.js';
import { out, outJson } from '../output.js';

interface Args {
  runs: string[];
  json?: boolean;
  'report-dir': string;
}

export const diffCli: CommandModule<object, Args> = {
  command: 'diff <runs...>',
  describe: 'compare a run (last) with one or more known-good runs: run folders, report files or baseline names; or a traced program\'s iterations (soak --trace --save-all)',
  builder: (y: Argv) =>
    y
      .positional('runs', { type: 'string', array: true, describe: 'GOOD... BAD' })
      .option('json', { type: 'boolean', describe: 'the comparison as JSON on stdout' })
      .option('report-dir', { type: 'string', default: 'reports', describe: 'where baselines/ is looked up' })
      .epilog(exitCodeHelp('diff')) as unknown as Argv<Args>,
  handler: (argv: ArgumentsCamelCase<Args>) => {
    if (argv.runs.length < 2) throw new UsageError('diff needs at least one good run and the run to check (GOOD... BAD)');
    const d = compareRuns(argv.runs, argv['report-dir']);
    if (argv.json) outJson(d);
    else for (const l of diffLines(d, argv.runs.at(-1)!)) out(l);
    process.exitCode = d.equivalent ? ExitCode.Ok : ExitCode.Found;
  },
};
