// Soak of our own protocol: the rate of good iterations, and the original's hang rate.
import { config, log, quick } from '../measure.js';
import { soakOurs } from '../loops.js';

export async function soakRate(tmp: string) {
  const n = quick ? 200 : 1000;
  log(`soak: N = 50 native fixed, ${n} iterations (rate, and no hang expected)`);
  const s = await soakOurs(config({}), n, tmp);
  return { soakIterationsPerMinute: s.iterationsPerMinute, soakIterations: s.iterations, soakHangs: s.hangs, soakFailures: s.failures };
}

export async function reproduction(tmp: string) {
  const n = quick ? 6 : 20;
  log(`reproduction: original, N = 50, ${n} iterations (timeout 1s, 2 at a time)`);
  const s = await soakOurs(config({ variant: 'original', timeoutMs: 1000 }), n, tmp, 2, 'hang');
  return { originalIterations: s.iterations, originalHangs: s.hangs, originalHangRate: s.hangRate };
}
