// The facts pass of the diagnosis: from the /proc samples, the probe and (for
// our runs) the watchdog's view, build the wait-for graph — every thread,
// what it does (runs, waits timed, waits untimed, woke while sampled, is
// stopped), what it waits on and who could wake it (waits.ts) — and solve it
// (graph.ts): which threads are stuck for good, and the cycles among them.
// Also the decoded primitives with their owners and, for our runs, what each
// process waits for in the MVar protocol. The rules in rules/ read only these
// facts; nothing here decides what is a finding.
import { isShared, parseLocks, parseMaps, parseStat, type FileLock, type MapEntry } from '../procfs/decode.js';
import type { ProcRaw } from '../procfs/capture.js';
import { processLabelWithPid } from '../native/vocabulary.js';
import type { MutexView } from './glibc.js';
import { solve } from './graph.js';
import type { AnalysisInput, RunContext, RunProcess } from './input.js';
import { primitiveFinder } from './primitives.js';
import { hex } from '../system/hex.js';
import type { Probe } from './probe/probe.js';
import { draftThread, finishThread, piOwners, type ThreadFacts } from './threads.js';
import type { PrimitiveDecode } from './types.js';
import type { FutexContext } from './waits/futex.js';
import { takersByKey } from './takers.js';
import { catchesSigchld, caughtSignals, notifyingSignals } from './signals.js';
import { threadVerdict } from './verdict.js';

export type { ThreadFacts } from './threads.js';

export interface ProcFacts {
  pid: number;
  raw: ProcRaw;
  comm: string;
  state: string;
  threads: ThreadFacts[];
  maps: MapEntry[];
  run: RunProcess | undefined;
}

/** A locked mutex and its owner, resolved from the lock word. */
export interface Holder {
  view: MutexView;
  ownerPid: number | null;
  alive: boolean;
}

/** What a process waits to acquire: from its futex wait, or (our runs) from its trace between retries. */
export interface MutexWait {
  name: string;
  view: MutexView | undefined;
  thread: ThreadFacts | null;
}

export interface Facts {
  probe: Probe;
  run: RunContext | undefined;
  procs: ProcFacts[];
  /** Every primitive decoded, by name ("mvar.canTake", "mutex@0x7f…"). */
  primitives: Map<string, PrimitiveDecode>;
  holders: Map<string, Holder>;
  /** pid -> the mutex it waits for and the live process that holds it. */
  mutexEdges: Map<number, { to: number; mutex: string }>;
  /** Cycles of mutexEdges, each ordered from its smallest pid. */
  cycles: number[][];
  /** Cycles of stuck threads through mutexes, pipes, file locks and children, in order. */
  threadCycles: ThreadFacts[][];
  /** Pids in any cycle. */
  inCycle: Set<number>;
  /** Every thread stuck for good. */
  stuck: ThreadFacts[];
  /** What could not be read, per process. */
  incomplete: string[];
  /** Independent evidence of a hang (a deadline passed), when there is some. */
  hangEvidence: string | null;
  procOf(pid: number): ProcFacts | undefined;
  /** The inspected threads a waker stands for (none when it is outside the inspected set). */
  threadsOf(w: { pid: number; tid: number | null }): ThreadFacts[];
  label(pid: number | null | undefined): string;
  threadLine(p: ProcFacts, t: ThreadFacts): string;
  /** A live process that is part of the question (in our runs: unfinished, not exited). */
  relevant(p: ProcFacts): boolean;
  stopped(p: ProcFacts): boolean;
  untimedBlocked(p: ProcFacts): boolean;
  /** Threads waiting on a process-private futex in shared memory that another live process maps. */
  privateShared(p: ProcFacts): ThreadFacts[];
  mutexWait(p: ProcFacts): MutexWait | null;
  /** Our runs: what a process waits for in take/put; any program: the futex it waits on. */
  boxWait(p: ProcFacts): string | null;
  boxOp(p: ProcFacts | undefined): 'take' | 'put' | null;
}

/** Blocked in a futex wait (not merely about to run). */
export const waiting = (t: ThreadFacts): boolean => t.futex?.waits === true && t.report.state !== 'R';

/**
 * What a thread whose system call could not be read is doing, from what
 * anyone may read (its state and its context switches over the samples), and
 * why the rest could not be read.
 */
