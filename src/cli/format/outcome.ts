// One line per reported iteration and the final line of a run loop.
import { isAbsolute, relative } from 'node:path';
import type { LoopSummary, Outcome } from '../../core/run/loop.js';
import { fmtDuration, paint, plural } from '../output.js';
import type { Progress } from '../progress.js';

/** A path under the current directory, relative to it; others as they are. */
export function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

export function printOutcome(progress: Progress, o: Outcome): void {
  if (o.verdict === 'completed') return;
  const head = o.verdict === 'hang' ? paint('red', 'HANG') : paint('yellow', 'FAILED');
  progress.line(`${head} iteration ${o.index}: ${o.summary}`);
  for (const s of o.findingSummaries) progress.line(`  ${s}`);
  for (const l of o.incomplete) progress.line(`  incomplete, could not read: ${l}`);
  if (o.reportPath) progress.line(`  report: ${shortPath(o.reportPath)}`);
  if (o.saveError) progress.line(`  report not saved: ${o.saveError}`);
}

export function finalLine(name: string, s: LoopSummary): string {
  const parts = [
    plural(s.iterations, 'iteration'),
    s.hangs ? `${plural(s.hangs, 'hang')} (first at iteration ${s.firstHang?.iteration})` : 'no hang',
    `${s.failures} failed`,
    fmtDuration(s.wallMs),
  ];
  const reports = s.reports.map(shortPath);
  const listed = reports.length > 5 ? [...reports.slice(0, 5), `… ${reports.length - 5} more`] : reports;
  const unsaved = s.saveErrors.length ? `; ${plural(s.saveErrors.length, 'report')} not saved` : '';
  return `${name}: ${parts.join(', ')}${s.interrupted ? ' (interrupted)' : ''}${listed.length ? `; reports: ${listed.join(', ')}` : ''}${unsaved}`;
}
