// Where a loop (run or soak) stands, as its progress shows it: done of the
// target, the rate, hangs and failures so far, and the time left. The ETA
// comes from the rate so far (done iterations over elapsed time), or from the
// --duration bound, whichever ends the loop first; none before the first
// iteration is done.

export interface LoopCounts {
  started: number;
  done: number;
  hangs: number;
  failures: number;
  active: number;
}

export interface LoopStatus extends LoopCounts {
  /** Iterations asked for (this shard's share), when counted. */
  target: number | null;
  elapsedMs: number;
  /** Iterations done per second so far, or null before the first. */
  perSecond: number | null;
  /** Time left, or null when the loop has no bound it can be measured against yet. */
  etaMs: number | null;
}

export function loopStatus(c: LoopCounts, bounds: { iterations?: number | undefined; durationMs?: number | undefined }, elapsedMs: number): LoopStatus {
  const target = bounds.iterations !== undefined && Number.isFinite(bounds.iterations) ? bounds.iterations : null;
  const perSecond = c.done > 0 && elapsedMs > 0 ? (c.done / elapsedMs) * 1000 : null;
  const byCount = target !== null && perSecond ? ((target - c.done) / perSecond) * 1000 : null;
  const byTime = bounds.durationMs !== undefined ? Math.max(0, bounds.durationMs - elapsedMs) : null;
  const etaMs = byCount === null ? byTime : byTime === null ? byCount : Math.min(byCount, byTime);
  return { ...c, target, elapsedMs, perSecond, etaMs: etaMs === null ? null : Math.max(0, etaMs) };
}
