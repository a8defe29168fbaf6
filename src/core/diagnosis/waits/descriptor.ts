// A thread blocked on one descriptor (read, write, recv, send, accept,
// connect, mq_timedreceive, mq_timedsend): the descriptor's own module
// (fds/) says who could end the wait.
import { fdWait } from './fds/index.js';
import { fdTableCut, hidden, type Waiter, type Want, type WaitContext, type WaitFacts } from './types.js';

export function descriptorWait(ctx: WaitContext, w: Waiter, shape: { fd: number; want: Want; timed: boolean; mqueue?: true }): WaitFacts {
  const fd = w.raw.fds?.find((x) => x.fd === shape.fd);
  if (!fd)
    return hidden(
      { kind: 'other', timed: shape.timed, on: `fd ${shape.fd}`, key: `pid ${w.raw.pid} fd ${shape.fd}` },
      !w.raw.fds ? 'its descriptors could not be read' : fdTableCut(w.raw) ? `fd ${shape.fd} is beyond the descriptors read` : 'the descriptor was closed meanwhile',
    );
  const facts = fdWait(ctx, { raw: w.raw, tid: w.tid, fd, want: shape.want, depth: 0, ...(shape.mqueue ? { mqueue: true } : {}) });
  return shape.timed ? { ...facts, timed: true } : facts;
}
