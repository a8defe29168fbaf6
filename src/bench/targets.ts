// The bench's verdicts: each measure with the target it is held to, from the
// figures of every section of one run. A figure reads "median (low-high over
// repetitions)"; a target is held against the median unless it says max.
import type { trace } from './sections/trace.js';
import type { preloadOverhead } from './sections/preload.js';
import type { iteration } from './sections/iteration.js';
import type { detection } from './sections/detection.js';
import type { early } from './sections/early.js';
import type { chaosRates } from './sections/chaos.js';
import type { scale } from './sections/scale.js';
import type { reproduction, soakRate } from './sections/soak.js';
import type { soakLoop } from './sections/soak-loop.js';
import type { diff } from './sections/diff.js';
import type { diagnoseMany } from './sections/diagnose.js';
import { r2, show } from './measure.js';

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
  sl: Of<typeof soakLoop>;
  rep: Of<typeof reproduction>;
  df: Of<typeof diff>;
  dg: Of<typeof diagnoseMany>;
}

export function targets({ t, pre, it, d, e, ch, sc, so, sl, rep, df, dg }: Figures): Target[] {
  const x = 'x';
  return [
    { name: 'trace event', value: `${show(t.traceNsPerEvent, ' ns')}; printf ${show(t.printfNsPerEvent, ' ns')}, ${show(t.printfOverTrace, x)}`, target: '<= 50 ns and >= 20x cheaper than printf', met: t.traceNsPerEvent.median <= 50 && t.printfOverTrace.median >= 20 },
    { name: 'preload library, cost per intercepted call (--trace)', value: `${show(pre.preloadNsPerCall, ' ns')}; a lock+unlock pair ${show(pre.lockPairNsPlain, ' ns')} untraced, ${show(pre.lockPairNsTraced, ' ns')} traced, ${show(pre.lockPairNsChecked, ' ns')} checked`, target: '<= 100 ns', met: pre.preloadNsPerCall.median <= 100 },
    {
      name: 'lock-only loop (2 processes x 2 threads, nothing but lock/unlock), traced / untraced',
      value: `${show(pre.lockHeavyRatio, x)}; untraced ${pre.lockHeavyPlainMs.median} ms; the library loaded with everything off: ${show(pre.lockHeavyOffRatio, x)}`,
      target: '<= 3x',
      met: pre.lockHeavyRatio.median <= 3,
    },
    {
      name: 'lock-only loop, `check` / untraced, beside ThreadSanitizer and Helgrind',
      value: `${show(pre.lockHeavyCheckedRatio, x)}; ThreadSanitizer ${pre.tsanRatio ? show(pre.tsanRatio, x) : 'not built here'}; Helgrind (${pre.helgrindPairs} pairs) ${pre.helgrindRatio ? show(pre.helgrindRatio, x) : 'not installed'}`,
      target: '<= 3x',
      met: pre.lockHeavyCheckedRatio.median <= 3,
    },
    { name: 'producer/consumer (a token handed through a mutex and condvar), traced / untraced', value: `${show(pre.handoffRatio, x)}; untraced ${pre.handoffPlainMs.median} ms; checked ${show(pre.handoffCheckedRatio, x)}`, target: '<= 1.1x', met: pre.handoffRatio.median <= 1.1 },
    {
      name: `lock-heavy loop with ${Math.round(pre.workNsPerPair.median)} ns of computing per pair, traced / untraced`,
      value: `${show(pre.workRatio, x)}; checked ${show(pre.workCheckedRatio, x)}`,
      target: 'reported',
      met: true,
    },
    {
      name: 'cheap (TSC) trace stamps against the exact stamp after them, same thread',
      value: `${pre.stampInversionMaxNs <= 0 ? 'never later' : `at worst ${pre.stampInversionMaxNs} ns later`} over ${pre.stampPairs} pairs`,
      target: 'reported',
      met: true,
    },
    { name: 'run 50 fixed native / C launcher floor', value: `${show(it.iterationRatioNative, x)}; ${it.nativeMs.median} ms vs ${it.floorMs.median} ms`, target: '<= 2x', met: it.iterationRatioNative.median <= 2 },
    {
      name: 'run 50 fixed node / C launcher floor',
      value: `${show(it.iterationRatioNode, x)}; ${it.nodeMs.median} ms; starting 50 bare \`node -e 0\` takes ${it.bareNodeStartMs.median} ms, so ${show(it.nodeOverBareNodeStart, x)} that`,
      target: 'reported (as low as it can be)',
      met: true,
    },
    { name: 'hang detection after the deadline', value: `${show(d.detectionLateMs, ' ms')}; evidence then ${show(d.evidenceMs, ' ms')}`, target: '<= 100 ms (max)', met: d.detectionLateMs.high <= 100 },
    { name: 'proven hang: last progress to verdict (run 50 original)', value: `${show(e.timeToVerdictMs, ' ms')}; ${e.provenOriginal} proven`, target: '<= 1 s (max)', met: e.timeToVerdictMs.high <= 1000 },
    { name: '`run 50` on its defaults, end to end', value: show(e.runDefaultsWallMs, ' ms'), target: '< 2 s, evidence included', met: e.runDefaultsWallMs.median < 2000 },
    { name: '`soak 50 --variant original --iterations 3 --expect hang`', value: show(e.soakOriginal3WallMs, ' ms'), target: '< 5 s', met: e.soakOriginal3WallMs.median < 5000 },
    {
      name: 'soaked C program that deadlocks (3 iterations, --timeout 30s)',
      value: `${r2(e.commandDeadlockSoak3WallMs)} ms in all; last progress to verdict ${show(e.commandDeadlockTimeToVerdictMs, ' ms')}; ${e.commandDeadlockProven} proven`,
      target: 'proven, not at the deadline',
      met: e.commandDeadlockProven.startsWith('3 of 3'),
    },
    { name: 'early verdicts, cost on good fixed iterations', value: `${show(e.fixedEarlyOverNoEarly, x)} the --no-early time`, target: '<= 1.05x', met: e.fixedEarlyOverNoEarly.median <= 1.05 },
    {
      name: 'chaos: run 2 original hang rate, --chaos against without',
      value: `${ch.chaosHangRateRatio}x (${ch.chaosOn.hangs}/${ch.chaosOn.iterations} with, ${ch.chaosPlain.hangs}/${ch.chaosPlain.iterations} without; ${ch.chaosOn.perMinute} vs ${ch.chaosPlain.perMinute} iterations/min)`,
      target: '>= 10x',
      met: ch.chaosHangRateRatio >= 10,
    },
    { name: 'chaos: run 2 fixed --chaos, hangs', value: `${ch.chaosFixed.hangs} of ${ch.chaosFixed.iterations}`, target: 'none of 1,000', met: ch.chaosFixed.hangs === 0 && ch.chaosFixed.iterations >= 1000 },
    { name: 'scale to N = 1,000, linear cost', value: `${sc.rows.map((r) => `N=${r.n}: ${show(r.wallMs, ' ms')}`).join(', ')}; per-slave growth 100->max ${sc.perSlaveGrowth100ToMax}x`, target: 'N = 1,000 completes; cost linear in N', met: sc.linear && sc.rows.some((r) => r.n === 1000) },
    { name: 'soak, N = 50 native fixed', value: `${show(so.soakIterationsPerMinute)} iterations/min`, target: '>= 1,000 / min', met: so.soakIterationsPerMinute.median >= 1000 },
    {
      name: `\`soak --iterations ${sl.soakLoopIterations} -- /bin/true\`, its loop / a bash loop of \`timeout 10 /bin/true\``,
      value: `${show(sl.soakLoopOverBash, x)} the bash loop's time; ${show(sl.soakLoopPerSecond)} vs ${show(sl.bashLoopPerSecond)} iterations/s${sl.stressPerSecond ? `; Go stress ${show(sl.stressPerSecond)}/s (soak's loop ${show(sl.soakLoopOverStress!, x)} its time)` : '; Go stress not installed'}`,
      target: '<= 1x (no slower)',
      met: sl.soakLoopOverBash.median <= 1,
    },
    {
      name: `\`soak --iterations ${sl.soakLoopIterations} -- /bin/true\` end to end (Node's start included) / the bash loop`,
      value: `${show(sl.soakCliOverBash, x)}; ${show(sl.soakCliPerSecond)} iterations/s`,
      target: 'reported',
      met: true,
    },
    { name: 'soak -- /bin/true, --parallel 2 / --parallel 1', value: `${show(sl.parallel2Speedup, x)} the rate`, target: 'scales with cores (2 cores here: > 1.5x)', met: sl.parallel2Speedup.median > 1.5 },
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
    { name: 'diff of two 50-slave reports', value: `${show(df.diffMs, ' ms')}; ${df.diffEvents} events each`, target: 'well under 1 s', met: df.diffMs.median < 1000 },
    {
      name: `diagnose of ${dg.diagnoseProcesses} processes of a live hang (the CLI on its defaults: 3 samples, waits followed)`,
      value: `${show(dg.diagnoseMs, ' ms')}; exit ${dg.diagnoseExit}`,
      target: '< 2 s',
      met: dg.diagnoseMs.median < 2000 && dg.diagnoseExit === 1,
    },
  ];
}
