// Runs a diagnosis on live processes: samples /proc, analyzes, and captures
// stacks of the processes the findings are about.
import { addon } from '../native/addon.js';
import { EnvironmentError } from '../system/errors.js';
import { layout } from '../native/layout.js';
import { captureProc, type ProcRaw } from '../procfs/capture.js';
import type { AnalysisInput, TracedPrimitive, RunContext } from './input.js';
import { analyze } from './analyze.js';
import { LiveProbe } from './probe/live.js';
import { RecordingProbe, type ProbeLog } from './probe/recorded.js';
import { captureStacks } from './stacks.js';
import { accessProblem } from './access.js';
import { followWaits } from './follow.js';
import type { Diagnosis } from './types.js';

export interface DiagnoseOptions {
  /** /proc samples, intervalMs apart: a thread that never woke between them is really blocked. */
  samples: number;
  intervalMs: number;
  /** Backtraces of up to this many processes named by findings (0: none). */
  stacks: number;
  stackTimeoutMs: number;
  /** Why stacks are not taken even if asked for (e.g. --keep), or null. */
  stacksSkipped?: string | null;
  /**
   * SIGSTOP the given processes before the debugger attaches, so the attach
   * cannot let a hung thread through (see stacks.ts). For hangs that are
   * killed right after; never for processes the user still needs, so never
   * for a process the waits were followed to.
   */
  freezeForStacks?: boolean;
  run?: RunContext;
  /** Keep the probe's answers (for fixtures). */
  record?: boolean;
  /** A traced program: the primitives its calls named (identified for certain, not from their bytes). */
  traced?: TracedPrimitive[];
  /** Independent evidence of a hang (a deadline passed), in words: unexplained blocked threads then become 'unknown' findings. */
  hangEvidence?: string;
  /** Also inspect the processes the waits lead to (follow.ts): the child waited for, a pipe's other end, a lock's owner. */
  follow?: boolean;
}

export interface DiagnoseResult {
  diagnosis: Diagnosis;
  samples: ProcRaw[][];
  probeLog: ProbeLog | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The processes worth a backtrace: one per distinct finding and wait site first, then the rest. */
function pickForStacks(d: Omit<Diagnosis, 'stacks'>, max: number): number[] {
  const chosen: number[] = [];
  const sites = new Set<string>();
  const site = (pid: number) => {
    const p = d.processes.find((x) => x.pid === pid);
    const t = p?.threads.find((x) => x.futex) ?? p?.threads[0];
    return `${p?.kind}|${t?.futex?.field ?? t?.wchan ?? ''}`;
  };
  const all = d.findings.flatMap((f) => f.pids);
  for (const pid of all) {
    if (chosen.length >= max) break;
    if (!sites.has(site(pid)) && !chosen.includes(pid)) {
      sites.add(site(pid));
      chosen.push(pid);
    }
  }
  for (const pid of all) if (chosen.length < max && !chosen.includes(pid)) chosen.push(pid);
  return chosen;
}

export async function diagnose(given: number[], opts: DiagnoseOptions): Promise<DiagnoseResult> {
  // One live probe for the walk and the analysis: its whole-system scans (who maps what, who holds which descriptor) are made once.
  const live = new LiveProbe();
  const walk = opts.follow ? followWaits(given, live, layout(), addon().glibcVersion(), new Set([process.pid])) : null;
  const followed = walk?.followed ?? [];
  const pids = [...given, ...followed.map((f) => f.pid)];
  const samples: ProcRaw[][] = [];
  for (let k = 0; k < Math.max(1, opts.samples); k++) {
    if (k > 0) await sleep(opts.intervalMs);
    // Following the waits captured every process once already: that is the first sample.
    samples.push(pids.map((pid) => (k === 0 ? walk?.captures.get(pid) : undefined) ?? captureProc(pid, { maps: k === 0, fds: k === 0, process: k === 0 })));
  }
  // Nothing inspected is not "nothing stuck": without one thread whose state could be read there is no answer.
  const readable = (p: ProcRaw) => p.tasks.some((t) => t.stat !== null);
  if (!samples[0]!.some(readable))
    throw new EnvironmentError(
      `cannot inspect ${pids.join(', ')}: ${samples[0]!.map((p) => `${p.pid}: ${p.errors.find((e) => /stat|task/.test(e)) ?? p.errors[0] ?? 'no thread'}`).join('; ')}`,
    );
  const probe = opts.record ? new RecordingProbe(live) : live;
  const access: Record<number, string> = {};
  for (const raw of samples[0]!) {
    const a = accessProblem(raw);
    if (a) access[raw.pid] = a.why;
  }
  const input: AnalysisInput = {
    layout: layout(),
    glibcVersion: addon().glibcVersion(),
    samples,
    probe,
    observers: [process.pid],
    access,
    ...(opts.run ? { run: opts.run } : {}),
    ...(opts.traced ? { traced: opts.traced } : {}),
    ...(opts.hangEvidence ? { hangEvidence: opts.hangEvidence } : {}),
  };
  const result = analyze(input);
  const why = opts.stacksSkipped ?? (opts.stacks === 0 ? 'not asked for' : result.findings.length === 0 ? 'no finding to explain' : null);
  // Only the processes asked about are frozen (they are killed right after); one a wait led to may be
  // another job's, which must run on untouched: no freeze, and so no debugger either.
  if (!why && opts.freezeForStacks)
    for (const pid of given)
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        // already gone
      }
  const asked = new Set(given);
  const stacks = await captureStacks(
    pickForStacks(result, opts.stacks).filter((pid) => !opts.freezeForStacks || asked.has(pid)),
    opts.stackTimeoutMs,
    why,
  );
  return { diagnosis: { ...result, stacks, ...(opts.follow ? { followed } : {}) }, samples, probeLog: probe instanceof RecordingProbe ? probe.log : null };
}
