// What a soak is asked to do, in one place: every flag of `soak` the core
// sees arrives here and nowhere else (the CLI parses and checks them).
import type { PreloadOptions } from '../preload/session.js';
import type { RunConfig, Shard } from '../report/types.js';
import type { LoopObserver } from '../run/loop.js';
import type { SoakOutcome } from './summary.js';

export interface SoakOptions {
  /** The program to soak, or null for mvar-repro's own protocol. */
  command: string[] | null;
  /** The protocol's run configuration; for a command, its timeoutMs, early and chaos apply. */
  config: RunConfig;
  /** Stop after this many iterations (this shard's share), or undefined for no count. */
  iterations: number | undefined;
  /** Start no iteration after this long. */
  durationMs: number | undefined;
  /** Iterations at once. */
  parallel: number;
  /** Stop at the first hang. */
  untilHang: boolean;
  shard: Shard | null;
  expect: 'none' | 'hang';
  reportDir: string;
  /** Save every iteration's report (for a command: every traced one), not only those that hung or failed. */
  saveAll: boolean;
  /** Reports of hangs, failures and --check findings kept: the first this many and the last (default DEFAULT_KEEP_REPORTS). */
  keepReports?: number;
  /** Native stacks of up to this many processes per hang. */
  stacks: number;
  /** Write JUnit XML here. */
  junit: string | undefined;
  signal: AbortSignal;
  /** -- COMMAND only: --trace / --check, the program runs under the preload library. */
  preload?: PreloadOptions | null;
}

export type SoakObserver = LoopObserver<SoakOutcome>;
