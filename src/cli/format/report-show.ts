// `report show`: a run folder for humans.
import { processLabel } from '../../core/report/labels.js';
import type { RunReport } from '../../core/report/types.js';
import { fmtDuration, paint, table } from '../output.js';
import { findingLines } from './diagnosis.js';

export function showLines(r: RunReport, dir: string): string[] {
  const c = r.config;
  const lines = [
    `run ${dir}`,
    `  ${c.variant}${c.fault !== 'none' ? ` + fault ${c.fault}` : ''}, ${c.nslaves} slaves (${c.runtime}${c.runtime === 'node' ? `, ${c.slaveThread} thread` : ''}), ${c.rounds} rounds, timeout ${fmtDuration(c.timeoutMs)}, stall ${fmtDuration(c.stallMs)}, iteration ${r.iteration}`,
    `  ${r.environment.tool} ${r.environment.toolVersion}, node ${r.environment.node}, glibc ${r.environment.glibc}, kernel ${r.environment.kernel}, ${r.environment.cpus} cpus`,
    `  started ${r.timing.startedAt}, wall ${fmtDuration(r.timing.wallMs)}${r.timing.lateByMs !== null ? `, hang reported ${r.timing.lateByMs.toFixed(1)} ms after the deadline, evidence ${r.timing.evidenceMs} ms` : ''}`,
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
    p.sinceLastEventMs === null ? '-' : fmtDuration(p.sinceLastEventMs),
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
