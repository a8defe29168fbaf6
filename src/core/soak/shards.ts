// Shards of a soak: how many iterations each machine runs, and the seed each
// iteration hands the soaked program (MVAR_REPRO_SEED).
import type { Shard } from '../report/types.js';

/** This shard's share of K iterations: as even as possible, the first K mod k shards one more. */
export function shardIterations(total: number | undefined, shard: Shard | null): number | undefined {
  if (total === undefined || !shard) return total;
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}

/** A distinct seed per shard and iteration, handed to soaked programs. */
export function seedOf(shard: Shard | null, index: number): number {
  return ((shard?.index ?? 1) * 1_000_003 + index * 7919) >>> 0;
}
