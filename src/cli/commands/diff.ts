// `mvar-repro diff GOOD... BAD`
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { DiffResult } from '../../core/trace/diff.js';
import { diffRuns } from '../../core/trace/diff.js';
import { ExitCode, UsageError } from '../../core/system/errors.js';
import { readEvents, readReport, runName } from '../../core/report/read.js';
import { out, paint, table } from '../output.js';

interface Args {
  runs: string[];
  json?: boolean;
  'report-dir': string;
}

const q = (x: { p50: number; p95: number; p99: number; count: number }) =>
  x.count ? `${x.p50.toFixed(3)} / ${x.p95.toFixed(3)} / ${x.p99.toFixed(3)}` : '-';

export function diffLines(d: DiffResult): string[] {
  const lines: string[] = [];
  lines.push(...table([...d.good.map((g) => ['good', g.name, g.summary]), ['bad', d.bad.name, d.bad.summary]]));
  lines.push('', d.equivalent ? paint('green', 'equivalent: the bad run does nothing the good runs never do') : paint('red', `divergent: ${d.reasons.join('; ')}`));
  if (d.divergences.length) {
    lines.push('', 'first divergence per process:');
    lines.push(
      ...table(
        d.divergences.map((v) => [v.role === 'master' ? 'master' : `${v.role} ${v.id}`, String(v.pid), `op ${v.opId} ${v.op}`, v.seen, v.expected]),
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
  return lines;
}

export const diffCommand: CommandModule<object, Args> = {
  command: 'diff <runs...>',
  describe: 'compare a run (last) with one or more known-good runs: run folders, report files or baseline names',
  builder: (y: Argv) =>
    y
      .positional('runs', { type: 'string', array: true, describe: 'GOOD... BAD' })
      .option('json', { type: 'boolean', describe: 'the comparison as JSON on stdout' })
      .option('report-dir', { type: 'string', default: 'reports', describe: 'where baselines/ is looked up' })
      .epilog('Exit: 0 equivalent, 1 divergent, 2 usage or unreadable input.') as unknown as Argv<Args>,
  handler: (argv: ArgumentsCamelCase<Args>) => {
    if (argv.runs.length < 2) throw new UsageError('diff needs at least one good run and the run to check (GOOD... BAD)');
    const inputs = argv.runs.map((ref) => {
      const run = readReport(ref, argv['report-dir']);
      return { name: runName(run), report: run.report, events: readEvents(run) };
    });
    const bad = inputs.pop()!;
    const d = diffRuns(inputs, bad);
    if (argv.json) out(JSON.stringify(d, null, 2));
    else for (const l of diffLines(d)) out(l);
    process.exitCode = d.equivalent ? ExitCode.Ok : ExitCode.Found;
  },
};
