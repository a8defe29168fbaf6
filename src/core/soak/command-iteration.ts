// One iteration of `soak -- COMMAND`: the program in its own process group
// under `mvar-worker exec` (which dies with the CLI and reaps the program's
// whole tree before it exits), watched against the deadline or until its
// hang is proven. A hang is diagnosed across the whole process tree before
// the tree is killed. Shared-memory objects the program leaves in /dev/shm
// are named, never removed: they are the program's.
import { nowNs } from '../system/duration.js';
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { onProcessExit } from '../system/on-exit.js';
import { diagnose } from '../diagnosis/engine.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { proveAmong, trimForReport } from '../run/evidence.js';
import { workerPath } from '../system/paths.js';
import type { ProcRaw } from '../procfs/capture.js';
import { descendantsOf } from '../procfs/capture.js';
import { parseStat } from '../procfs/decode.js';
import type { ChaosRecord, ChaosSettings, HangProof } from '../report/types.js';
import { Chaos } from '../run/chaos.js';
import { ProofSchedule } from '../run/proof-schedule.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { PreloadSession, type PreloadOptions, type PreloadOutcome } from '../preload/session.js';
import { applyTrace } from '../diagnosis/traced.js';
import { tracedPrimitives } from '../preload/traced.js';

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
  tree: { pid: number; ppid: number; comm: string; cmdline: string }[];
  procfs: ProcRaw[];
  diagnosis: Diagnosis | null;
  /** /dev/shm objects of this user that appeared during the iteration and are still there after it. */
  leftBehind: string[];
  /** The iteration's start on CLOCK_MONOTONIC (the trace's clock). */
  startNs: number;
  /** The command's pid (the shim, mvar-worker exec, started and reaped it). */
  rootPid: number;
  chaos: ChaosRecord | null;
  /** What the preload library recorded (--trace/--check): at the hang, before the kill, or after the exit. */
  preload: PreloadOutcome | null;
}

const TAIL = 16 * 1024;
/** A tree that used no CPU this long gets the hang's proof tried (then twice as long, up to MAX_BACKOFF_MS). */
const QUIET_MS = 200;
const MAX_BACKOFF_MS = 2000;
const POLL_MS = 50;

/** The command's process tree: the root and every live descendant. */
function treeOf(root: number, file: string, command: string[]): CommandResult['tree'] {
  return [{ pid: root, ppid: process.pid, comm: file, cmdline: command.join(' ') }, ...descendantsOf(root)];
}

function cpuOf(pids: number[]): number {
  let sum = 0;
  for (const pid of pids)
    try {
      sum += parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.cpuTicks ?? 0;
    } catch {
      // gone
    }
  return sum;
}

/**
 * Resolves with a proof once the tree has been quiet (no CPU time used, no
 * process started or ended) and the diagnosis proves the hang; never
 * resolves otherwise. stop() ends the watch.
 */
