// How late a hang is reported after its deadline (--no-early), and what the evidence then costs.
import { config, figure, log, quick } from '../measure.js';
import { loopOurs } from '../loops.js';

export async function detection(tmp: string) {
  const n = quick ? 2 : 5;
  log(`detection: run 50 --variant original --timeout 2s --no-early, deadline to hang reported, ${n} hangs`);
  const late: number[] = [];
  const evidence: number[] = [];
  await loopOurs(config({ variant: 'original', timeoutMs: 2000, early: false }), n, tmp, {
    hangDetected: (_i, how) => how.lateByMs !== null && late.push(how.lateByMs),
    iterationDone: (o) => o.report.timing.evidenceMs !== null && evidence.push(o.report.timing.evidenceMs),
  });
  return { detectionLateMs: figure(late), evidenceMs: figure(evidence), hangs: late.length };
}
