// Soak of our own protocol: the rate of good iterations, and the original's hang rate.
import { config, figure, log, quick } from '../measure.js';
import { soakOurs } from '../loops.js';

export async function soakRate(tmp: string) {
  const reps = quick ? 2 : 4;
  const n = quick ? 100 : 250;
  log(`soak: N = 50 native fixed, ${reps} x ${n} iterations (rate, and no hang expected)`);
  const perMinute: number[] = [];
  let iterations = 0;
  let hangs = 0;
  let failures = 0;
  for (let i = 0; i < reps; i++) {
    const s = await soakOurs(config({}), n, tmp);
    perMinute.push(s.iterationsPerMinute);
    iterations += s.iterations;
    hangs += s.hangs;
    failures += s.failures;
  }
  return { soakIterationsPerMinute: figure(perMinute), soakIterations: iterations, soakHangs: hangs, soakFailures: failures };
}

export async function reproduction(tmp: string) {
  const n = quick ? 6 : 20;
  log(`reproduction: original, N = 50, ${n} iterations (timeout 1s, 2 at a time)`);
  const s = await soakOurs(config({ variant: 'original', timeoutMs: 1000 }), n, tmp, 2, 'hang');
  return { originalIterations: s.iterations, originalHangs: s.hangs, originalHangRate: s.hangRate };
}
