// diff of two 50-slave reports.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readEvents, readReport, runName } from '../../core/report/read.js';
import { diffRuns } from '../../core/trace/diff.js';
import { config, figure, log } from '../measure.js';
import { ourIterations } from '../loops.js';

function readdirRuns(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .map((n) => join(dir, n));
}

export async function diff(tmp: string) {
  log('diff of two 50-slave reports, 5x');
  const dir = join(tmp, 'diff');
  await ourIterations(config({}), 2, dir, true);
  const runs = readdirRuns(dir);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const [a, b] = runs.map((r) => {
      const run = readReport(r);
      return { name: runName(run), report: run.report, events: readEvents(run) };
    });
    diffRuns([a!], b!);
    times.push(performance.now() - t0);
  }
  return { diffMs: figure(times), diffEvents: readReport(runs[1]!).report.events.count };
}
