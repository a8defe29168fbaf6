// owner-died: processes wait for a mutex whose owner thread no longer exists.
// One finding per mutex.
import type { ProcFacts } from '../facts.js';
import type { Rule } from './rule.js';

export const ownerDied: Rule = (facts, explained) => {
  const deadOwners = new Map<string, ProcFacts[]>();
  for (const p of facts.procs.filter((x) => facts.relevant(x) && !explained.has(x.pid))) {
    const mw = facts.mutexWait(p);
    const h = mw ? facts.holders.get(mw.name) : undefined;
    if (mw && h && !h.alive) deadOwners.set(mw.name, [...(deadOwners.get(mw.name) ?? []), p]);
  }
  return [...deadOwners].map(([name, waiters]) => {
    const h = facts.holders.get(name)!;
    const owner = facts.run?.processes.find((r) => r.pid === h.ownerPid);
    const how = owner?.exit ? (owner.exit.signal ? ` (killed by ${owner.exit.signal})` : ` (exited ${owner.exit.code})`) : '';
    // Nobody can unlock a non-robust mutex whose owner is gone; our protocol's lockers retry for ever.
    const hopeless = !h.view.robust && (facts.run !== undefined || waiters.some((w) => w.threads.some((t) => t.stuck)));
    return {
      kind: 'owner-died',
      ...(hopeless ? { proof: `the owner of the non-robust ${name} is gone: no one can ever unlock it` } : {}),
      summary: `${name} is held by tid ${h.view.ownerTid}${h.ownerPid ? `, ${facts.label(h.ownerPid)},` : ''} which no longer exists${how}; ${h.view.robust ? 'the mutex is robust but no waiter has recovered it' : 'the mutex is not robust, so no locker will ever get EOWNERDEAD'}: ${waiters.length} process(es) wait for an owner that will never unlock it.`,
      pids: waiters.map((w) => w.pid),
      evidence: [
        ...(facts.primitives.get(name)?.lines ?? h.view.lines).map((l) => `${name}: ${l}`),
        ...waiters.map((w) => {
          const mw = facts.mutexWait(w)!;
          return mw.thread ? facts.threadLine(w, mw.thread) : `${facts.label(w.pid)}: last event ${w.run?.lastOp} ${w.run?.lastPhase}, ${w.run?.lockTimeouts} lock timeouts`;
        }),
      ],
    };
  });
};
