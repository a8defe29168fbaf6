// no-waker: threads wait for a change that nothing able to run could make.
// Our runs: a value in the box or room in it, when every other process of the
// run is gone, stopped, deadlocked or blocked untimed. Any program: threads
// the wait-for graph proves stuck for good that no earlier rule explains,
// one finding per resource, with the state of everyone who could have woken
// them. A lost wake-up is a case of it: the signal came and went, and no one
// left can send another.
import { waiting, type Facts, type ProcFacts, type ThreadFacts } from '../facts.js';
import type { Finding, WakerRef } from '../types.js';
import type { Rule } from './rule.js';

interface Group {
  what: string;
  waiters: ProcFacts[];
  /** Every other process will never make the change. */
  final: boolean;
  /** state -> pids of the processes that could have woken them. */
  others: Map<string, number[]>;
}

/** The other processes of our run, each with why it will not make the change. */
/** `final`: it will never make the change (gone, deadlocked, stuck for good, or waiting for the same change). */
function runPeers(facts: Facts, p: ProcFacts): { pid: number; state: string; final: boolean }[] {
  const op = facts.boxOp(p);
  return facts.run!.processes
    .filter((r) => r.pid !== p.pid)
    .map((r) => {
      if (r.exit) {
        const short = r.role === 'slave' && r.exit.code === 0 && r.takes - r.puts !== 1;
        return { pid: r.pid, state: r.exit.signal ? `killed by ${r.exit.signal}` : `exited ${r.exit.code}${short ? ` after ${r.takes} take(s) and ${r.puts} put(s)` : ''}`, final: true };
      }
      const f = facts.procs.find((x) => x.pid === r.pid);
      if (!f) return { pid: r.pid, state: 'running', final: false };
      if (facts.inCycle.has(r.pid)) return { pid: r.pid, state: 'blocked without timeout (deadlock-cycle)', final: true };
      if (facts.stopped(f)) return { pid: r.pid, state: 'stopped', final: false };
      if (facts.untimedBlocked(f)) return { pid: r.pid, state: 'blocked without timeout', final: f.threads.some((t) => t.stuck) };
      // A process waiting for the same change of the box cannot cause it.
      if (op && facts.boxOp(f) === op) return { pid: r.pid, state: `waiting to ${op} as well`, final: true };
      return { pid: r.pid, state: 'running', final: false };
    });
}

/** Why a waker will not wake anyone: gone, or stuck for good itself. */
function wakerState(facts: Facts, w: WakerRef): string {
  const ts = facts.threadsOf(w);
  const who = `${facts.label(w.pid)}${w.tid !== null && (facts.procOf(w.pid)?.threads.length ?? 1) > 1 ? ` thread ${w.tid}` : ''}`;
  if (!facts.procOf(w.pid)) return `${who} ${facts.probe.thread(w.tid ?? w.pid).alive ? 'is outside the inspected processes' : 'has exited'}`;
  if (!ts.length || ts.every((t) => t.activity === 'dead')) return `${who} has exited`;
  const t = ts.find((x) => x.stuck) ?? ts[0]!;
  return `${who} is blocked for good in ${t.wait?.on ?? t.report.syscall}`;
}

/**
 * Groups whose threads only wait for another group's threads to move (a
 * definite wait: a join of a stuck thread, a mutex a stuck thread holds) are
 * consequences, put behind that group's finding when they are in its
 * processes (a thread of another process is put behind its finding by the
 * analysis, analyze.ts). Returns group key -> the key of the root it goes behind.
 */
function consequences(facts: Facts, groups: Map<string, ThreadFacts[]>): Map<string, string> {
  const groupOf = new Map<ThreadFacts, string>();
  for (const [key, threads] of groups) for (const t of threads) groupOf.set(t, key);
  const next = new Map<string, string>();
  for (const [key, threads] of groups) {
    if (!threads[0]!.wait!.definite) continue;
    const wakers = threads.flatMap((t) => t.wait!.wakers!.flatMap((x) => facts.threadsOf(x))).filter((x) => !threads.includes(x));
    const keys = new Set(wakers.map((x) => groupOf.get(x)));
    const to = keys.size === 1 ? [...keys][0] : undefined;
    if (to && wakers.every((x) => x.stuck)) next.set(key, to);
  }
  const roots = new Map<string, string>();
  for (const key of next.keys()) {
    let cur = key;
    for (let hops = 0; next.has(cur) && hops < groups.size; hops++) cur = next.get(cur)!;
    const pids = new Set(groups.get(cur)!.map((t) => t.pid));
    if (!next.has(cur) && groups.get(key)!.every((t) => pids.has(t.pid))) roots.set(key, cur);
  }
  return roots;
}

