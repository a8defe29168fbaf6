// What --chaos buys: the N = 2 hang rate of the original with and without it,
// and that it never invents a hang on the fixed MVar.
import type { RunConfig } from '../../core/report/types.js';
import { config, log, quick, r2 } from '../measure.js';
import { soakOurs } from '../loops.js';

export async function chaosRates(tmp: string) {
  const n = quick ? 100 : 400;
  // With chaos most iterations hang, and a hang costs its proof (about a
  // second), so fewer iterations measure its rate as well in less time.
  const nChaos = quick ? 40 : 100;
  const rate = async (over: Partial<RunConfig>, iterations: number) => {
    const t0 = performance.now();
    const s = await soakOurs(config({ nslaves: 2, variant: 'original', timeoutMs: 10_000, ...over }), iterations, tmp);
    return { hangs: s.hangs, iterations: s.iterations, perMinute: r2((s.iterations / (performance.now() - t0)) * 60_000) };
  };
  log(`chaos: run 2 --variant original, ${n} iterations without and ${nChaos} with --chaos (seed 1)`);
  const plain = await rate({}, n);
  const chaos = await rate({ chaos: { seed: 1, intensity: 5 } }, nChaos);
  log('chaos: run 2 --variant fixed --chaos, 1000 iterations');
  const fixed = await rate({ variant: 'fixed', chaos: { seed: 2, intensity: 5 } }, quick ? 200 : 1000);
  const rateOf = (r: { hangs: number; iterations: number }) => r.hangs / Math.max(1, r.iterations);
  const ratio = plain.hangs ? rateOf(chaos) / rateOf(plain) : chaos.hangs ? Infinity : 1;
  return { chaosPlain: plain, chaosOn: chaos, chaosFixed: fixed, chaosHangRateRatio: r2(ratio) };
}