function watchForProof(root: number, file: string, command: string[], t0: number, beforeProof: () => Promise<void>): { proof: Promise<HangProof>; stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const proof = new Promise<HangProof>((resolve) => {
    let last = { cpu: -1, pids: '' };
    let lastChange = performance.now();
    const schedule = new ProofSchedule(QUIET_MS, MAX_BACKOFF_MS);
    const tick = async () => {
      if (stopped) return;
      const tree = treeOf(root, file, command);
      const now = { cpu: cpuOf(tree.map((p) => p.pid)), pids: tree.map((p) => p.pid).join(',') };
      if (now.cpu !== last.cpu || now.pids !== last.pids) lastChange = performance.now();
      last = now;
      const t = performance.now();
      if (t - lastChange >= QUIET_MS && schedule.due(t)) {
        await beforeProof();
        const proven = await proveAmong(tree.map((p) => p.pid));
        if (proven && !stopped) {
          resolve({ provenAtMs: performance.now() - t0, lastProgressAtMs: lastChange - t0, reason: proven.reason });
          return;
        }
        schedule.failed(performance.now());
      }
      if (!stopped) timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
  });
  return {
    proof,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** This user's shared-memory objects, by name (ours excluded: they never outlive a run). */
function shmObjects(): string[] {
  const uid = process.getuid?.();
  try {
    return readdirSync('/dev/shm').filter((n) => {
      if (n.startsWith('mvar-repro-')) return false;
      try {
        return statSync(`/dev/shm/${n}`).uid === uid;
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** The first line of a stream as a number, or null when it closes without one. */
function firstLine(stream: Readable | null): Promise<number | null> {
  return new Promise((resolve) => {
    if (!stream) return resolve(null);
    let text = '';
    stream.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      const m = /^(\d+)\n/.exec(text);
      if (m) resolve(Number(m[1]));
    });
    stream.on('close', () => resolve(null));
    stream.on('error', () => resolve(null));
  });
}

function tail(stream: Readable | null): () => string {
  let buf = '';
  stream?.on('data', (d: Buffer) => {
    buf = (buf + d.toString('utf8')).slice(-TAIL);
  });
  return () => buf;
}

function killAll(pids: number[], group: number): void {
  try {
    process.kill(-group, 'SIGKILL');
  } catch {
    // the group is gone
  }
  for (const pid of pids)
    try {
      process.kill(pid, 'SIGKILL'); // descendants that left the group
    } catch {
      // gone
    }
}

export async function runCommandIteration(spec: CommandSpec, signal: AbortSignal): Promise<CommandResult> {
  // --chaos also jitters the program's lock calls from inside, through the preload library.
  const jitter = spec.chaos ? { seed: spec.chaos.seed, intensity: spec.chaos.settings.intensity } : null;
  const session = spec.preload || jitter ? PreloadSession.open({ ...(spec.preload ?? { check: false, trace: 'off' }), jitter }) : null;
  try {
    return await runUnder(spec, session, signal);
  } finally {
    session?.close();
  }
}

async function runUnder(spec: CommandSpec, session: PreloadSession | null, signal: AbortSignal): Promise<CommandResult> {
  const t0 = performance.now();
  const startNs = nowNs();
  const [file, ...args] = spec.command as [string, ...string[]];
  const shmBefore = new Set(shmObjects());
  const sub = execa(workerPath(), ['exec', '--parent', String(process.pid), '--', file, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cleanup: false,
    env: { ...spec.env, ...session?.env() },
  });
  const stdout = tail(sub.stdout);
  const stderr = tail(sub.stderr);
  // The shim says the command's pid on fd 3 (or closes it, if it could not start one).
  const pid = (await firstLine(sub.stdio[3] as Readable | null)) ?? sub.pid!;
  const dropHook = onProcessExit(() => killAll(descendantsOf(pid).map((p) => p.pid), pid));
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const chaos = spec.chaos ? Chaos.start(spec.chaos.settings, spec.chaos.seed, { tree: pid }) : null;
  let chaosRecord: ChaosRecord | null = null;
  // Chaos ends before anything is looked at (a stop can itself end a wait it catches): proofs and evidence see the program alone.
  const endChaos = async () => {
    if (chaos && !chaosRecord) chaosRecord = await chaos.stop();
  };
  const early = spec.early ? watchForProof(pid, file, spec.command, t0, endChaos) : null;
  let proof: HangProof | null = null;
  const outcome = await Promise.race([
    sub.then(() => 'exited' as const),
    ...(early ? [early.proof.then((p) => ((proof = p), 'proven' as const))] : []),
    new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), spec.timeoutMs))),
    new Promise<'abort'>((r) => {
      onAbort = () => r('abort');
      if (signal.aborted) r('abort');
      else signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  early?.stop();
  await endChaos();
  if (onAbort) signal.removeEventListener('abort', onAbort);

  const result: CommandResult = {
    index: spec.index,
    verdict: 'completed',
    exitCode: null,
    signal: null,
    wallMs: 0,
    lateByMs: null,
    proof,
    stdoutTail: '',
    stderrTail: '',
    tree: [],
    procfs: [],
    diagnosis: null,
    leftBehind: [],
    rootPid: pid,
    startNs,
    chaos: chaosRecord,
    preload: null,
  };
  if (outcome === 'deadline' || outcome === 'proven') {
    result.verdict = 'hang';
    if (outcome === 'deadline') result.lateByMs = performance.now() - t0 - spec.timeoutMs;
    result.tree = treeOf(pid, file, spec.command);
    // The rings at the hang: what every thread did last, and which primitive each call was on.
    result.preload = session?.collect() ?? null;
    const traced = result.preload?.trace?.events;
    const d = await diagnose(
      result.tree.map((p) => p.pid),
      {
        samples: 2,
        intervalMs: 150,
        stacks: spec.stacks,
        stackTimeoutMs: 15_000,
        freezeForStacks: true,
        ...(traced ? { traced: tracedPrimitives(traced) } : {}),
        // Past the deadline the hang has independent evidence: what nothing proves stuck is still reported, as unknown.
        ...(outcome === 'deadline' ? { hangEvidence: `not finished by the ${spec.timeoutMs} ms deadline` } : {}),
      },
    );
    result.diagnosis = d.diagnosis;
    result.procfs = d.samples[0]!.map(trimForReport);
    if (traced) applyTrace(result.diagnosis, traced);
  }
  if (outcome !== 'exited') killAll([...result.tree.map((p) => p.pid), ...descendantsOf(pid).map((p) => p.pid)], pid);
  // The shim exits only once every process of the tree is reaped.
  const r = await sub;
  result.leftBehind = shmObjects().filter((n) => !shmBefore.has(n));
  result.preload ??= session?.collect() ?? null;
  if (result.chaos) result.chaos.jitter = result.preload?.loaded.includes(pid) ?? false;
  dropHook();
  result.wallMs = performance.now() - t0;
  result.stdoutTail = stdout();
  result.stderrTail = stderr();
  if (outcome === 'abort') result.verdict = 'interrupted';
  else if (outcome === 'exited') {
    result.exitCode = r.signal ? null : (r.exitCode ?? null);
    result.signal = r.signal ?? null;
    if (result.exitCode !== 0) result.verdict = 'failed';
  }
  return result;
}
