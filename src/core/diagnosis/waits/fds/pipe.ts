// A pipe or a FIFO: a reader waits for a writer, a writer (the buffer full)
// for a reader. Who can end it: the threads of every process holding the
// other end (in the waiter's own process, its siblings). A read only blocks
// while some writer exists (with none it returns end-of-file at once), so a
// blocked reader whose writers the tool cannot find has one it cannot see.
import { fdAccess } from '../../../procfs/decode.js';
import { hidden, holderNames, holderWakers, known, orByHandler, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';

export function pipeWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const fifo = q.fd.fifo ?? null;
  const object = fifo ? `fifo:${fifo}` : q.fd.target;
  const name = fifo ? `FIFO ${q.fd.target}` : q.fd.target;
  const wanted = q.want === 'read' ? 'write' : 'read';
  const holders = ctx.probe.fdHolders(object).filter((h) => {
    const a = fdAccess(h.flags);
    return a === wanted || a === 'read-write' || a === null;
  });
  const pids = holders.map((h) => h.pid);
  const base = {
    kind: fifo ? ('fifo' as const) : ('pipe' as const),
    timed: false,
    on: `${name}, ${q.want === 'read' ? 'reading (empty)' : 'writing (full)'} on fd ${q.fd.fd}`,
    key: `${object}:${q.want}`,
  };
  if (!pids.length)
    return hidden(base, `its ${wanted} end is held by no process the tool may read; the kernel would have ended the wait if nobody held it, so a process the tool cannot see does`);
  const facts = known(base, holderWakers(ctx, q.raw.pid, q.tid, pids), `holders of its ${wanted} end: ${holderNames(ctx, q.raw.pid, pids)}`, true);
  return orByHandler(ctx, q.raw.pid, pids, facts);
}
