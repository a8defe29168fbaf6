// One iteration of `soak -- COMMAND` (and the one run of `check`), as named
// steps: open the preload session the options ask for, start the command
// through the command server (its own process group, under a shim that reaps
// its whole tree), start chaos beside it, watch it until it exits, its
// deadline passes or its hang is proven, inspect a hang before anything is
// killed, end the tree, and say what happened. Shared-memory objects the
// program leaves in /dev/shm are named, never removed: they are the program's.
import { Chaos } from '../run/chaos.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { PreloadSession, type PreloadOptions, type PreloadOutcome } from '../preload/session.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { ChaosRecord, ChaosSettings, HangProof } from '../report/types.js';
import { nowNs } from '../system/duration.js';
import { inspectHang, type CommandEvidence } from './command/inspect.js';
import { CommandServer, type CommandExit, type StartedCommand } from './command/server.js';
import { type TreeProcess } from './command/tree.js';
import { ShmWatch } from './command/shm.js';
import { watch, type WatchEnd } from './command/watch.js';

export interface CommandSpec {
  index: number;
  command: string[];
  timeoutMs: number;
  stacks: number;
  env: Record<string, string>;
  /** Report a proven hang before the deadline. */
  early: boolean;
  /** --chaos: the run's settings, and this iteration's seed. */
  chaos?: { settings: ChaosSettings; seed: number } | null;
  /** --trace/--check: run the program under the preload library. */
  preload?: PreloadOptions | null;
}

export interface CommandResult {
  index: number;
  verdict: 'completed' | 'hang' | 'failed' | 'interrupted';
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  lateByMs: number | null;
  /** For a hang proven before the deadline. */
  proof: HangProof | null;
  stdoutTail: string;
  stderrTail: string;
  tree: TreeProcess[];
  procfs: ProcRaw[];
  diagnosis: Diagnosis | null;
  /** What could not be read or done (a tree that exited while inspected, one that could not be reaped). */
  incomplete: string[];
  /** /dev/shm objects of this user that appeared during the iteration and are still there after it. */
  leftBehind: string[];
  /** The iteration's start on CLOCK_MONOTONIC (the trace's clock). */
  startNs: number;
  /** The command's pid (0 when it could not be started). */
  rootPid: number;
  chaos: ChaosRecord | null;
  /** What the preload library recorded (--trace/--check): at the hang, before the kill, or after the exit. */
  preload: PreloadOutcome | null;
}

/** After a kill, how long the tree gets to be reaped before the iteration is said without it (a process in uninterruptible sleep). */
const REAP_BOUND_MS = 10_000;

/**
 * Runs one iteration on `server` (a soak's, started once for all its
 * iterations); without one, on a server of its own (check, one run).
 */
export async function runCommandIteration(spec: CommandSpec, signal: AbortSignal, server?: CommandServer): Promise<CommandResult> {
  const own = server ? null : new CommandServer();
  const session = openPreload(spec);
  try {
    return await iterate(server ?? own!, spec, session, signal);
  } finally {
    session?.close();
    await own?.close();
  }
}

async function iterate(server: CommandServer, spec: CommandSpec, session: PreloadSession | null, signal: AbortSignal): Promise<CommandResult> {
  const t0 = performance.now();
  const startNs = nowNs();
  const shm = new ShmWatch();
  const started = await server.spawn(spec.command, { ...spec.env, ...session?.env() });
  shm.watch(started.shim);
  const chaos = startChaos(spec, started);
  const end: WatchEnd = started.pid === null
    ? { how: 'exited', exit: await started.exit }
    : await watch({ shim: started.shim!, exit: started.exit, timeoutMs: spec.timeoutMs, early: spec.early, t0, beforeProof: chaos.end, signal });
  const lateByMs = end.how === 'deadline' ? performance.now() - t0 - spec.timeoutMs : null;
  await chaos.end();
  const evidence = end.how === 'deadline' ? `not finished by the ${spec.timeoutMs} ms deadline` : null;
  const hang = end.how === 'deadline' || end.how === 'proven' ? await inspectHang(started.shim, started.pid ?? 0, spec.command, spec.stacks, session, evidence) : null;
  if (hang) shm.see(hang.tree.map((p) => p.pid), hang.procfs);
  const exit = await endTree(started, end);
  return said(spec, { started, end, hang, exit, chaos: chaos.record(), preload: hang?.preload ?? session?.collect() ?? null, leftBehind: shm.leftBehind(), t0, startNs, lateByMs });
}

