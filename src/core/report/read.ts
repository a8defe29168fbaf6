// Reading run folders back: report.json and events.ndjson, through the one
// bounded reader (read-json.ts, system/bounded-read.ts) and validated
// against their schemas, so that a foreign, truncated, future, oversized or
// hostile file is refused with one clear line. A report names its events
// file; that name must stay inside the report's own folder.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { boundedLines } from '../system/bounded-read.js';
import { describeFsError, UsageError } from '../system/errors.js';
import type { TraceEvent } from '../native/layout.js';
import type { RunReport } from './types.js';
import { COMMAND_REPORT_FILE, COMMAND_RUN_FILE, COMMAND_RUN_KIND, EVENTS_FILE, GENERIC_REPORT_KIND, REPORT_FILE, RUN_REPORT_KIND, type CommandHangReport } from './types.js';
import { checkDocument, kindOf, loadJson } from './read-json.js';
import { firstProblem, TRACE_EVENT } from './validate.js';
import { packageRoot } from '../system/paths.js';

/** A soaked command's hang, and its traced good iterations kept by --save-all. */
const COMMAND_KINDS: unknown[] = [GENERIC_REPORT_KIND, COMMAND_RUN_KIND];

export interface LoadedRun {
  /** The run folder, and the report file in it. */
  dir: string;
  file: string;
  report: RunReport;
}

/**
 * The folders a baseline called `name` is looked up in, in order: the user's
 * report folder, then the package's own (the committed fixed-n20 ships in
 * the package, so `diff fixed-n20 RUN` works wherever the tool is installed).
 */
export function baselineDirs(name: string, reportsDir = 'reports'): string[] {
  return [...new Set([resolve(reportsDir, 'baselines', name), resolve(packageRoot(), 'reports', 'baselines', name)])];
}

/** RUN may be a run folder (of `run`, or of a soaked command's hang), its report file, or the name of a baseline. */
export function resolveRun(ref: string, reportsDir = 'reports'): string {
  const p = resolve(ref);
  if (existsSync(p)) {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch (e) {
      throw new UsageError(`${ref}: cannot read: ${describeFsError(e)}`);
    }
    if (!dir) return p;
    if (existsSync(join(p, REPORT_FILE))) return join(p, REPORT_FILE);
    return [COMMAND_REPORT_FILE, COMMAND_RUN_FILE].map((f) => join(p, f)).find((f) => existsSync(f)) ?? join(p, REPORT_FILE);
  }
  const b = ref.includes('/') ? undefined : baselineDirs(ref, reportsDir).find((d) => existsSync(join(d, REPORT_FILE)));
  if (b) return join(b, REPORT_FILE);
  throw new UsageError(`${ref}: no such run folder, report file or baseline`);
}

export interface LoadedCommandHang {
  dir: string;
  file: string;
  report: CommandHangReport;
}

/** A run report; a soaked command's hang report is refused in words (it has no trace to compare or draw). */
export function readReport(ref: string, reportsDir = 'reports'): LoadedRun {
  const r = readAnyReport(ref, reportsDir);
  if ('command' in r)
    throw new UsageError(`${r.command.file}: a soaked command's report: it can be compared only with another run of that command (report show and report export open it)`);
  return r.run;
}

/** Any folder the tool writes: a run, or a soaked command's hang. */
export function readAnyReport(ref: string, reportsDir = 'reports'): { run: LoadedRun } | { command: LoadedCommandHang } {
  const file = resolveRun(ref, reportsDir);
  const data = loadJson(file, 'report');
  const kind = kindOf(data);
  if (!COMMAND_KINDS.includes(kind)) return { run: { dir: dirname(file), file, report: checkDocument(file, data, RUN_REPORT_KIND, 'report', 'run report') as unknown as RunReport } };
  const report = checkDocument(file, data, kind as string, 'report', 'command report') as unknown as CommandHangReport;
  return { command: { dir: dirname(file), file, report } };
}

/** The full trace of a loaded run; a truncated or foreign events file is refused. */
export function readEvents(run: LoadedRun): TraceEvent[] {
  return readEventsFile(run.file, run.dir, run.report.events.file || EVENTS_FILE, run.report.events.count);
}

/** The trace of a traced program's hang (soak --trace); null when it was not traced. */
export function readCommandEvents(c: LoadedCommandHang): TraceEvent[] | null {
  const t = c.report.preload?.traced;
  return t ? readEventsFile(c.file, c.dir, t.file, t.count) : null;
}

/**
 * Most events a report may claim: a million parsed events took 178 MB of heap
 * (measured), so ten million are under 2 GB; a run of 1,000 slaves of 10
 * rounds records about 100,000 (2 operations a round, about 5 events each).
 */
export const MAX_EVENTS = 10_000_000;
/** Longest line of an events file: a line is 180 to 230 bytes. */
const MAX_EVENT_LINE_BYTES = 4096;

/** The events file a report names: a plain file name, so that it stays inside the report's folder. */
function eventsPath(reportFile: string, dir: string, name: string): string {
  if (name.length > 255 || !/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name))
    throw new UsageError(`${reportFile}: its events file '${name.slice(0, 80)}' is not a file name in its own folder`);
  return join(dir, name);
}

function readEventsFile(reportFile: string, dir: string, name: string, count: number): TraceEvent[] {
  if (!Number.isSafeInteger(count) || count < 0 || count > MAX_EVENTS)
    throw new UsageError(`${reportFile}: claims ${count} events; a report holds from 0 to ${MAX_EVENTS}`);
  const file = eventsPath(reportFile, dir, name);
  const events: TraceEvent[] = [];
  let line = 0;
  for (const text of boundedLines(file, (count + 1) * MAX_EVENT_LINE_BYTES, MAX_EVENT_LINE_BYTES, 'events file')) {
    line++;
    if (line > count) throw new UsageError(`${file}: holds more than the ${count} events its report says`);
    let e: unknown;
    try {
      e = JSON.parse(text);
    } catch {
      throw new UsageError(`${file}: line ${line} is not an event (truncated file?)`);
    }
    const problem = firstProblem(TRACE_EVENT, e);
    if (problem) throw new UsageError(`${file}: line ${line} is not an mvar-repro event: ${problem}`);
    events.push(e as TraceEvent);
  }
  if (events.length !== count) throw new UsageError(`${file}: holds ${events.length} events, its report says ${count} (truncated file?)`);
  return events;
}

export function runName(run: LoadedRun): string {
  return basename(run.dir);
}
