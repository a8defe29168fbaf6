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

export interface CommandSpec {
  index: number;
  command: string[];
  timeoutMs: number;
  stacks: number;
  env: Record<string, string>;
}

export interface CommandResult {
  index: number;
  verdict: 'completed' | 'hang' | 'failed' | 'interrupted';
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  lateByMs: number | null;
  stdoutTail: string;
  stderrTail: string;
  tree: { pid: number; ppid: number; comm: string; cmdline: string }[];
  procfs: ProcRaw[];
  diagnosis: Diagnosis | null;
}

const TAIL = 16 * 1024;

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
  const outcome = await Promise.race([
    sub.then(() => 'exited' as const),
    new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), spec.timeoutMs))),
    new Promise<'abort'>((r) => {
      onAbort = () => r('abort');
      if (signal.aborted) r('abort');
      else signal.addEventListener('abort', onAbort, { once: true });
    }),
  ]);
  clearTimeout(timer);
  if (onAbort) signal.removeEventListener('abort', onAbort);

  const result: CommandResult = {
    index: spec.index,
    verdict: 'completed',
    exitCode: null,
    signal: null,
    wallMs: 0,
    lateByMs: null,
    stdoutTail: '',
    stderrTail: '',
    tree: [],
    procfs: [],
    diagnosis: null,
  };
  if (outcome === 'deadline') {
    result.verdict = 'hang';
    result.lateByMs = performance.now() - t0 - spec.timeoutMs;
    const root = { pid, ppid: process.pid, comm: file, cmdline: spec.command.join(' ') };
    result.tree = [root, ...descendantsOf(pid)];
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
