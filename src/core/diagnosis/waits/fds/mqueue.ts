// A POSIX message queue: a receiver waits for a sender, a sender (the queue
// full) for a receiver. Who can: the threads of every process that has the
// queue open for that (its siblings, in the waiter's own process). A queue
// with a name may also be opened later by any process allowed to; the tool
// judges the processes that exist.
import { fdAccess } from '../../../procfs/decode.js';
import { hidden, holderNames, holderWakers, known, orByHandler, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';

export function mqueueWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const wanted = q.want === 'read' ? 'write' : 'read';
  const base = { kind: 'mqueue' as const, timed: false, on: `message queue ${q.fd.target}, ${q.want === 'read' ? 'receiving (empty)' : 'sending (full)'} on fd ${q.fd.fd}`, key: `mq:${q.fd.object ?? q.fd.target}:${q.want}` };
  if (!q.fd.object) return hidden(base, 'the queue could not be identified (stat refused)');
  const holders = ctx.probe.fdHolders(`inode:${q.fd.object}`).filter((h) => {
    const a = fdAccess(h.flags);
    return a === wanted || a === 'read-write' || a === null;
  });
  const pids = holders.map((h) => h.pid);
  const who = `processes that have it open to ${q.want === 'read' ? 'send' : 'receive'}`;
  const facts = known(base, holderWakers(ctx, q.raw.pid, q.tid, pids), pids.length ? `${who}: ${holderNames(ctx, q.raw.pid, pids)}` : `${who}: none`, true);
  return orByHandler(ctx, q.raw.pid, pids, facts);
}
