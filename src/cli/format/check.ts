// `check`'s result for humans: one block per primitive found.
import type { CheckResult } from '../../core/check/check.js';
import { findingSummary } from '../../core/preload/findings.js';
import { fmtDuration, paint } from '../output.js';

export function checkLines(command: string[], r: CheckResult): string[] {
  const run =
    r.run.verdict === 'completed'
      ? `exited 0 in ${fmtDuration(r.run.wallMs)}`
      : r.run.verdict === 'hang'
        ? `did not finish: killed after ${fmtDuration(r.run.wallMs)}`
        : r.run.verdict === 'interrupted'
          ? 'interrupted'
          : r.run.signal
            ? `killed by ${r.run.signal}`
            : `exited ${r.run.exitCode}`;
  const lines = [`check: ${command.join(' ')} — ${run}; ${r.checkedProcesses} process(es) checked`];
  for (const g of r.groups) {
    lines.push(`${paint('red', g.kind)}: ${findingSummary(g).replace(/, first used from .*$/, '')}`);
    lines.push(`    first used by pid${g.pids.length > 1 ? 's' : ''} ${g.pids.slice(0, 10).join(', ')}${g.pids.length > 10 ? ` and ${g.pids.length - 10} more` : ''}`);
    for (const c of g.callers.slice(0, 5)) lines.push(`    called from ${c}`);
  }
  lines.push(checkFinalLine(r, run));
  return lines;
}

/** The last line: the answer in words, agreeing with the exit code. */
function checkFinalLine(r: CheckResult, run: string): string {
  if (r.verdict === 'found') {
    const kinds = [...new Set(r.groups.map((g) => g.kind))].join(', ');
    return paint('red', `check: ${r.groups.length} problem${r.groups.length === 1 ? '' : 's'} found (${kinds}): each is listed above with who used it first`);
  }
  if (r.verdict === 'unchecked') return paint('yellow', 'check: unchecked — the preload library never got into the program (a static or set-user-ID binary?), so nothing is known');
  if (r.run.verdict !== 'completed') return paint('yellow', `check: nothing found, but the program ${run}`);
  return paint('green', 'check: clean — every mutex, condvar and semaphore the program used in shared memory is process-shared');
}
