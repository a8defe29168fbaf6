// epoll_wait, epoll_pwait, epoll_pwait2: the epoll instance's interest list,
// each descriptor judged by its own module (fds/epoll.ts); a timeout ends
// the wait by itself.
import { fdWait } from './fds/index.js';
import { epollReady } from './fds/epoll.js';
import { hidden, type Waiter, type WaitContext, type WaitFacts } from './types.js';

export function epollWait(ctx: WaitContext, w: Waiter, shape: { epfd: number; timed: boolean }): WaitFacts {
  const fd = w.raw.fds?.find((x) => x.fd === shape.epfd);
  const base = { kind: 'epoll' as const, timed: shape.timed, on: `epoll (fd ${shape.epfd})`, key: `epoll:${w.raw.pid}:${shape.epfd}` };
  if (!fd) return hidden(base, w.raw.fds ? 'the epoll descriptor was closed meanwhile' : 'its descriptors could not be read');
  const facts = epollReady(ctx, { raw: w.raw, tid: w.tid, fd, want: 'read', depth: 0 }, (q) => fdWait(ctx, q));
  if (!shape.timed) return facts;
  // A timeout is not a periodic timer: the wait ends by itself, whatever else could end it.
  return { ...facts, timed: true, periodic: undefined, ifQuiet: undefined, wakersAre: `its own timeout; else ${facts.wakersAre}` };
}
