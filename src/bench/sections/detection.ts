// How late a hang is reported after its deadline (--no-early), and what the evidence then costs.
import { config, log, median, quick, r2 } from '../measure.js';
import { loopOurs } from '../loops.js';

export async function detection(tmp: string) {
  log('detection: run 50 --variant original --timeout 2s --no-early, deadline to hang reported');
  const late: number[] = [];
  const evidence: number[] = [];
  await loopOurs(config({ variant: 'original', timeoutMs: 2000, early: false }), quick ? 2 : 4, tmp, {
    hangDetected: (_i, how) => how.lateByMs !== null && late.push(how.lateByMs),
    iterationDone: (o) => o.report.timing.evidenceMs !== null && evidence.push(o.report.timing.evidenceMs),
  });
  return { detectionOverDeadlineMs: r2(Math.max(...late)), detectionMedianMs: r2(median(late)), evidenceMedianMs: r2(median(evidence)), hangs: late.length };
}
