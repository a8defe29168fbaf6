// One line per reported iteration and the final line of a run loop.
import type { LoopSummary, Outcome } from '../../core/run/loop.js';
import { loopOutcome } from '../../core/system/exit-codes.js';
import { reportNext, shortPath } from './next.js';
import { fmtDuration, paint, plural } from '../output.js';
import type { Progress } from '../progress.js';

export function printOutcome(progress: Progress, o: Outcome): void {
  if (o.verdict === 'completed') return;
  const head = o.verdict === 'hang' ? paint('red', 'HANG') : paint('yellow', 'FAILED');
  // The verdict is said by the head; the summary goes on from there ("HANG iteration 3: proven after 245ms; …").
  progress.line(`${head} iteration ${o.index}: ${o.summary.replace(/^(hang|failed): /, '')}`);
  for (const s of o.findingSummaries) progress.line(`  ${s}`);
  for (const l of o.incomplete) progress.line(`  incomplete, could not read: ${l}`);
  if (o.reportPath) progress.line(`  report: ${shortPath(o.reportPath)}`);
  if (o.saveError) progress.line(`  report not saved: ${o.saveError}`);
}

/**
 * The last line of a run loop: the outcome in words (the same decision as
 * its exit code) with the counts, and the command to run next on the first hang's
 * report (or the first failure's) when there is one.
 */
export function finalLine(name: string, s: LoopSummary, expectHang: boolean): string {
  const first = s.firstHang?.report ?? s.firstFailure?.report ?? null;
  const others = s.reports.filter((r) => r !== first).map(shortPath);
  const listed = others.length > 3 ? [...others.slice(0, 3), `… ${others.length - 3} more`] : others;
  const more = listed.length ? `; ${first ? 'other reports' : 'reports'}: ${listed.join(', ')}` : '';
  const unsaved = s.saveErrors.length ? `; ${plural(s.saveErrors.length, 'report')} not saved` : '';
  const next = first ? `; ${reportNext(first)}` : '';
  return `${name}: ${loopOutcome(s, expectHang)} (${fmtDuration(s.wallMs)})${unsaved}${next}${more}`;
}
