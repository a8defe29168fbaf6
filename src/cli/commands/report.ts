// `mvar-repro report show RUN` and `report export RUN`.
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { join, resolve } from 'node:path';
import { chromeTrace } from '../../core/trace/export/chrome.js';
import { htmlTimeline } from '../../core/trace/export/html.js';
import { readEvents, readReport, runName } from '../../core/report/read.js';
import { writeFileAtomic } from '../../core/report/write.js';
import { buildTimeline } from '../../core/trace/timeline.js';
import { exitCodeHelp } from '../../core/system/exit-codes.js';
import { showLines } from '../format/report-show.js';
import { out } from '../output.js';

interface ShowArgs {
  run: string;
  json?: boolean;
}

const show: CommandModule<object, ShowArgs> = {
  command: 'show <run>',
  describe: 'human view of a report: configuration, verdict, processes, findings, last events of stuck processes',
  builder: (y: Argv) =>
    y.positional('run', { type: 'string', describe: 'run folder, report.json or baseline name' }).option('json', { type: 'boolean', describe: 'the report itself' }) as unknown as Argv<ShowArgs>,
  handler: (argv: ArgumentsCamelCase<ShowArgs>) => {
    const run = readReport(argv.run);
    if (argv.json) out(JSON.stringify(run.report, null, 2));
    else for (const l of showLines(run.report, run.dir)) out(l);
  },
};

interface ExportArgs {
  run: string;
  format: 'chrome-trace' | 'html';
  output?: string;
}

const exportCmd: CommandModule<object, ExportArgs> = {
  command: 'export <run>',
  describe: 'the run as a timeline: Chrome/Perfetto trace JSON, or one self-contained HTML file',
  builder: (y: Argv) =>
    y
      .positional('run', { type: 'string', describe: 'run folder, report.json or baseline name' })
      .option('format', { choices: ['chrome-trace', 'html'], default: 'chrome-trace', describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'file to write (default: trace.json / timeline.html in the run folder; - for stdout)' }) as unknown as Argv<ExportArgs>,
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => {
    const run = readReport(argv.run);
    const t = buildTimeline(run.report, readEvents(run));
    const text =
      argv.format === 'html'
        ? htmlTimeline(run.report, t, runName(run))
        : JSON.stringify(chromeTrace(run.report, t, runName(run)));
    if (argv.output === '-') {
      process.stdout.write(text);
      return;
    }
    const file = resolve(argv.output ?? join(run.dir, argv.format === 'html' ? 'timeline.html' : 'trace.json'));
    await writeFileAtomic(file, text);
    out(`${argv.format === 'html' ? 'timeline' : 'trace'}: ${file}${argv.format === 'chrome-trace' ? ' (open in https://ui.perfetto.dev or chrome://tracing)' : ''}`);
  },
};

export const reportCli: CommandModule = {
  command: 'report <command>',
  describe: 'look at a run folder: show, export',
  builder: (y: Argv) => y.command(show).command(exportCmd).demandCommand(1, 'name a report command: show, export').epilog(exitCodeHelp('report')),
  handler: () => undefined,
};
