// Iterations one after another, or P at a time: the shape shared by `run`
// loops and `soak` of any command. Stops on a count, a duration, a request
// from an iteration, or the abort signal; never starts a new iteration after
// any of those.

export interface RepeatBounds {
  /** Stop after this many (undefined: no count limit). */
  iterations: number | undefined;
  /** Start no iteration after this long (undefined: no time limit). */
  durationMs: number | undefined;
  parallel: number;
  signal: AbortSignal;
}

/** `one` returns 'stop' to end the loop after the iterations in flight. */
export async function repeat(bounds: RepeatBounds, one: (index: number) => Promise<'stop' | void>): Promise<void> {
  const t0 = performance.now();
  let next = 1;
  let stop = false;
  const limit = bounds.iterations ?? Infinity;
  const mayStart = () =>
    !stop && !bounds.signal.aborted && next <= limit && (bounds.durationMs === undefined || performance.now() - t0 < bounds.durationMs);
  const lane = async () => {
    while (mayStart()) if ((await one(next++)) === 'stop') stop = true;
  };
  await Promise.all(Array.from({ length: Math.max(1, bounds.parallel) }, lane));
}

/** The iteration count of a loop: as given; else one, unless it runs until a hang or for a duration. */
export function iterationLimit(o: { iterations?: number | undefined; untilHang: boolean; durationMs?: number | undefined }): number | undefined {
  return o.iterations ?? (o.untilHang || o.durationMs !== undefined ? undefined : 1);
}
