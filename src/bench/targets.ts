// The bench's verdicts: each measure with the target it is held to, from the
// figures of every section of one run.
import type { trace } from './sections/trace.js';
import type { preloadOverhead } from './sections/preload.js';
import type { iteration } from './sections/iteration.js';
import type { detection } from './sections/detection.js';
import type { early } from './sections/early.js';
import type { chaosRates } from './sections/chaos.js';
import type { scale } from './sections/scale.js';
import type { reproduction, soakRate } from './sections/soak.js';
import type { diff } from './sections/diff.js';

export interface Target {
  name: string;
  value: string;
  target: string;
  met: boolean;
}

type Of<F extends (...a: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

export interface Figures {
  t: Of<typeof trace>;
  pre: Of<typeof preloadOverhead>;
  it: Of<typeof iteration>;
  d: Of<typeof detection>;
  e: Of<typeof early>;
  ch: Of<typeof chaosRates>;
  sc: Of<typeof scale>;
  so: Of<typeof soakRate>;
  rep: Of<typeof reproduction>;
  df: Of<typeof diff>;
}

export function targets({ t, pre, it, d, e, ch, sc, so, rep, df }: Figures): Target[] {
  return [
    { name: 'trace event', value: `${t.traceNsPerEvent} ns (printf ${t.printfNsPerEvent} ns, ${t.printfOverTrace}x)`, target: '<= 50 ns and >= 20x cheaper than printf', met: t.traceNsPerEvent <= 50 && t.printfOverTrace >= 20 },
    { name: 'preload library, cost per intercepted call (--trace)', value: `${pre.preloadNsPerCall} ns (lock+unlock pair ${pre.lockPairNsPlain} ns untraced, ${pre.lockPairNsTraced} ns traced)`, target: '<= 100 ns', met: pre.preloadNsPerCall <= 100 },
    {
      name: 'preload library, lock-heavy C program traced / untraced: nothing but lock/unlock',
      value: `${pre.lockHeavyRatio}x (${pre.lockHeavyTracedMs} ms vs ${pre.lockHeavyPlainMs} ms; the library loaded with everything off: ${pre.lockHeavyOffRatio}x, and one uncontended pair ${pre.lockPairNsOff} ns against ${pre.lockPairNsPlain} ns)`,
      target: '<= 1.5x',
      met: pre.lockHeavyRatio <= 1.5,
    },
    {
      name: `preload library, lock-heavy C program traced / untraced: a pair per ${Math.round(pre.workNsPerPair)} ns of computing`,
      value: `${pre.workRatio}x (${pre.workTracedMs} ms vs ${pre.workPlainMs} ms)`,
      target: '<= 1.5x',
      met: pre.workRatio <= 1.5,
    },
    { name: 'preload library, lock-heavy C program traced / untraced: token handoff through mutex + condvar', value: `${pre.handoffRatio}x (${pre.handoffTracedMs} ms vs ${pre.handoffPlainMs} ms)`, target: '<= 1.5x', met: pre.handoffRatio <= 1.5 },
    { name: 'run 50 fixed native / C launcher floor', value: `${it.iterationRatioNative}x (${it.nativeMs} ms vs ${it.floorMs} ms)`, target: '<= 2x', met: it.iterationRatioNative <= 2 },
    {
      name: 'run 50 fixed node / C launcher floor',
      value: `${it.iterationRatioNode}x (${it.nodeMs} ms; starting 50 bare \`node -e 0\` takes ${it.bareNodeStartMs} ms, so ${it.nodeOverBareNodeStart}x that)`,
      target: 'reported (as low as it can be)',
      met: true,
    },
    { name: 'hang detection after the deadline', value: `${d.detectionOverDeadlineMs} ms max (median ${d.detectionMedianMs} ms; evidence then ${d.evidenceMedianMs} ms)`, target: '<= 100 ms', met: d.detectionOverDeadlineMs <= 100 },
    {
      name: 'proven hang: last progress to verdict (run 50 original)',
      value: `${e.timeToVerdictMs} ms median, ${e.timeToVerdictMaxMs} ms max (${e.provenOriginal} proven)`,
      target: '<= 1 s',
      met: e.timeToVerdictMaxMs <= 1000,
    },
    { name: '`run 50` on its defaults, end to end', value: `${e.runDefaultsWallMs} ms`, target: '< 2 s, evidence included', met: e.runDefaultsWallMs < 2000 },
    { name: '`soak 50 --variant original --iterations 3 --expect hang`', value: `${e.soakOriginal3WallMs} ms`, target: '< 5 s', met: e.soakOriginal3WallMs < 5000 },
    {
      name: 'soaked C program that deadlocks (3 iterations, --timeout 30s)',
      value: `${e.commandDeadlockSoak3WallMs} ms in all; last progress to verdict ${e.commandDeadlockTimeToVerdictMs} ms median; ${e.commandDeadlockProven} proven`,
      target: 'proven, not at the deadline',
      met: e.commandDeadlockProven.startsWith('3 of 3'),
    },
    { name: 'early verdicts, cost on good fixed iterations', value: `${e.fixedEarlyOverNoEarly}x the --no-early time`, target: '<= 1.05x', met: e.fixedEarlyOverNoEarly <= 1.05 },
    {
      name: 'chaos: run 2 original hang rate, --chaos against without',
      value: `${ch.chaosHangRateRatio}x (${ch.chaosOn.hangs}/${ch.chaosOn.iterations} with, ${ch.chaosPlain.hangs}/${ch.chaosPlain.iterations} without; ${ch.chaosOn.perMinute} vs ${ch.chaosPlain.perMinute} iterations/min)`,
      target: '>= 10x',
      met: ch.chaosHangRateRatio >= 10,
    },
    { name: 'chaos: run 2 fixed --chaos, hangs', value: `${ch.chaosFixed.hangs} of ${ch.chaosFixed.iterations}`, target: 'none of 1,000', met: ch.chaosFixed.hangs === 0 && ch.chaosFixed.iterations >= 1000 },
    { name: 'scale to N = 1,000, linear cost', value: `${sc.rows.map((r) => `N=${r.n}: ${r.wallMs} ms`).join(', ')}; per-slave growth 100->max ${sc.perSlaveGrowth100ToMax}x`, target: 'N = 1,000 completes; cost linear in N', met: sc.linear && sc.rows.some((r) => r.n === 1000) },
    { name: 'soak, N = 50 native fixed', value: `${so.soakIterationsPerMinute} iterations/min`, target: '>= 1,000 / min', met: so.soakIterationsPerMinute >= 1000 },
    {
      name: 'original, N = 50, hangs',
      value: `${rep.originalHangs} of ${rep.originalIterations} (95 % CI ${(rep.originalHangRate.low * 100).toFixed(1)}-${(rep.originalHangRate.high * 100).toFixed(1)} %)`,
      target: '>= 95 % of iterations',
      met: rep.originalHangRate.rate >= 0.95,
    },
    {
      name: 'fixed, N = 50, hangs',
      value: `${so.soakHangs} of ${so.soakIterations} (${so.soakFailures} failed)`,
      target: 'none of 1,000',
      met: so.soakHangs === 0 && so.soakFailures === 0 && so.soakIterations >= 1000,
    },
    { name: 'diff of two 50-slave reports', value: `${df.diffMs} ms (${df.diffEvents} events each)`, target: 'well under 1 s', met: df.diffMs < 1000 },
  ];
}
