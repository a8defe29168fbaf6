// What the soak loop (loop.ts) needs of an iteration, whatever runs it:
// mvar-repro's own protocol (protocol-runner.ts) or any program
// (command-runner.ts). A runner starts, watches and reports an iteration;
// what is saved, counted and said is the loop's.
import type { FindingGroup } from '../preload/findings.js';
import type { CaseInput } from './junit-cases.js';
import type { SoakOutcome } from './summary.js';

export interface SoakIteration {
  /** How it ended; reportPath and saveError are the loop's to fill in. */
  outcome: SoakOutcome;
  /** What its JUnit testcase says beyond the outcome. */
  junit: Omit<CaseInput, 'outcome' | 'shard'>;
  /** Which reports are worth a folder: one that hung or failed, any (--save-all), or none. */
  worth: 'problem' | 'any' | 'none';
  /** Writes the iteration's report folder; resolves to its path. */
  save(): Promise<string>;
  /** --check: what the preload library found, one group per primitive. */
  checkFindings: FindingGroup[];
  /** --trace/--check: the library could not get into the program (static, set-user-ID). */
  unpreloaded: boolean;
}

export interface SoakRunner {
  /** The JUnit suite's name. */
  readonly suite: string;
  /** Runs iteration `index`; null when the soak was interrupted during it. */
  run(index: number): Promise<SoakIteration | null>;
  /** Ends everything still running (servers, trees). */
  close(): Promise<void>;
}