function unreadableWhy(p: ProcFacts, access: string | null): (t: ThreadFacts) => string {
  const reason = access ?? [...new Set(p.raw.errors.map((e) => e.replace(/^task\/\d+\//, '')))].slice(0, 2).join('; ');
  return (t) => {
    const r = t.report;
    const moved = r.wakeupsWhileSampled !== null && r.wakeupsWhileSampled > 0;
    const seen = r.state === 'R' ? 'running' : moved ? `${r.stateName}, woke ${r.wakeupsWhileSampled} time(s) while sampled` : `${r.stateName}${r.wakeupsWhileSampled === 0 ? ', no wake-up while sampled' : ''}`;
    return `${seen}; what it waits on could not be read: ${reason || 'unreadable'}`;
  };
}

export function buildFacts(input: AnalysisInput): Facts {
  const { layout, probe, run } = input;
  const first = input.samples[0] ?? [];
  const runByPid = new Map(run?.processes.map((p) => [p.pid, p]) ?? []);

  const label = (pid: number | null | undefined): string => {
    if (pid === null || pid === undefined) return 'an unknown process';
    const r = runByPid.get(pid);
    if (r) return processLabelWithPid(r);
    const raw = first.find((p) => p.pid === pid);
    return raw?.comm ? `pid ${pid} (${raw.comm})` : `pid ${pid}`;
  };
  const { primitives, mutexViews, locateFutex, decodeRunPrimitives } = primitiveFinder(layout, probe, run, label, input.traced ?? []);
  const observers = new Set(input.observers ?? []);
  const mapsOf = new Map(first.map((raw) => [raw.pid, parseMaps(raw.maps)]));
  const semTakers = takersByKey(input.traced ?? [], mapsOf);
  const last = input.samples[input.samples.length - 1] ?? first;

  // Pass one: every thread's call and futex word, as its last sample shows it.
  const drafts = first.map((raw, i) => {
    const samples = { first: raw, all: input.samples.map((s) => s[i]) };
    const maps = mapsOf.get(raw.pid)!;
    return (last[i] ?? raw).tasks.map((t) => draftThread(samples, t, probe, (f) => locateFutex(raw, maps, f)));
  });
  // Each process's caught signals (SigCgt), decoded once.
  const caught = new Map(first.map((r) => [r.pid, caughtSignals(r.status)]));
  const caughtBy = (pid: number) => caught.get(pid) ?? [];
  // Pass two: what each waits on, knowing what every word showed.
  const pi = piOwners(drafts.flat());
  let fileLocks: FileLock[] | undefined;
  const waitCtx: FutexContext = {
    probe,
    tids: new Map(first.map((raw, i) => [raw.pid, (last[i] ?? raw).tasks.map((t) => t.tid)])),
    observers,
    label: (pid) => label(pid),
    ownerPid: (tid) => {
      const t = probe.thread(tid);
      return t.alive ? t.pid : (run?.tids[tid] ?? t.pid);
    },
    semTakers: (key) => semTakers.get(key) ?? [],
    locks: () => (fileLocks ??= parseLocks(probe.fileLocks())),
    signallingChildren: (pid) => (catchesSigchld(caughtBy(pid)) ? probe.children(pid).map((c) => ({ pid: c, tid: null })) : []),
    handlers: (pid, alone) => notifyingSignals(caughtBy(pid), alone),
    piOwned: (tid) => pi.get(tid) ?? [],
  };
  const procs: ProcFacts[] = first.map((raw, i) => {
    const lastRaw = last[i] ?? raw;
    const stat = parseStat(lastRaw.tasks[0]?.stat ?? null);
    const threads = drafts[i]!.map((d) => finishThread(d, raw, waitCtx));
    return { pid: raw.pid, raw, comm: raw.comm ?? stat?.comm ?? '?', state: stat?.state ?? '?', threads, maps: mapsOf.get(raw.pid)!, run: runByPid.get(raw.pid) };
  });

  decodeRunPrimitives();

  const allThreads = procs.flatMap((p) => p.threads);
  const graph = solve(allThreads, (w) => probe.thread(w.tid ?? w.pid).alive);
  for (const p of procs) {
    const why = unreadableWhy(p, input.access?.[p.pid] ?? null);
    for (const t of p.threads) {
      t.stuck = graph.stuck.has(t);
      if (t.report.wait) t.report.wait.stuckForGood = t.stuck;
      t.report.verdict = threadVerdict(t, graph, label, why(t));
    }
  }
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const threadsOf = (w: { pid: number; tid: number | null }) => (byPid.get(w.pid)?.threads ?? []).filter((t) => w.tid === null || t.tid === w.tid);

  const stopped = (p: ProcFacts) => p.threads.some((t) => t.report.state === 'T' || t.report.state === 't') || p.state === 'T' || p.state === 't';
  const untimedBlocked = (p: ProcFacts) =>
    stopped(p) || p.threads.some((t) => t.stuck || (waiting(t) && !t.futex!.timed && t.mapping !== null && isShared(t.mapping)));
  const privateShared = (p: ProcFacts) =>
    p.threads.filter((t) => {
      if (!waiting(t) || !t.futex!.private || !t.mapping || !isShared(t.mapping)) return false;
      if (t.report.futex?.fieldSource === 'segment-layout') return true; // our segment is shared by design
      return probe.sharers(t.mapping.dev, t.mapping.inode).some((s) => s !== p.pid && probe.thread(s).alive);
    });

  const mutexWait = (p: ProcFacts): MutexWait | null => {
    const t = p.threads.find((x) => waiting(x) && x.primitive?.type === 'mutex' && x.report.futex?.field?.endsWith('__lock'));
    if (t?.primitive) return { name: t.primitive.name, view: t.primitive.mutex ?? mutexViews.get(t.primitive.name), thread: t };
    const r = p.run;
    if (r && r.curOp !== 'none' && (r.lastPhase === 'enter' || r.lastPhase === 'lock-timeout' || r.lastPhase === 'lock-begin')) {
      const name = r.lastOp === 'abba' ? `mvar.aux[${r.lastAux}]` : 'mvar.mutex';
      return { name, view: mutexViews.get(name), thread: null };
    }
    return null;
  };

  const boxWait = (p: ProcFacts): string | null => {
    const r = p.run;
    const t = p.threads.find((x) => waiting(x) && x.primitive?.type === 'cond');
    // The trace says where in the op it is; only a thread blocked in a futex
    // says it waits (between its events it may be running, or sleeping in a
    // chaos jitter of the preload library).
    if (r && (r.curOp === 'take' || r.curOp === 'put') && r.lastPhase && ['signalled', 'wait-begin', 'wait-timeout', 'wait-end'].includes(r.lastPhase) && p.threads.some(waiting))
      return r.curOp === 'take' ? `waits for a value in take (op ${r.curOpId}, box empty)` : `waits for room in put (op ${r.curOpId}, box full)`;
    if (t) return `waits on ${t.report.futex?.field ?? t.report.futex?.addr}`;
    const shared = p.threads.find((x) => waiting(x) && !x.futex!.private && x.mapping !== null && isShared(x.mapping));
    if (shared && !p.run) return `waits on a shared futex at ${shared.report.futex?.field ?? shared.report.futex?.addr}`;
    return null;
  };
  const boxOp = (p: ProcFacts | undefined) => {
    const r = p?.run;
    return r && (r.curOp === 'take' || r.curOp === 'put') && boxWait(p!) ? r.curOp : null;
  };

  const holders = new Map<string, Holder>();
  for (const [name, view] of mutexViews) {
    const d = primitives.get(name);
    if (!view.locked || !view.ownerTid || !d) continue;
    holders.set(name, { view, ownerPid: d.ownerPid ?? null, alive: d.ownerAlive ?? false });
  }

  const mutexEdges = new Map<number, { to: number; mutex: string }>();
  for (const p of procs) {
    const mw = mutexWait(p);
    const h = mw ? holders.get(mw.name) : undefined;
    if (mw && h?.alive && h.ownerPid !== null && h.ownerPid !== p.pid) mutexEdges.set(p.pid, { to: h.ownerPid, mutex: mw.name });
  }
  const cycles = findCycles(mutexEdges);
  const threadCycles = graph.cycles as ThreadFacts[][];

  const incomplete = procs.flatMap((p) => {
    const unreadable = p.threads.filter((t) => t.activity === 'unreadable').length;
    const what = [...new Set(p.raw.errors.map((e) => e.replace(/^task\/\d+\//, '')))];
    if (!what.length && !unreadable) return [];
    const access = input.access?.[p.pid];
    return [
      `${label(p.pid)}: could not read ${what.slice(0, 4).join('; ')}${what.length > 4 ? `; and ${what.length - 4} more` : ''}${unreadable ? ` (${unreadable} of ${p.threads.length} thread(s) not inspected)` : ''}${access ? `: ${access}` : ''}`,
    ];
  });

  return {
    probe,
    run,
    procs,
    primitives,
    holders,
    mutexEdges,
    cycles,
    threadCycles,
    inCycle: new Set([...cycles.flat(), ...threadCycles.flat().map((t) => t.pid)]),
    stuck: allThreads.filter((t) => t.stuck),
    incomplete,
    hangEvidence: input.hangEvidence ?? null,
    procOf: (pid) => byPid.get(pid),
    threadsOf,
    label,
    threadLine: (p, t) =>
      `${label(p.pid)} tid ${t.report.tid} [${t.report.state} ${t.report.wchan ?? ''}]: ${t.report.syscall}${t.report.futex?.field ? ` on ${t.report.futex.field}` : ''}${t.report.futex?.mapping ? ` in ${t.report.futex.mapping.path || 'anonymous memory'}+${hex(t.report.futex.mapping.offset)}` : ''}${t.wait && (!t.futex || !t.report.futex?.field) ? ` on ${t.wait.on}` : ''}`,
    // In our runs the deadline has passed: every live process that has not
    // finished its protocol is part of the hang, whatever its stall class says.
    relevant: (p) => !p.run || (!p.run.exit && !p.run.finished),
    stopped,
    untimedBlocked,
    privateShared,
    mutexWait,
    boxWait,
    boxOp,
  };
}

/** Every cycle of a functional graph (each node has at most one out-edge), ordered from its smallest node. */
export function findCycles(edges: Map<number, { to: number }>): number[][] {
  const seen = new Set<string>();
  const cycles: number[][] = [];
  for (const start of edges.keys()) {
    const path: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !path.includes(cur)) {
      path.push(cur);
      cur = edges.get(cur)?.to;
    }
    if (cur === undefined) continue;
    const cycle = path.slice(path.indexOf(cur));
    const min = Math.min(...cycle);
    const ordered = [...cycle.slice(cycle.indexOf(min)), ...cycle.slice(0, cycle.indexOf(min))];
    const key = ordered.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    cycles.push(ordered);
  }
  return cycles;
}
