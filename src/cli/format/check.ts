// `check`'s result for humans: one block per finding (an inversion's orders
// side by side), then what the reader should know (notes), then, when the
// program failed or check ended it, why and the tail of what it printed
// (made safe for the terminal by output.ts's out(), like every line).
import type { CheckResult } from '../../core/check/check.js';
import type { FindingGroup } from '../../core/preload/findings.js';
import { findingHeadline } from '../../core/preload/findings.js';
import { fmtDuration, paint } from '../output.js';
import { lockOrderLines } from './lock-orders.js';

/** Lines of the program's output shown when it failed or was stopped. */
const TAIL_LINES = 20;

function runLine(r: CheckResult['run']): string {
  if (r.verdict === 'completed') return `exited 0 in ${fmtDuration(r.wallMs)}`;
  if (r.verdict === 'hang') return `did not finish: killed after ${fmtDuration(r.wallMs)}`;
  if (r.verdict === 'interrupted') return 'interrupted';
  return r.signal ? `killed by ${r.signal}` : `exited ${r.exitCode}`;
}

function groupLines(g: FindingGroup): string[] {
  if (g.orders) return [`${paint('red', g.kind)}: ${findingHeadline(g)}`, ...lockOrderLines(g.orders)];
  const pids = `pid${g.pids.length > 1 ? 's' : ''} ${g.pids.slice(0, 10).join(', ')}${g.pids.length > 10 ? ` and ${g.pids.length - 10} more` : ''}`;
  return [
    `${paint('red', g.kind)}: ${findingHeadline(g)}`,
    `    ${g.kind === 'private-primitive-in-shared-memory' ? 'first used by' : 'by'} ${pids}`,
    ...g.callers.slice(0, 5).map((c) => `    called from ${c}`),
  ];
}

function tailLines(name: string, text: string): string[] {
  const lines = text.replace(/\n$/, '').split('\n');
  if (!text.trim()) return [];
  const shown = lines.slice(-TAIL_LINES);
  return [`${name}${lines.length > shown.length ? ` (last ${shown.length} lines)` : ''}:`, ...shown.map((l) => `  ${l}`)];
}

export function checkLines(command: string[], r: CheckResult): string[] {
  const run = runLine(r.run);
  const lines = [`check: ${command.join(' ')} — ${run}; ${r.checkedProcesses} process(es) checked`];
  for (const g of r.groups) lines.push(...groupLines(g));
  for (const n of r.notes) lines.push(`note: ${n}`);
  if (r.run.endedBecause) lines.push('', paint('yellow', `ended early: ${r.run.endedBecause}`), ...r.run.hangFindings.map((f) => `  ${f}`));
  if (r.run.verdict !== 'completed') lines.push(...['', ...tailLines('stdout', r.run.stdoutTail), ...tailLines('stderr', r.run.stderrTail)].filter((l, _i, a) => l || a.length > 1));
  lines.push(checkFinalLine(r, run));
  return lines;
}

/** The last line: the answer in words, agreeing with the exit code. */
function checkFinalLine(r: CheckResult, run: string): string {
  if (r.verdict === 'found') {
    const kinds = [...new Set(r.groups.map((g) => g.kind))].join(', ');
    return paint('red', `check: ${r.groups.length} problem${r.groups.length === 1 ? '' : 's'} found (${kinds}): each is listed above with where it happened`);
  }
  if (r.verdict === 'unchecked') return paint('yellow', 'check: unchecked — the preload library never got into the program (a static or set-user-ID binary?), so nothing is known');
  if (r.run.verdict !== 'completed') return paint('yellow', `check: nothing found, but the program ${run}`);
  return paint('green', 'check: clean — no lock-order inversion, no misuse, and every mutex, condvar and semaphore used in shared memory is process-shared');
}
