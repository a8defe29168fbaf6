// Descriptors whose waker is outside the processes: a terminal or device
// (someone types, hardware answers), inotify and its like (anyone who touches
// the watched files), and a regular file (a read waits only for the storage
// under it). None can be stuck for good in the tool's sense: who ends the
// wait is not a thread the tool can name.
import { hidden, open, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';

export function otherFdWait(_ctx: WaitContext, q: FdQuestion): WaitFacts {
  const base = { kind: 'file' as const, timed: false, on: `${q.fd.target}, ${q.want}ing on fd ${q.fd.fd}`, key: `pid ${q.raw.pid} fd ${q.fd.fd}` };
  const anon = /^anon_inode:\[?([\w-]+)\]?$/.exec(q.fd.target)?.[1];
  if (anon) return open(base, `events from outside the inspected processes (${anon})`);
  if (q.fd.target.startsWith('/dev/')) return open(base, `input from ${q.fd.target} (a terminal or device)`);
  if (q.fd.target.startsWith('/')) return hidden(base, `the storage under ${q.fd.target} (I/O in the kernel)`);
  return hidden(base, `a ${q.fd.target.split(':')[0]} descriptor, of a kind the tool does not follow`);
}