/** --trace/--check, and --chaos (which also jitters the program's lock calls from inside): the preload library's session. */
function openPreload(spec: CommandSpec): PreloadSession | null {
  const jitter = spec.chaos ? { seed: spec.chaos.seed, intensity: spec.chaos.settings.intensity } : null;
  return spec.preload || jitter ? PreloadSession.open({ ...(spec.preload ?? { check: false, trace: 'off' }), jitter }) : null;
}

/** Chaos beside the command's tree; ended (everyone continued) before anything is looked at, since a stop can itself end a wait it catches. */
function startChaos(spec: CommandSpec, started: StartedCommand): { end: () => Promise<void>; record: () => ChaosRecord | null } {
  const chaos = spec.chaos && started.pid !== null ? Chaos.start(spec.chaos.settings, spec.chaos.seed, { tree: started.pid }) : null;
  let record: ChaosRecord | null = null;
  let ending: Promise<void> | null = null;
  return {
    end: () => (ending ??= chaos ? chaos.stop().then((r) => void (record = r)) : Promise.resolve()),
    record: () => record,
  };
}

/** The tree is ended unless it exited by itself, and waited for: once its exit is read, every process of it is reaped. */
async function endTree(started: StartedCommand, end: WatchEnd): Promise<CommandExit | null> {
  if (end.how === 'exited') return end.exit;
  started.kill();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<null>((r) => (timer = setTimeout(() => r(null), REAP_BOUND_MS)));
  try {
    return await Promise.race([started.exit, bound]);
  } finally {
    clearTimeout(timer);
  }
}

interface Ended {
  started: StartedCommand;
  end: WatchEnd;
  hang: CommandEvidence | null;
  exit: CommandExit | null;
  chaos: ChaosRecord | null;
  preload: PreloadOutcome | null;
  leftBehind: string[];
  t0: number;
  startNs: number;
  lateByMs: number | null;
}

/** The iteration's result: its verdict from how the watch ended, and what was read on the way. */
function said(spec: CommandSpec, e: Ended): CommandResult {
  const exited = e.end.how === 'exited' ? e.end.exit : null;
  const verdict = e.end.how === 'abort' ? 'interrupted' : e.hang ? 'hang' : exited?.code === 0 ? 'completed' : 'failed';
  const rootPid = e.started.pid ?? 0;
  const chaos = e.chaos ? { ...e.chaos, jitter: e.preload?.loaded.includes(rootPid) ?? false } : null;
  const incomplete = [
    ...(e.hang?.unreadable ? [`the tree could not be inspected: ${e.hang.unreadable}`] : []),
    ...(e.exit ? [] : [`the tree was not reaped within ${REAP_BOUND_MS / 1000} s of its kill (a process in uninterruptible sleep?)`]),
  ];
  return {
    index: spec.index,
    verdict,
    exitCode: exited?.code ?? null,
    signal: exited?.signal ?? null,
    wallMs: performance.now() - e.t0,
    lateByMs: e.lateByMs,
    proof: e.end.how === 'proven' ? e.end.proof : null,
    stdoutTail: e.exit?.stdoutTail ?? '',
    stderrTail: e.exit?.stderrTail ?? '',
    tree: e.hang?.tree ?? [],
    procfs: e.hang?.procfs ?? [],
    diagnosis: e.hang?.diagnosis ?? null,
    incomplete,
    leftBehind: e.leftBehind,
    startNs: e.startNs,
    rootPid,
    chaos,
    preload: e.preload,
  };
}