/** Any program: stuck threads, one finding per resource. A parent in wait4 for a stuck child is left to be "behind" it. */
function graphGroups(facts: Facts, explained: ReadonlyMap<number, string>, taken: Set<number>): Finding[] {
  const groups = new Map<string, ThreadFacts[]>();
  for (const t of facts.stuck) {
    if (explained.has(t.pid) || taken.has(t.pid)) continue;
    if (t.wait!.kind === 'child' && t.wait!.wakers!.some((w) => facts.threadsOf(w).some((c) => c.stuck) || explained.has(w.pid))) continue;
    groups.set(t.wait!.key, [...(groups.get(t.wait!.key) ?? []), t]);
  }
  const behind = consequences(facts, groups);
  return [...groups].flatMap(([key, threads]) => {
    if (behind.has(key)) return [];
    const pids = [...new Set(threads.map((t) => t.pid))];
    const w = threads[0]!.wait!;
    const wakers = [...new Map(threads.flatMap((t) => t.wait!.wakers!).map((x) => [`${x.pid}:${x.tid}`, x])).values()].filter((x) => !threads.some((t) => t.pid === x.pid && (x.tid === null || x.tid === t.tid)));
    const states = wakers.map((x) => wakerState(facts, x));
    const one = threads.length === 1;
    const who = one ? `${facts.label(threads[0]!.pid)}${facts.procOf(threads[0]!.pid)!.threads.length > 1 ? ` thread ${threads[0]!.tid}` : ''}` : `${threads.length} threads of ${pids.length} process(es)`;
    const shown = states.length > 4 ? [...states.slice(0, 4), `and ${states.length - 4} more`] : states;
    const after = [...behind].filter(([, root]) => root === key).flatMap(([k]) => groups.get(k)!);
    // A semaphore used as a lock whose taker is gone: the culprit, from the trace.
    const goneTakers = (w.takenBy ?? []).filter((x) => !facts.probe.thread(x.tid ?? x.pid).alive);
    const culprit = goneTakers.length ? ` It was taken by ${goneTakers.map((x) => `${facts.label(x.pid)} tid ${x.tid}`).join(', ')}, which no longer exist${goneTakers.length === 1 ? 's' : ''}, and never posted.` : '';
    return [
      {
        kind: 'no-waker',
        proof: `${who} wait${one ? 's' : ''} without a timeout for ${w.on}, and nothing that could wake ${one ? 'it' : 'them'} can ever run`,
        summary: `${who} wait${one ? 's' : ''} without a timeout for ${w.on}, but nothing ${shown.length ? `that could wake ${one ? 'it' : 'them'} can run: it can be woken by ${w.wakersAre}, and ${shown.join('; ')}` : w.wakersAre.startsWith('nobody: ') ? `can wake ${one ? 'it' : 'them'}: ${w.wakersAre.slice('nobody: '.length)}` : `can wake ${one ? 'it' : 'them'}: only ${w.wakersAre} could, and no such thread is left`}.${culprit}`,
        pids,
        threads: threads.map((t) => ({ pid: t.pid, tid: t.tid })),
        evidence: [
          ...threads.slice(0, 8).map((t) => facts.threadLine(facts.procOf(t.pid)!, t)),
          ...states.map((x) => `waker: ${x}`),
          ...threads.flatMap((t) => t.wait!.notes ?? []),
          ...after.slice(0, 8).map((t) => `behind it: ${facts.threadLine(facts.procOf(t.pid)!, t)}`),
        ],
      },
    ];
  });
}

export const noWaker: Rule = (facts, explained) => {
  const groups = new Map<string, Group>();
  for (const p of facts.procs.filter((x) => x.run && facts.relevant(x) && !explained.has(x.pid))) {
    const what = facts.boxWait(p);
    if (!what) continue;
    const op = facts.boxOp(p);
    const others = runPeers(facts, p);
    if (others.some((o) => o.state === 'running')) continue;
    const key = op ?? what;
    const g: Group = groups.get(key) ?? { what: op ? (op === 'take' ? 'wait for a value (box empty)' : 'wait for room (box full)') : what, waiters: [], final: true, others: new Map() };
    g.waiters.push(p);
    g.final &&= others.every((o) => o.final);
    for (const o of others) {
      if (g.waiters.some((w) => w.pid === o.pid)) continue;
      g.others.set(o.state, [...new Set([...(g.others.get(o.state) ?? []), o.pid])]);
    }
    groups.set(key, g);
  }
  const runFindings = [...groups.values()].map((g): Finding => {
    const waiterPids = g.waiters.map((w) => w.pid);
    for (const [state, pids] of g.others) {
      const rest = pids.filter((x) => !waiterPids.includes(x));
      if (rest.length) g.others.set(state, rest);
      else g.others.delete(state);
    }
    const one = g.waiters.length === 1;
    const who = one ? `${facts.label(g.waiters[0]!.pid)} ${facts.boxWait(g.waiters[0]!)}` : `${g.waiters.length} processes ${g.what}: ${g.waiters.map((w) => facts.label(w.pid)).join(', ')};`;
    const rest = [...g.others].map(([st, pids]) => `${pids.length <= 3 ? pids.map((x) => facts.label(x)).join(', ') : `${pids.length} processes`} ${st}`);
    return {
      kind: 'no-waker',
      // Our protocol retries for ever, so a wait nobody will ever answer never ends, timed or not.
      ...(g.final ? { proof: `${g.waiters.length} process(es) ${g.what}, and every other process of the run is gone or will never act` } : {}),
      summary: `${who}${one ? ',' : ''} but no process that could wake ${one ? 'it' : 'them'} can run: ${rest.length ? rest.join('; ') : 'no other process maps the memory'}.`,
      pids: waiterPids,
      evidence: [
        ...g.waiters.flatMap((w) => {
          const t = w.threads.find(waiting);
          return [
            ...(t ? [facts.threadLine(w, t)] : []),
            ...(w.run ? [`${facts.label(w.pid)}: ${w.run.waitTimeouts} wait timeouts, last event ${w.run.lastOp} ${w.run.lastPhase}`] : []),
          ];
        }),
        ...[...g.others].map(([st, pids]) => `${st}: ${pids.map((x) => facts.label(x)).join(', ')}`),
      ],
    };
  });
  const taken = new Set(runFindings.flatMap((f) => f.pids));
  return [...runFindings, ...graphGroups(facts, explained, taken)];
};
