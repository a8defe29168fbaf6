// One iteration of `soak -- COMMAND`: the program in its own process group,
// dying with the CLI (through `mvar-worker exec`), watched against the
// deadline. A hang is diagnosed across its whole process tree before the
// tree is killed.
import { execa } from 'execa';
import type { Readable } from 'node:stream';
import { onProcessExit } from '../system/on-exit.js';
import { diagnose } from '../diagnosis/engine.js';
import type { Diagnosis } from '../diagnosis/types.js';
import { trimForReport } from '../run/evidence.js';
import { workerPath } from '../system/paths.js';
import type { ProcRaw } from '../procfs/capture.js';
import { descendantsOf } from '../procfs/capture.js';
import { parseStat } from '../procfs/decode.js';
import type { HangProof } from '../report/types.js';
import { readFileSync } from 'node:fs';

export interface CommandSpec {
  index: number;
  command: string[];
  timeoutMs: number;
  stacks: number;
  env: Record<string, string>;
  /** Report a proven hang before the deadline. */
  early: boolean;
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
function watchForProof(root: number, file: string, command: string[], t0: number): { proof: Promise<HangProof>; stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const proof = new Promise<HangProof>((resolve) => {
    let last = { cpu: -1, pids: '' };
    let lastChange = performance.now();
    let backoff = QUIET_MS;
    let nextTry = 0;
    const tick = async () => {
      if (stopped) return;
      const tree = treeOf(root, file, command);
      const now = { cpu: cpuOf(tree.map((p) => p.pid)), pids: tree.map((p) => p.pid).join(',') };
      if (now.cpu !== last.cpu || now.pids !== last.pids) lastChange = performance.now();
      last = now;
      const t = performance.now();
      if (t - lastChange >= QUIET_MS && t >= nextTry) {
        try {
          const { diagnosis } = await diagnose(tree.map((p) => p.pid), { samples: 2, intervalMs: 20, stacks: 0, stackTimeoutMs: 0 });
          if (diagnosis.proof && !stopped) {
            resolve({ provenAtMs: performance.now() - t0, lastProgressAtMs: lastChange - t0, reason: diagnosis.proof });
            return;
          }
        } catch {
          // nothing readable now: the deadline decides
        }
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
        nextTry = performance.now() + backoff;
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
  const t0 = performance.now();
  const [file, ...args] = spec.command as [string, ...string[]];
  const sub = execa(workerPath(), ['exec', '--parent', String(process.pid), '--', file, ...args], {
    detached: true,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: false,
    env: spec.env,
  });
  const stdout = tail(sub.stdout);
  const stderr = tail(sub.stderr);
  const pid = sub.pid!;
  const dropHook = onProcessExit(() => killAll(descendantsOf(pid).map((p) => p.pid), pid));
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const early = spec.early ? watchForProof(pid, file, spec.command, t0) : null;
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
  };
  if (outcome === 'deadline' || outcome === 'proven') {
    result.verdict = 'hang';
    if (outcome === 'deadline') result.lateByMs = performance.now() - t0 - spec.timeoutMs;
    result.tree = treeOf(pid, file, spec.command);
    const d = await diagnose(
      result.tree.map((p) => p.pid),
      { samples: 2, intervalMs: 150, stacks: spec.stacks, stackTimeoutMs: 15_000, freezeForStacks: true },
    );
    result.diagnosis = d.diagnosis;
    result.procfs = d.samples[0]!.map(trimForReport);
  }
  if (outcome !== 'exited') killAll([...result.tree.map((p) => p.pid), ...descendantsOf(pid).map((p) => p.pid)], pid);
  const r = await sub;
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
