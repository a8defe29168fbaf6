// Loops of ours as the sections time them, and the C floor beside them.
import { execa } from 'execa';
import type { RunConfig } from '../core/report/types.js';
import { runLoop, type LoopObserver } from '../core/run/loop.js';
import { gatherEvidence } from '../core/run/evidence.js';
import { soak } from '../core/soak/soak.js';
import { benchProgram } from './native.js';
import { never } from './measure.js';

/** Per-iteration times of a loop of ours: the gap between consecutive completions (everything included). */
export async function ourIterations(cfg: RunConfig, iterations: number, reportDir: string, saveAll = false): Promise<number[]> {
  const done: number[] = [];
  const t0 = performance.now();
  const s = await loopOurs(cfg, iterations, reportDir, { iterationDone: () => done.push(performance.now()) }, saveAll);
  if (s.hangs || s.failures) throw new Error(`bench loop hung or failed: ${JSON.stringify(s)}`);
  return done.map((t, i) => t - (i ? done[i - 1]! : t0));
}

/** A run loop of our own protocol, one iteration at a time, evidence without stacks. */
export function loopOurs(cfg: RunConfig, iterations: number, reportDir: string, observer: LoopObserver, saveAll = false) {
  return runLoop(
    {
      config: cfg,
      iterations,
      durationMs: undefined,
      untilHang: false,
      parallel: 1,
      reportDir,
      saveAll,
      inspect: (ctx) => gatherEvidence(ctx, { stacks: 0, keep: false }),
      signal: never,
    },
    observer,
  );
}

/** A soak of our own protocol, `parallel` at a time, nothing saved but hangs. */
export function soakOurs(cfg: RunConfig, iterations: number, reportDir: string, parallel = 1, expect: 'none' | 'hang' = 'none') {
  return soak({
    command: null,
    config: cfg,
    iterations,
    durationMs: undefined,
    parallel,
    untilHang: false,
    shard: null,
    expect,
    reportDir,
    saveAll: false,
    stacks: 0,
    junit: undefined,
    signal: never,
  });
}

/** mvar-launcher (native/launcher.c): per-iteration times of the C floor, N slaves. */
export async function floorIterations(n: number, iterations: number): Promise<number[]> {
  const r = await execa(await benchProgram('mvar-launcher'), ['--slaves', String(n), '--iterations', String(iterations)]);
  return (JSON.parse(r.stdout) as { iterationsMs: number[] }).iterationsMs;
}
