// `mvar-repro merge SUMMARY...`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { mergeSummaries, readSummary } from '../../core/soak/merge.js';
import { out } from '../output.js';
import { soakExitCode, summaryLines, writeSummary } from './soak.js';

interface Args {
  summaries: string[];
  json?: boolean;
  summary?: string;
}

export const mergeCommand: CommandModule<object, Args> = {
  command: 'merge <summaries...>',
  describe: 'combine soak shard summaries into one (rates and intervals recomputed from the sums)',
  builder: (y: Argv) =>
    y
      .positional('summaries', { type: 'string', array: true, describe: 'summary JSON files written by soak --summary' })
      .option('json', { type: 'boolean', describe: 'the merged summary as JSON on stdout' })
      .option('summary', { type: 'string', describe: 'also write the merged summary here' })
      .epilog('Exit: as soak would for the merged counts (0 no hang, 1 a hang or, with --expect hang, none; 4 failures), 2 unreadable input.') as unknown as Argv<Args>,
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const merged = mergeSummaries(argv.summaries.map(readSummary), argv.summaries);
    if (argv.summary) await writeSummary(argv.summary, merged);
    if (argv.json) out(JSON.stringify(merged, null, 2));
    else for (const l of summaryLines('merged', merged)) out(l);
    process.exitCode = soakExitCode(merged);
  },
};
