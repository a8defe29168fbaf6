// The evidence of a soaked command's hang, gathered before its tree is
// killed: the tree, what the preload library recorded (rings, findings) and
// the diagnosis of every process. This is the one place a command iteration
// calls the diagnosis at its verdict (the early proof calls proveAmong).
//
// A program may exit while it is inspected (its deadline came in the instant
// it was ending): the diagnosis then has nothing left to read, and the
// iteration stays a hang with what could be read, said as incomplete; never
// an abort of the soak.
import { diagnose } from '../../diagnosis/engine.js';
import { applyTrace } from '../../diagnosis/traced.js';
import type { Diagnosis } from '../../diagnosis/types.js';
import type { PreloadOutcome, PreloadSession } from '../../preload/session.js';
import { tracedPrimitives } from '../../preload/traced.js';
import type { ProcRaw } from '../../procfs/capture.js';
import { trimForReport } from '../../run/evidence.js';
import { EnvironmentError } from '../../system/errors.js';
import { treeOf, type TreeProcess } from './tree.js';

export interface CommandEvidence {
  tree: TreeProcess[];
  procfs: ProcRaw[];
  diagnosis: Diagnosis | null;
  /** The rings and findings at the hang, before the kill. */
  preload: PreloadOutcome | null;
  /** Why the diagnosis could not read the tree (it exited meanwhile, or could not be inspected), or null. */
  unreadable: string | null;
}

/** Stack capture budget of a hang: debuggers attach one process at a time, and a hang's report waits for them. */
const STACK_TIMEOUT_MS = 15_000;

/**
 * `hangEvidence`: past the deadline, the hang has independent evidence, so
 * what nothing proves stuck is still reported (as unknown); a proven hang
 * needs none. The diagnosis follows the waits out of the tree (a server it
 * talks to, a lock held elsewhere).
 */
export async function inspectHang(shim: number | null, root: number, command: string[], stacks: number, session: PreloadSession | null, hangEvidence: string | null): Promise<CommandEvidence> {
  const tree = treeOf(shim, root, command);
  const preload = session?.collect() ?? null;
  const traced = preload?.trace?.events;
  try {
    const d = await diagnose(
      tree.map((p) => p.pid),
      // The tree is killed right after: freeze it so a debugger's attach cannot let a hung thread through.
      {
        samples: 2,
        intervalMs: 150,
        stacks,
        stackTimeoutMs: STACK_TIMEOUT_MS,
        freezeForStacks: true,
        follow: true,
        ...(traced ? { traced: tracedPrimitives(traced) } : {}),
        ...(hangEvidence ? { hangEvidence } : {}),
      },
    );
    if (traced) applyTrace(d.diagnosis, traced);
    return { tree, procfs: d.samples[0]!.map(trimForReport), diagnosis: d.diagnosis, preload, unreadable: null };
  } catch (e) {
    if (!(e instanceof EnvironmentError)) throw e;
    return { tree, procfs: [], diagnosis: null, preload, unreadable: e.message };
  }
}
