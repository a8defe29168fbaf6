// `report show`: a report folder for humans — of a run, or of a soaked
// command's hang. Processes in the same state on the same thing are one row
// of a group, and the last events are shown for one representative of each
// group of stuck processes (--all: every process, every stuck process's
// events), so a 50-process hang reads on one screen.
import { commandVerdict, groupLabel, processLabel } from '../../core/report/labels.js';
import type { ChaosRecord, CommandHangReport, PreloadRecord, ProcessReport, RunReport } from '../../core/report/types.js';
import { findingHeadline, findingSummary } from '../../core/preload/findings.js';
import { diagnosisLines, findingLines } from './diagnosis.js';
import { lockOrderLines } from './lock-orders.js';
import { fmtDuration, paint, table } from '../output.js';
import { diagnosedStates, needsAttention, shownState, type Diagnosed } from '../../core/report/process-state.js';
import { command, shellWord, shortPath } from './next.js';

/** Representatives whose last events are shown, when not --all. */
const REPRESENTATIVES = 3;

function exitText(p: ProcessReport): string {
  return p.exit ? (p.exit.signal ? `${p.exit.signal}${p.exit.killedByWatchdog ? ' (watchdog)' : ''}` : `exit ${p.exit.code}`) : 'alive';
}

/** What a process was doing, for grouping: state, op, last transition, finding, and what its thread waited on. */
function situation(r: RunReport, p: ProcessReport, stuck: Diagnosed): string[] {
  const d = r.diagnosis?.processes.find((x) => x.pid === p.pid);
  const wait = d?.threads.find((t) => t.wait)?.wait?.on ?? d?.threads.find((t) => t.futex)?.futex?.field ?? '';
  const last = p.lastEvents.at(-1);
  return [
    shownState(p, stuck),
    exitText(p),
    p.currentOp ? p.currentOp.op : '-',
    last ? `${last.op} ${last.phase}` : '-',
    d?.kind ?? '',
    wait.replace(/^(.{60}).+$/, '$1…'),
    p.reason || (p.expectedByFault ? 'staged fault' : ''),
  ];
}

/** What chaos did to the iteration, when it was on. */
function chaosLines(c: ChaosRecord | null | undefined): string[] {
  if (!c) return [];
  const did = c.actions ? `${c.actions.freezes} freezes, ${c.actions.cpuMoves} CPU moves, ${c.actions.renices} renices` : 'its actions unknown';
  return [`  chaos: seed ${c.seed} (this iteration ${c.iterationSeed}), intensity ${c.intensity}: ${did}${c.jitter ? '; lock calls jittered inside the processes' : ''}`];
}

