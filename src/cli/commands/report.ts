// `mvar-repro report show RUN` and `report export RUN`: any folder the tool
// writes (a run, or a soaked command's hang).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { join, resolve } from 'node:path';
import { readAnyReport } from '../../core/report/read.js';
import { ownDescriptor, writeFileAtomic } from '../../core/report/write.js';
import { exitCodeHelp } from '../../core/system/exit-codes.js';
import { exportTimeline } from '../../core/trace/export/export.js';
import { jsonText } from '../../core/system/json.js';
import { commandShowLines, exportedLine, showLines } from '../format/report-show.js';
import { out, outDocument } from '../output.js';

interface ShowArgs {
  run: string;
  json?: boolean;
  all?: boolean;
}

const show: CommandModule<object, ShowArgs> = {
  command: 'show <run>',
  describe: 'human view of a report: configuration, verdict, processes grouped by what they do, findings, last events of stuck processes',
  builder: (y: Argv) =>
    y
      .positional('run', { type: 'string', describe: 'run folder (of run, or of a soaked command hang), its report file, or a baseline name' })
      .option('all', { type: 'boolean', describe: 'every process on its own line, the last events of every stuck process, whole output tails' })
      .option('json', { type: 'boolean', describe: 'the report itself' })
      .epilog(exitCodeHelp('report')) as unknown as Argv<ShowArgs>,
  handler: (argv: ArgumentsCamelCase<ShowArgs>) => {
    const r = readAnyReport(argv.run);
    if ('command' in r) {
      if (argv.json) outDocument(jsonText(r.command.report));
      else for (const l of commandShowLines(r.command.report, r.command.dir, argv.all)) out(l);
      return;
    }
    if (argv.json) outDocument(jsonText(r.run.report));
    else for (const l of showLines(r.run.report, r.run.dir, argv.all)) out(l);
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
      .positional('run', { type: 'string', describe: 'run folder (of run, or of a soaked command hang), its report file, or a baseline name' })
      .option('format', { choices: ['chrome-trace', 'html'], default: 'chrome-trace', describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'file to write (default: trace.json / timeline.html in the run folder; - for stdout)' })
      .epilog(exitCodeHelp('report')) as unknown as Argv<ExportArgs>,
  handler: async (argv: ArgumentsCamelCase<ExportArgs>) => {
    const r = readAnyReport(argv.run);
    const dir = 'command' in r ? r.command.dir : r.run.dir;
    const text = exportTimeline(r, argv.format);
    const file = resolve(argv.output ?? join(dir, argv.format === 'html' ? 'timeline.html' : 'trace.json'));
    // Our own stdout, by name or as /dev/stdout: the export is the output, with no line about it.
    if (argv.output === '-' || ownDescriptor(file) === 1) {
      process.stdout.write(text);
      return;
    }
    await writeFileAtomic(file, text);
    out(exportedLine(argv.format, file));
  },
};

export const reportCli: CommandModule = {
  command: 'report <command>',
  describe: 'look at a report folder: show, export',
  builder: (y: Argv) => y.command(show).command(exportCmd).demandCommand(1, 'name a report command: show, export').epilog(exitCodeHelp('report')),
  handler: () => undefined,
};
