// What `diff` compares: runs of ours with runs of ours (diffRuns), or traced
// iterations of one soaked program with each other (diffTraced). Anything
// else is refused in one line.
import { basename } from 'node:path';
import { readAnyReport, readCommandEvents, readEvents, runName } from '../report/read.js';
import { UsageError } from '../system/errors.js';
import { diffRuns, type DiffResult } from './diff.js';
import { diffTraced } from './diff-traced.js';

export function compareRuns(refs: string[], reportsDir: string): DiffResult {
  const loaded = refs.map((ref) => readAnyReport(ref, reportsDir));
  const runs = loaded.flatMap((l) => ('run' in l ? [l.run] : []));
  const commands = loaded.flatMap((l) => ('command' in l ? [l.command] : []));
  if (runs.length && commands.length) throw new UsageError('diff compares runs of mvar-repro with each other, or iterations of one soaked program with each other, not both');
  if (runs.length) {
    const inputs = runs.map((run) => ({ name: runName(run), report: run.report, events: readEvents(run) }));
    const bad = inputs.pop()!;
    return diffRuns(inputs, bad);
  }
  const inputs = commands.map((c) => {
    const events = readCommandEvents(c);
    if (!events) throw new UsageError(`${c.dir}: recorded without --trace: there is no trace to compare (soak --trace -- COMMAND records one)`);
    return { name: basename(c.dir), report: c.report, events };
  });
  const bad = inputs.pop()!;
  return diffTraced(inputs, bad);
}
