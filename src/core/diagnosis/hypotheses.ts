// Hypotheses: what the evidence suggests but cannot prove, labelled as such,
// never a finding and never a proof.
//   - A System V semaphore or message queue has no holder the kernel names,
//     only its last operator (sempid, msg_lspid/lrpid): blocked processes each
//     waiting on an object the next one operated on last, around a cycle,
//     probably deadlock — but any process with permission could still post.
//   - Threads that are not stuck for good only because something outside could
//     still act — a new client connecting to a listening socket, a signal, input
//     — would be, were nothing outside to act: the fixpoint run again with each
//     open wait's quiet wakers (WaitReport.ifQuiet). A waiting client of an
//     idle server is such a case (a Python forkserver that would report a child's
//     exit, a broker with no publisher yet): it may be a deadlock, or a wait for
//     the next client, and only the program's protocol says which.
import { findCycles, type Facts } from './facts.js';
import { solve, type GraphThread } from './graph.js';
import type { ThreadFacts } from './threads.js';

function ipcCycles(facts: Facts): string[] {
  const edges = new Map<number, { to: number; on: string }>();
  for (const t of facts.procs.flatMap((p) => p.threads)) {
    const last = t.wait?.lastOperator;
    if (t.activity !== 'blocked' || !last || last.pid === t.pid || !facts.procOf(last.pid)) continue;
    edges.set(t.pid, { to: last.pid, on: t.wait!.on });
  }
  return findCycles(edges).map(
    (cycle) =>
      `hypothesis: a deadlock through System V IPC: ${cycle.map((pid) => `${facts.label(pid)} waits on ${edges.get(pid)!.on}, last operated on by ${facts.label(edges.get(pid)!.to)}`).join('; ')} (the kernel names only each object's last operator, and any process with permission could still post: not a proof)`,
  );
}

const isOpen = (t: ThreadFacts) => t.wait?.reach === 'open' && t.wait.ifQuiet !== undefined;

function stuckUnlessOutside(facts: Facts, stuck: Set<ThreadFacts>): string[] {
  const all = facts.procs.flatMap((p) => p.threads);
  // The same graph, with every open wait judged by who could end it were nothing outside to act.
  const shadow = new Map<GraphThread, ThreadFacts>();
  for (const t of all)
    shadow.set(isOpen(t) && t.activity === 'blocked' ? { pid: t.pid, tid: t.tid, activity: 'blocked', wait: { ...t.wait!, wakers: t.wait!.ifQuiet!, reach: undefined } } : { pid: t.pid, tid: t.tid, activity: t.activity, wait: t.wait }, t);
  const g = solve([...shadow.keys()], (w) => facts.probe.thread(w.tid ?? w.pid).alive);
  const conditional = [...g.stuck].map((x) => shadow.get(x)!).filter((t) => !stuck.has(t));
  const victims = conditional.filter((t) => !isOpen(t));
  if (!victims.length) return [];
  const outside = [...new Set(conditional.filter(isOpen).map((t) => `${facts.label(t.pid)} waits for ${t.wait!.wakersAre}`))];
  const who = [...new Set(victims.map((t) => `${facts.label(t.pid)}${facts.procOf(t.pid)!.threads.length > 1 ? ` thread ${t.tid}` : ''} (${t.wait!.on})`))];
  return [
    `hypothesis: stuck for good unless something outside acts: ${who.slice(0, 6).join('; ')}${who.length > 6 ? `; and ${who.length - 6} more` : ''} — the only way out is ${outside.slice(0, 3).join('; ')}${outside.length > 3 ? '; …' : ''} (only the program's protocol says whether that would end these waits: not a proof)`,
  ];
}

export function hypotheses(facts: Facts): string[] {
  return [...ipcCycles(facts), ...stuckUnlessOutside(facts, new Set(facts.stuck))];
}
