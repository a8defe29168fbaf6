// Reading run folders back: report.json and events.ndjson, validated enough
// that a foreign, truncated or future file is refused with one clear line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../system/errors.js';
import type { TraceEvent } from '../native/layout.js';
import type { RunReport } from './types.js';
import { COMMAND_REPORT_FILE, COMMAND_RUN_FILE, COMMAND_RUN_KIND, EVENTS_FILE, GENERIC_REPORT_KIND, REPORT_FILE, RUN_REPORT_KIND, type CommandHangReport } from './types.js';
import { readJsonFile } from './read-json.js';

/** A soaked command's hang, and its traced good iterations kept by --save-all. */
const COMMAND_KINDS: unknown[] = [GENERIC_REPORT_KIND, COMMAND_RUN_KIND];

export interface LoadedRun {
  /** The run folder. */
  dir: string;
  report: RunReport;
}

/** Where a baseline called `name` lives. */
export function baselineDir(name: string, reportsDir = 'reports'): string {
  return resolve(reportsDir, 'baselines', name);
}

/** RUN may be a run folder (of `run`, or of a soaked command's hang), its report file, or the name of a baseline. */
export function resolveRun(ref: string, reportsDir = 'reports'): string {
  const p = resolve(ref);
  if (existsSync(p)) {
    if (!statSync(p).isDirectory()) return p;
    if (existsSync(join(p, REPORT_FILE))) return join(p, REPORT_FILE);
    return [COMMAND_REPORT_FILE, COMMAND_RUN_FILE].map((f) => join(p, f)).find((f) => existsSync(f)) ?? join(p, REPORT_FILE);
  }
  const b = baselineDir(ref, reportsDir);
  if (!ref.includes('/') && existsSync(join(b, REPORT_FILE))) return join(b, REPORT_FILE);
  throw new UsageError(`${ref}: no such run folder, report file or baseline`);
}

/** The kind a report file says it is, read before it is validated as that kind. */
function kindOf(file: string): unknown {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { kind?: unknown } | null)?.kind;
  } catch {
    return undefined; // readJsonFile says what is wrong with it
  }
}

export interface LoadedCommandHang {
  dir: string;
  report: CommandHangReport;
}

/** A run report; a soaked command's hang report is refused in words (it has no trace to compare or draw). */
export function readReport(ref: string, reportsDir = 'reports'): LoadedRun {
  const file = resolveRun(ref, reportsDir);
  if (COMMAND_KINDS.includes(kindOf(file)))
    throw new UsageError(`${file}: a soaked command's report: it can be compared only with another run of that command (report show and report export open it)`);
  const r = readJsonFile(file, RUN_REPORT_KIND, 'report', 'run report') as unknown as RunReport;
  return { dir: dirname(file), report: r };
}

/** Any folder the tool writes: a run, or a soaked command's hang. */
export function readAnyReport(ref: string, reportsDir = 'reports'): { run: LoadedRun } | { command: LoadedCommandHang } {
  const file = resolveRun(ref, reportsDir);
  const kind = kindOf(file);
  if (!COMMAND_KINDS.includes(kind)) return { run: readReport(file, reportsDir) };
  const report = readJsonFile(file, kind as string, 'report', 'command report') as unknown as CommandHangReport;
  return { command: { dir: dirname(file), report } };
}

/** The full trace of a loaded run; a truncated or foreign events file is refused. */
export function readEvents(run: LoadedRun): TraceEvent[] {
  return readEventsFile(join(run.dir, run.report.events.file || EVENTS_FILE), run.report.events.count);
}

/** The trace of a traced program's hang (soak --trace); null when it was not traced. */
export function readCommandEvents(c: LoadedCommandHang): TraceEvent[] | null {
  const t = c.report.preload?.traced;
  return t ? readEventsFile(join(c.dir, t.file), t.count) : null;
}

function readEventsFile(file: string, count: number): TraceEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const events: TraceEvent[] = [];
  for (let i = 0; i < lines.length; i++) {
    let e: TraceEvent;
    try {
      e = JSON.parse(lines[i]!) as TraceEvent;
    } catch {
      throw new UsageError(`${file}: line ${i + 1} is not an event (truncated file?)`);
    }
    if (typeof e.phase !== 'string' || typeof e.slot !== 'number' || typeof e.tNs !== 'number')
      throw new UsageError(`${file}: line ${i + 1} is not an mvar-repro event`);
    events.push(e);
  }
  if (events.length !== count) throw new UsageError(`${file}: holds ${events.length} events, its report says ${count} (truncated file?)`);
  return events;
}

export function runName(run: LoadedRun): string {
  return basename(run.dir);
}
