// The report of a soaked command's iteration (CommandHangReport): a hang's
// (kind GENERIC_REPORT_KIND), or a good or failed traced iteration kept with
// --save-all or for a --check finding (COMMAND_RUN_KIND): the tree, the
// output tails, the /proc capture and the diagnosis, what the preload
// library found and traced, and what chaos did.
import { basename, join } from 'node:path';
import { groupFindings } from '../preload/findings.js';
import type { PreloadOptions } from '../preload/session.js';
import { roundProof } from '../report/build.js';
import type { CommandHangReport, Shard } from '../report/types.js';
import { COMMAND_REPORT_FILE, COMMAND_RUN_FILE, COMMAND_RUN_KIND, EVENTS_FILE, GENERIC_REPORT_KIND, SCHEMA_VERSION } from '../report/types.js';
import { shardTag, stamp, uniqueFolderName, writeEvents, writeFolder, writeJson } from '../report/write.js';
import { environment } from '../system/environment.js';
import type { CommandResult } from './command-iteration.js';

export interface CommandReportContext {
  command: string[];
  shard: Shard | null;
  timeoutMs: number;
  preload: PreloadOptions | null;
}

/** The report's record of the preload library: what it was asked, what it got into, what it found and traced. */
function preloadFields(r: CommandResult, opts: PreloadOptions | null): Partial<Pick<CommandHangReport, 'preload'>> {
  if (!opts || !r.preload) return {};
  const t = r.preload.trace;
  return {
    preload: {
      check: opts.check,
      trace: opts.trace,
      loadedPids: r.preload.loaded,
      findings: opts.check ? groupFindings(r.preload.findings) : null,
      traced: t ? { file: EVENTS_FILE, count: t.events.length, startNs: r.startNs, threads: t.threads, untracedThreads: t.untracedThreads, missed: t.missed } : null,
    },
  };
}

export function commandReport(r: CommandResult, ctx: CommandReportContext): CommandHangReport {
  const hang = r.verdict === 'hang';
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: hang ? GENERIC_REPORT_KIND : COMMAND_RUN_KIND,
    verdict: hang ? 'hang' : r.verdict === 'completed' ? 'completed' : 'failed',
    createdAt: new Date().toISOString(),
    command: ctx.command,
    iteration: r.index,
    shard: ctx.shard,
    timeoutMs: ctx.timeoutMs,
    environment: environment(),
    tree: r.tree,
    stdoutTail: r.stdoutTail,
    stderrTail: r.stderrTail,
    procfs: r.procfs,
    diagnosis: r.diagnosis,
    proof: r.proof ? roundProof(r.proof) : null,
    exit: hang ? null : { code: r.exitCode, signal: r.signal, wallMs: Math.round(r.wallMs) },
    leftBehind: r.leftBehind,
    chaos: r.chaos,
    ...preloadFields(r, ctx.preload),
  };
}

/** Writes the iteration's folder (report, and the trace's events when traced); resolves to its path. */
export function saveCommandReport(r: CommandResult, ctx: CommandReportContext, reportDir: string): Promise<string> {
  const report = commandReport(r, ctx);
  const events = r.preload?.trace?.events;
  const program = basename(ctx.command[0]!).replace(/[^A-Za-z0-9._-]/g, '_');
  const name = uniqueFolderName(`${stamp(report.createdAt)}-command-${program}${shardTag(ctx.shard)}-i${r.index}-${report.verdict}`);
  return writeFolder(reportDir, name, async (tmp) => {
    await writeJson(join(tmp, report.kind === GENERIC_REPORT_KIND ? COMMAND_REPORT_FILE : COMMAND_RUN_FILE), report);
    if (events) await writeEvents(join(tmp, EVENTS_FILE), events);
  });
}