export function showLines(r: RunReport, dir: string, all = false): string[] {
  const c = r.config;
  const stuck = diagnosedStates(r.diagnosis);
  const lines = [
    `run ${dir}`,
    `  ${c.variant}${c.fault !== 'none' ? ` + fault ${c.fault}` : ''}, ${c.nslaves} slaves (${c.runtime}${c.runtime === 'node' ? `, ${c.slaveThread} thread` : ''}), ${c.rounds} rounds, timeout ${fmtDuration(c.timeoutMs)}, stall ${fmtDuration(c.stallMs)}, iteration ${r.iteration}`,
    `  ${r.environment.tool} ${r.environment.toolVersion}, node ${r.environment.node}, glibc ${r.environment.glibc}, kernel ${r.environment.kernel}, ${r.environment.cpus} cpus`,
    ...chaosLines(r.chaos),
    `  started ${r.timing.startedAt}, wall ${fmtDuration(r.timing.wallMs)}${r.timing.lateByMs !== null ? `, hang reported ${fmtDuration(r.timing.lateByMs)} after the deadline` : ''}${r.timing.proof ? `, hang proven ${fmtDuration(r.timing.proof.provenAtMs)} after the start` : ''}${r.timing.evidenceMs !== null ? `, evidence ${fmtDuration(r.timing.evidenceMs)}` : ''}`,
    '',
    `verdict: ${r.verdict === 'completed' ? paint('green', r.summary) : paint('red', r.summary)}`,
    ...(r.timing.proof ? [`  proof: ${r.timing.proof.reason}`] : []),
    '',
  ];
  const header = ['process', 'state', 'exit', 'in op', 'last event', 'finding', 'waits on', 'note'];
  if (all) {
    const rows = r.processes.map((p) => [`${processLabel(p)} (${p.pid})`, ...situation(r, p, stuck)]);
    lines.push(...table(rows, header).map((l) => `  ${l}`));
  } else {
    const groups = new Map<string, ProcessReport[]>();
    for (const p of r.processes) {
      const k = situation(r, p, stuck).join('\u0000');
      groups.set(k, [...(groups.get(k) ?? []), p]);
    }
    const rows = [...groups.values()].map((ps) => [`${groupLabel(ps)}${ps.length > 1 ? ` (${ps.length})` : ` (pid ${ps[0]!.pid})`}`, ...situation(r, ps[0]!, stuck)]);
    lines.push(...table(rows, header).map((l) => `  ${l}`));
  }
  if (r.diagnosis) {
    lines.push('', 'findings:');
    if (!r.diagnosis.findings.length) lines.push('  none');
    lines.push(...findingLines(r.diagnosis, all ? Infinity : 8, '--all for all').map((l) => `  ${l}`));
    if (r.diagnosis.stacks.skipped) lines.push(`  stacks: skipped (${r.diagnosis.stacks.skipped})`);
    else lines.push(`  stacks: ${r.diagnosis.stacks.traces.length} captured with ${r.diagnosis.stacks.tool} (in report.json)`);
    if (r.diagnosis.glibc.note) lines.push(`  note: ${r.diagnosis.glibc.note}`);
  }
  const s = r.stats;
  lines.push(
    '',
    `stats: ${s.opsCompleted.take} takes, ${s.opsCompleted.put} puts, ${s.lockTimeouts} lock timeouts, ${s.waitTimeouts} wait timeouts, ${s.ownerDied} owner-died, ${s.errors} errors, ${s.expiredWithConditionTrue} waits expired with their condition true`,
  );
  if (r.dropped.total || r.dropped.corrupt) lines.push(`dropped: ${r.dropped.total} events overwritten before they were read, ${r.dropped.corrupt} unreadable`);
  const attention = r.processes.filter((p) => needsAttention(shownState(p, stuck)));
  // One representative per group of stuck processes, unless --all.
  const shown: ProcessReport[] = [];
  const seen = new Set<string>();
  for (const p of attention) {
    const k = situation(r, p, stuck).join('\u0000');
    if (all || (!seen.has(k) && shown.length < REPRESENTATIVES)) shown.push(p);
    seen.add(k);
  }
  for (const p of shown) {
    const like = attention.filter((q) => q !== p && situation(r, q, stuck).join('\u0000') === situation(r, p, stuck).join('\u0000'));
    lines.push('', `last events of ${processLabel(p)} (pid ${p.pid}, ${shownState(p, stuck)})${!all && like.length ? `, like ${like.length} other(s): ${groupLabel(like)}` : ''}:`);
    const t0 = p.lastEvents[0]?.tNs ?? 0;
    for (const e of p.lastEvents)
      lines.push(
        `  +${((e.tNs - t0) / 1e6).toFixed(3).padStart(10)}ms  #${String(e.seq).padEnd(5)} ${e.op} ${String(e.opId).padEnd(3)} ${e.phase.padEnd(13)} rc=${e.rc}${e.deadlineMs ? ` deadline=${e.deadlineMs}ms` : ''} full=${e.isFull ? 1 : 0}${e.phase === 'copied' ? ` value=${e.value}` : ''}`,
      );
  }
  if (!all && attention.length > shown.length) lines.push('', `(${attention.length - shown.length} more processes like those above; --all shows every one)`);
  lines.push('', `${r.verdict}: ${r.summary.replace(/^(hang|completed|failed): /, '')}; ${showNext(dir)}`);
  return lines;
}

/** After a report: see it as a timeline, or compare it with the committed known-good baseline. */
function showNext(dir: string): string {
  const p = shortPath(dir);
  return `next: ${command('report', 'export', p, '--format', 'html')} (compare: ${command('diff', 'fixed-n20', p)})`;
}

/** What `report export` says it wrote, and how to open it. */
export function exportedLine(format: 'chrome-trace' | 'html', file: string): string {
  return format === 'html'
    ? `timeline written to ${shortPath(file)}; open it in a browser (xdg-open ${shellWord(shortPath(file))})`
    : `trace written to ${shortPath(file)}; open it in https://ui.perfetto.dev or chrome://tracing`;
}

