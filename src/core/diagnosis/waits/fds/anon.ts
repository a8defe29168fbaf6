// Who else holds *this* eventfd, timerfd or signalfd. /proc names every such
// descriptor only by its kind ("anon_inode:[timerfd]"); an eventfd carries an
// id in its fdinfo (kernel 5.19+), the others are told apart by asking the
// kernel whether two descriptors are one open file description (kcmp).
import { eventfdId } from '../../../procfs/fdinfo.js';
import type { FdQuestion, WaitContext } from '../types.js';

/** The pids holding the same object as q.fd (the waiter's own process included when it does), and whether the answer is complete. */
export function sameObjectHolders(ctx: WaitContext, q: FdQuestion, kind: string): { pids: number[]; unsure: number[] } {
  const id = kind === 'eventfd' ? eventfdId(q.fd.info ?? null) : null;
  if (id !== null) return { pids: ctx.probe.fdHolders(`eventfd:${id}`).map((h) => h.pid), unsure: [] };
  const pids: number[] = [q.raw.pid];
  const unsure: number[] = [];
  for (const h of ctx.probe.fdHolders(`anon:[${kind}]`)) {
    if (h.pid === q.raw.pid && h.fd === q.fd.fd) continue;
    const same = ctx.probe.sameFile(q.raw.pid, q.fd.fd, h.pid, h.fd);
    if (same) pids.push(h.pid);
    else if (same === null) unsure.push(h.pid);
  }
  return { pids: [...new Set(pids)], unsure: [...new Set(unsure)] };
}
