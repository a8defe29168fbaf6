// `mvar-repro report show RUN` (and `report export`, see export.ts).
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { processLabel } from '../../core/report/build.js';
import { join, resolve } from 'node:path';
import { chromeTrace } from '../../core/trace/export/chrome.js';
import { htmlTimeline } from '../../core/trace/export/html.js';
import { readEvents, readReport, runName } from '../../core/report/read.js';
import { writeFileAtomic } from '../../core/report/write.js';
import { buildTimeline } from '../../core/trace/timeline.js';
import type { RunReport } from '../../core/report/types.js';
import { findingLines } from '../format/diagnosis.js';
import { fmtMs, out, paint, table } from '../output.js';

export function showLines(r: RunReport, dir: string): string[] {
  const c = r.config;
  const lines = [
    `run ${dir}`,
    `  ${c.variant}${c.fault !== 'none' ? ` + fault ${c.fault}` : ''}, ${c.nslaves} slaves (${c.runtime}${c.runtime === 'node' ? `, ${c.slaveThread} thread` : ''}), ${c.rounds} rounds, timeout ${fmtMs(c.timeoutMs)}, stall ${fmtMs(c.stallMs)}, iteration ${r.iteration}`,
    `  ${r.environment.tool} ${r.environment.toolVersion}, node ${r.environment.node}, glibc ${r.environment.glibc}, kernel ${r.environment.kernel}, ${r.environment.cpus} cpus`,
    `  started ${r.timing.startedAt}, wall ${fmtMs(r.timing.wallMs)}${r.timing.lateByMs !== null ? `, hang reported ${r.timing.lateByMs.toFixed(1)} ms after the deadline, evidence ${r.timing.evidenceMs} ms` : ''}`,
    '',
    `verdict: ${r.verdict === 'completed' ? paint('green', r.summary) : paint('red', r.summary)}`,
    '',
  ];
  const rows = r.processes.map((p) => [
    processLabel(p),
    String(p.pid),
    p.classification,
    p.exit ? (p.exit.signal ? `${p.exit.signal}${p.exit.killedByWatchdog ? ' (watchdog)' : ''}` : `exit ${p.exit.code}`) : 'alive',
    String(p.opsDone),
    p.currentOp ? `${p.currentOp.op} #${p.currentOp.opId}` : '-',
    p.lastEvents.at(-1) ? `${p.lastEvents.at(-1)!.op} ${p.lastEvents.at(-1)!.phase}` : '-',
    p.sinceLastEventMs === null ? '-' : fmtMs(p.sinceLastEventMs),
    p.reason || (p.expectedByFault ? 'staged fault' : ''),
  ]);
  lines.push(...table(rows, ['process', 'pid', 'state', 'exit', 'ops', 'in op', 'last event', 'quiet for', 'note']).map((l) => `  ${l}`));
  if (r.diagnosis) {
    lines.push('', 'findings:');
    if (!r.diagnosis.findings.length) lines.push('  none');
    lines.push(...findingLines(r.diagnosis).map((l) => `  ${l}`));
    if (r.diagnosis.stacks.skipped) lines.push(`  stacks: skipped (${r.diagnosis.stacks.skipped})`);
    else lines.push(`  stacks: ${r.diagnosis.stacks.traces.length} captured with ${r.diagnosis.stacks.tool} (in report.json)`);
    if (r.diagnosis.glibc.note) lines.push(`  note: ${r.diagnosis.glibc.note}`);
  }
  const s = r.stats;
  lines.push(
    '',
    `stats: ${s.opsCompleted.take} takes, ${s.opsCompleted.put} puts, ${s.lockTimeouts} lock timeouts, ${s.waitTimeouts} wait timeouts, ${s.ownerDied} owner-died, ${s.errors} errors, ${s.expiredWithConditionTrue} waits expired with their condition true`,
  );
  if (r.dropped.total || r.dropped.corrupt)
    lines.push(`dropped: ${r.dropped.total} events overwritten before they were read, ${r.dropped.corrupt} unreadable`);
  const stuck = r.processes.filter((p) => p.classification === 'stuck' || p.classification === 'starving');
  for (const p of stuck) {
    lines.push('', `last events of ${processLabel(p)} (pid ${p.pid}, ${p.classification}):`);
    const t0 = p.lastEvents[0]?.tNs ?? 0;
    for (const e of p.lastEvents)
      lines.push(
        `  +${((e.tNs - t0) / 1e6).toFixed(3).padStart(10)}ms  #${String(e.seq).padEnd(5)} ${e.op} ${String(e.opId).padEnd(3)} ${e.phase.padEnd(13)} rc=${e.rc}${e.deadlineMs ? ` deadline=${e.deadlineMs}ms` : ''} full=${e.isFull ? 1 : 0}${e.phase === 'copied' ? ` value=${e.value}` : ''}`,
      );
  }
  return lines;
}

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

export const reportCommand: CommandModule = {
  command: 'report <command>',
  describe: 'look at a run folder: show, export',
  builder: (y: Argv) => y.command(show).command(exportCmd).demandCommand(1, 'name a report command: show, export'),
  handler: () => undefined,
};