/** --trace / --check: what the library got into, found and traced; each thread's last transitions (5 threads unless --all). */
function preloadLines(p: PreloadRecord | undefined, all: boolean): string[] {
  if (!p) return [];
  const asked = [p.check ? 'checked' : '', p.trace !== 'off' ? `traced (${p.trace === 'all' ? 'every primitive' : 'primitives in shared memory'})` : ''].filter(Boolean).join(' and ');
  const out = ['', `${asked} by the preload library, loaded into ${p.loadedPids.length} process(es)`];
  if (p.findings) out.push(p.findings.length ? '' : '  check: nothing found', ...p.findings.flatMap((g) => (g.orders ? [`  ${paint('red', g.kind)}: ${findingHeadline(g)}`, ...lockOrderLines(g.orders, '      ')] : [`  ${paint('red', g.kind)}: ${findingSummary(g)}`])));
  const t = p.traced;
  if (!t) return out.filter((l, i) => l !== '' || i === 0);
  const shown = all ? t.threads : t.threads.filter((x) => x.events > 0).slice(0, 5);
  out.push(
    `  trace: ${t.count} events from ${t.threads.length} thread(s) in ${new Set(t.threads.map((x) => x.pid)).size} process(es) (${t.file})${t.missed ? `, ${t.missed} overwritten before they were read` : ''}${t.untracedThreads ? `, ${t.untracedThreads} thread(s) untraced: every ring was taken` : ''}`,
  );
  for (const x of shown) {
    out.push(`  process ${x.process} (pid ${x.pid}${x.cmd ? `, ${x.cmd}` : ''}) thread ${x.thread} (tid ${x.tid}), ${x.state}, ${x.events} events; last:`);
    out.push(...x.last.slice(all ? 0 : -4).map((l) => `      ${l}`));
  }
  if (shown.length < t.threads.length) out.push(`  … ${t.threads.length - shown.length} more thread(s) (--all shows every one)`);
  return out.filter((l, i) => l !== '' || i === 0);
}

/** A soaked command's iteration (a hang, or a traced run kept by --save-all): what ran, the verdict, what it left, the diagnosis, the output tails. */
export function commandShowLines(r: CommandHangReport, dir: string, all = false): string[] {
  const tailOf = (text: string) => {
    const ls = text.split('\n').filter(Boolean);
    return all ? ls : ls.slice(-10);
  };
  const verdict = `${commandVerdict(r)}${r.proof ? ` (${r.proof.reason})` : ''}`;
  const hang = r.verdict === undefined || r.verdict === 'hang';
  return [
    `command ${hang ? 'hang' : 'run'} ${dir}`,
    `  ${r.command.join(' ')}`,
    `  iteration ${r.iteration}${r.shard ? ` of shard ${r.shard.index}/${r.shard.count}` : ''}, timeout ${fmtDuration(r.timeoutMs)}${hang ? `, ${r.tree.length} process(es) in its tree` : ''}, ${r.createdAt}`,
    `  ${r.environment.tool} ${r.environment.toolVersion}, node ${r.environment.node}, glibc ${r.environment.glibc}, kernel ${r.environment.kernel}, ${r.environment.cpus} cpus`,
    ...chaosLines(r.chaos),
    '',
    `verdict: ${paint(hang || r.verdict === 'failed' ? 'red' : 'green', verdict)}`,
    ...(r.leftBehind?.length ? [`left behind in /dev/shm: ${r.leftBehind.join(', ')}`] : []),
    ...preloadLines(r.preload, all),
    '',
    ...(r.diagnosis ? diagnosisLines(r.diagnosis, { threads: true }) : []),
    ...(r.stdoutTail ? ['', `stdout (last ${all ? 'lines' : '10 lines'}):`, ...tailOf(r.stdoutTail).map((l) => `  ${l}`)] : []),
    ...(r.stderrTail ? ['', `stderr (last ${all ? 'lines' : '10 lines'}):`, ...tailOf(r.stderrTail).map((l) => `  ${l}`)] : []),
    '',
    `${verdict}; next: ${command('report', 'export', shortPath(dir), '--format', 'html')}`,
  ];
}
