// Recorded real data for the pure modules' tests: the committed known-good
// baseline (a real `run 20 --variant fixed`, report and full trace).
import { readFileSync } from 'node:fs';
import type { TraceEvent } from '../../src/core/native/layout.js';
import type { RunReport } from '../../src/core/report/types.js';
import { ROOT } from '../helpers.js';

const BASELINE = `${ROOT}/reports/baselines/fixed-n20`;

export function baseline(): { report: RunReport; events: TraceEvent[] } {
  const report = JSON.parse(readFileSync(`${BASELINE}/report.json`, 'utf8')) as RunReport;
  const events = readFileSync(`${BASELINE}/events.ndjson`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as TraceEvent);
  return { report, events };
}
