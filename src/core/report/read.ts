// Reading run folders back: report.json and events.ndjson, validated enough
// that a foreign, truncated or future file is refused with one clear line.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../system/errors.js';
import type { TraceEvent } from '../native/layout.js';
import type { RunReport } from './types.js';
import { EVENTS_FILE, REPORT_FILE, RUN_REPORT_KIND } from './types.js';
import { readJsonFile } from './read-json.js';

export interface LoadedRun {
  /** The run folder. */
  dir: string;
  report: RunReport;
}

/** Where a baseline called `name` lives. */
export function baselineDir(name: string, reportsDir = 'reports'): string {
  return resolve(reportsDir, 'baselines', name);
}

/** RUN may be a run folder, its report.json, or the name of a baseline. */
export function resolveRun(ref: string, reportsDir = 'reports'): string {
  const p = resolve(ref);
  if (existsSync(p)) return statSync(p).isDirectory() ? join(p, REPORT_FILE) : p;
  const b = baselineDir(ref, reportsDir);
  if (!ref.includes('/') && existsSync(join(b, REPORT_FILE))) return join(b, REPORT_FILE);
  throw new UsageError(`${ref}: no such run folder, report file or baseline`);
}

export function readReport(ref: string, reportsDir = 'reports'): LoadedRun {
  const file = resolveRun(ref, reportsDir);
  const r = readJsonFile(file, RUN_REPORT_KIND, 'report', 'run report') as unknown as RunReport;
  return { dir: dirname(file), report: r };
}

/** The full trace of a loaded run; a truncated or foreign events file is refused. */
export function readEvents(run: LoadedRun): TraceEvent[] {
  const file = join(run.dir, run.report.events.file || EVENTS_FILE);
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
  if (events.length !== run.report.events.count)
    throw new UsageError(`${file}: holds ${events.length} events, its report says ${run.report.events.count} (truncated file?)`);
  return events;
}

export function runName(run: LoadedRun): string {
  return basename(run.dir);
}
