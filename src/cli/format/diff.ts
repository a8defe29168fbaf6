// A diff of a run against known-good runs, for humans.
import type { DiffResult } from '../../core/trace/diff.js';
import { processLabel } from '../../core/report/labels.js';
import { paint, plural, table } from '../output.js';
import { command, shortPath } from './next.js';

const q = (x: { p50: number; p95: number; p99: number; count: number }) =>
  x.count ? `${x.p50.toFixed(3)} / ${x.p95.toFixed(3)} / ${x.p99.toFixed(3)}` : '-';

export function diffLines(d: DiffResult, badRef: string): string[] {
  const lines: string[] = [];
  lines.push(...table([...d.good.map((g) => ['good', g.name, g.summary]), ['bad', d.bad.name, d.bad.summary]]));
  lines.push('', d.equivalent ? paint('green', 'equivalent: the bad run does nothing the good runs never do') : paint('red', `divergent: ${d.reasons.join('; ')}`));
  if (d.divergences.length) {
    lines.push('', 'first divergence per process:');
    lines.push(
      ...table(
        d.divergences.map((v) => [processLabel(v), String(v.pid), `op ${v.opId} ${v.op}`, v.seen, v.expected]),
        ['process', 'pid', 'at', 'bad run', 'good runs'],
      ).map((l) => `  ${l}`),
    );
  }
  if (d.onlyInBad.length) {
    lines.push('', 'transitions only in the bad run:');
    for (const o of d.onlyInBad) lines.push(`  ${o.transition}  ×${o.count}  (${o.where.slice(0, 5).join(', ')}${o.count > 5 ? ', …' : ''})`);
  }
  if (d.counts.length) {
    lines.push('', 'counts that moved (good min–max vs bad):');
    lines.push(...table(d.counts.map((c) => [c.name, `${c.good.min}–${c.good.max}`, String(c.bad)]), ['count', 'good', 'bad']).map((l) => `  ${l}`));
  }
  lines.push('', 'latency p50 / p95 / p99 (ms):');
  lines.push(
    ...table(
      d.latency.map((l) => [l.role, l.metric.replace('Ms', ''), q(l.good), q(l.bad)]),
      ['role', 'metric', 'good', 'bad'],
    ).map((l) => `  ${l}`),
  );
  if (d.findings.length) {
    lines.push('', 'findings of the bad run:');
    for (const f of d.findings) lines.push(`  ${f.kind}: ${f.summary}`);
  }
  lines.push('', diffFinalLine(d, badRef));
  return lines;
}

/** The last line: the answer in words, and where to look next at a divergent run. */
function diffFinalLine(d: DiffResult, badRef: string): string {
  if (d.equivalent) return paint('green', `diff: equivalent — ${d.bad.name} does nothing ${d.good.length === 1 ? 'the good run never does' : `the ${d.good.length} good runs never do`}`);
  const n = d.divergences.length;
  const where = n ? `${plural(n, 'process', 'processes')} diverge from every good run` : d.reasons[0] ?? 'divergent';
  return paint('red', `diff: divergent — ${where}; next: ${command('report', 'show', shortPath(badRef))}`);
}
