// A signalfd: readable when one of its signals is pending. Any process
// allowed to signal the reader can end the wait (and the kernel, for
// SIGCHLD and the like): never proof of a hang.
import { signalfdMask } from '../../../procfs/fdinfo.js';
import { open, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';
import { constants } from 'node:os';

const names = new Map(Object.entries(constants.signals).map(([k, v]) => [v, k]));

export function signalfdWait(_ctx: WaitContext, q: FdQuestion): WaitFacts {
  const sigs = signalfdMask(q.fd.info ?? null);
  const which = sigs?.length ? sigs.map((n) => names.get(n) ?? `signal ${n}`).join(', ') : 'its signals';
  return open(
    { kind: 'signalfd', timed: false, on: `signalfd (fd ${q.fd.fd}) for ${which}`, key: `signalfd:${q.raw.pid}:${q.fd.fd}` },
    `any process allowed to send ${which} to pid ${q.raw.pid}`,
  );
}
