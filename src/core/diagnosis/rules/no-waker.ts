// no-waker: processes wait for a change (a value in the box, room in it, a
// shared futex word) that no process able to run could make: every other
// process that could is gone, stopped, in a deadlock or blocked untimed.
import { isShared } from '../../procfs/decode.js';
import { waiting, type Facts, type ProcFacts } from '../facts.js';
import type { Rule } from './rule.js';

interface Group {
  what: string;
  waiters: ProcFacts[];
  /** state -> pids of the processes that could have woken them. */
  others: Map<string, number[]>;
}

/** The other processes of our run, each with why it will not make the change. */
function runPeers(facts: Facts, p: ProcFacts): { pid: number; state: string }[] {
  const op = facts.boxOp(p);
  return facts.run!.processes
    .filter((r) => r.pid !== p.pid)
    .map((r) => {
      if (r.exit) {
        const short = r.role === 'slave' && r.exit.code === 0 && r.takes - r.puts !== 1;
        return { pid: r.pid, state: r.exit.signal ? `killed by ${r.exit.signal}` : `exited ${r.exit.code}${short ? ` after ${r.takes} take(s) and ${r.puts} put(s)` : ''}` };
      }
      const f = facts.procs.find((x) => x.pid === r.pid);
      if (!f) return { pid: r.pid, state: 'running' };
      if (facts.inCycle.has(r.pid)) return { pid: r.pid, state: 'blocked without timeout (deadlock-cycle)' };
      if (facts.stopped(f)) return { pid: r.pid, state: 'stopped' };
      if (facts.untimedBlocked(f)) return { pid: r.pid, state: 'blocked without timeout' };
      // A process waiting for the same change of the box cannot cause it.
      if (op && facts.boxOp(f) === op) return { pid: r.pid, state: `waiting to ${op} as well` };
      return { pid: r.pid, state: 'running' };
    });
}

/** Any program: the other processes that map the shared object the process waits in. */
function sharers(facts: Facts, p: ProcFacts): { pid: number; state: string }[] | null {
  const t = p.threads.find((x) => waiting(x) && x.mapping !== null && isShared(x.mapping));
  if (!t || !t.mapping) return null;
  return facts.probe
    .sharers(t.mapping.dev, t.mapping.inode)
    .filter((s) => s !== p.pid)
    .map((s) => {
      const f = facts.procs.find((x) => x.pid === s);
      if (!facts.probe.thread(s).alive) return { pid: s, state: 'exited' };
      if (f && (facts.inCycle.has(s) || facts.untimedBlocked(f))) return { pid: s, state: 'blocked without timeout' };
      return { pid: s, state: 'running' };
    });
}

export const noWaker: Rule = (facts, explained) => {
  const groups = new Map<string, Group>();
  for (const p of facts.procs.filter((x) => facts.relevant(x) && !explained.has(x.pid))) {
    const what = facts.boxWait(p);
    if (!what) continue;
    const op = facts.boxOp(p);
    const others = facts.run ? runPeers(facts, p) : sharers(facts, p);
    if (!others || others.some((o) => o.state === 'running')) continue;
    const key = op ?? what;
    const g: Group = groups.get(key) ?? { what: op ? (op === 'take' ? 'wait for a value (box empty)' : 'wait for room (box full)') : what, waiters: [], others: new Map() };
    g.waiters.push(p);
    for (const o of others) {
      if (g.waiters.some((w) => w.pid === o.pid)) continue;
      g.others.set(o.state, [...new Set([...(g.others.get(o.state) ?? []), o.pid])]);
    }
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => {
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
};
