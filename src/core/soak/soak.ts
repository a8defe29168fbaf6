// `soak`: many iterations for a CI job, of mvar-repro's own protocol or of
// any program, with a hang rate and its confidence interval, JUnit XML and
// shards that merge. This file only checks the outputs and picks the runner;
// the loop that owns the soak's state is loop.ts.
import { checkOutputFile, checkReportDir } from '../report/write.js';
import type { SoakSummary } from '../report/types.js';
import { CommandRunner } from './command-runner.js';
import { SoakLoop } from './loop.js';
import type { SoakObserver, SoakOptions } from './options.js';
import { ProtocolRunner } from './protocol-runner.js';

// merge's tests make their summaries with the function soak itself uses.
export { soakSummary } from './summary.js';

export async function soak(opts: SoakOptions, observer: SoakObserver = {}): Promise<SoakSummary> {
  checkReportDir(opts.reportDir, '--report-dir');
  if (opts.junit) checkOutputFile(opts.junit, '--junit');
  const runner = opts.command ? new CommandRunner(opts, observer) : new ProtocolRunner(opts, observer);
  return new SoakLoop(opts, runner, observer).run();
}
