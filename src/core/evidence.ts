// What is gathered at a hang while every process is still as it hung: the
// raw /proc text of each live process and the diagnosis built on it.
import type { HangContext } from './iteration.js';
import type { HangEvidence } from './report-build.js';
import { captureProc } from './procfs.js';

export interface EvidenceOptions {
  /** Native stacks of up to this many stuck processes (0: none). */
  stacks: number;
}

export async function gatherEvidence(ctx: HangContext, _opts: EvidenceOptions): Promise<HangEvidence> {
  const live = ctx.processes.filter((p) => !p.exit);
  const procfs = live.map((p) => captureProc(p.pid));
  return { procfs, diagnosis: null };
}
