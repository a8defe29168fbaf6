// An eventfd: a read waits for a write (its counter is 0), a write for a read
// (its counter would overflow). Only the holders of this eventfd can do
// either: the threads of every process that holds it (siblings, in the
// waiter's own process) — a runtime's private wake-up fd is held by its own
// process alone.
import { hidden, holderNames, holderWakers, known, orByHandler, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';
import { sameObjectHolders } from './anon.js';

export function eventfdWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const { pids, unsure } = sameObjectHolders(ctx, q, 'eventfd');
  const base = { kind: 'eventfd' as const, timed: false, on: `eventfd (fd ${q.fd.fd}), ${q.want === 'read' ? 'reading (count 0)' : 'writing (count full)'}`, key: `eventfd:${q.raw.pid}:${q.fd.fd}:${q.want}` };
  if (unsure.length) return hidden(base, `could not tell whether ${holderNames(ctx, q.raw.pid, unsure)} hold this eventfd (kcmp refused)`);
  const facts = known(base, holderWakers(ctx, q.raw.pid, q.tid, pids), `holders of the eventfd: ${holderNames(ctx, q.raw.pid, pids)}`, true);
  return orByHandler(ctx, q.raw.pid, pids, facts);
}
