// Shards of a soak: how many iterations each machine runs, and the seed each
// iteration hands the soaked program (MVAR_REPRO_SEED).
import type { Shard } from '../report/types.js';

/** Most shards a soak is split into (and merged from): a CI matrix of 10,000 jobs is far beyond any in use; a claim above it is refused, not believed. */
export const MAX_SHARDS = 10_000;

/** Whether i/k is a shard: whole numbers with 1 <= i <= k <= MAX_SHARDS. */
export function isShard(sh: Shard): boolean {
  return Number.isSafeInteger(sh.index) && Number.isSafeInteger(sh.count) && sh.count >= 1 && sh.count <= MAX_SHARDS && sh.index >= 1 && sh.index <= sh.count;
}

/** "--shard i/k" as the user gave it, or null; the message of a refusal names the bound. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d{1,9})\/(\d{1,9})$/.exec(text);
  const sh = m ? { index: Number(m[1]), count: Number(m[2]) } : null;
  return sh && isShard(sh) ? sh : null;
}

/** This shard's share of K iterations: as even as possible, the first K mod k shards one more. */
export function shardIterations(total: number | undefined, shard: Shard | null): number | undefined {
  if (total === undefined || !shard) return total;
  return Math.floor(total / shard.count) + (shard.index <= total % shard.count ? 1 : 0);
}

/** A distinct seed per shard and iteration, handed to soaked programs. */
export function seedOf(shard: Shard | null, index: number): number {
  return ((shard?.index ?? 1) * 1_000_003 + index * 7919) >>> 0;
}
