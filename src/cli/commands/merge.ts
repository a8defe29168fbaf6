// `mvar-repro merge SUMMARY...`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { mergeSummaries, readSummaries } from '../../core/soak/merge.js';
import { err, out, outJson } from '../output.js';
import { writeJsonAtomic } from '../../core/report/write.js';
import { exitCodeHelp, loopExitCode } from '../../core/system/exit-codes.js';
import { summaryLines } from '../format/soak-summary.js';

interface Args {
  summaries: string[];
  json?: boolean;
  summary?: string;
  partial?: boolean;
}

export const mergeCli: CommandModule<object, Args> = {
  command: 'merge <summaries...>',
  describe: 'combine soak shard summaries into one (rates and intervals recomputed from the sums)',
  builder: (y: Argv) =>
    y
      .positional('summaries', { type: 'string', array: true, describe: 'summary JSON files written by soak --summary' })
      .option('json', { type: 'boolean', describe: 'the merged summary as JSON on stdout' })
      .option('summary', { type: 'string', describe: 'also write the merged summary here' })
      .option('partial', { type: 'boolean', describe: 'accept a set with shards missing (they are named, and listed in the merged summary); without it a missing shard is refused' })
      .epilog(exitCodeHelp('merge')) as unknown as Argv<Args>,
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const merged = mergeSummaries(readSummaries(argv.summaries), argv.summaries, { partial: Boolean(argv.partial) });
    const missing = merged.missingShards ?? [];
    if (missing.length)
      err(`mvar-repro: merged ${merged.shards} of ${missing[0]!.count} shards; missing: ${missing.slice(0, 10).map((s) => `${s.index}/${s.count}`).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
    if (argv.summary) await writeJsonAtomic(argv.summary, merged);
    if (argv.json) outJson(merged);
    else for (const l of summaryLines('merged', merged)) out(l);
    process.exitCode = loopExitCode(merged, merged.expect === 'hang');
  },
};
