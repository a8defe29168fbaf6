// Hypotheses: what the evidence suggests but cannot prove, labelled as such.
// A System V semaphore or message queue has no holder the kernel names, only
// its last operator (sempid, msg_lspid/lrpid): when blocked processes each wait
// on an object the next one operated on last, around a cycle, they probably
// deadlock — but any process with permission could still post, so it is never
// a proof, and never a finding of its own.
import { findCycles, type Facts } from './facts.js';

export function hypotheses(facts: Facts): string[] {
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
