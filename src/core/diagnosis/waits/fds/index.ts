// Which module judges a descriptor: by the kind of object it is (its /proc
// link, its fdinfo, the file system it lives on). Used for a thread blocked
// on one descriptor (read, write, accept, …) and for each descriptor a
// multiplexer (epoll, poll, select) watches.
import type { FdQuestion, WaitContext, WaitFacts } from '../types.js';
import { epollReady } from './epoll.js';
import { eventfdWait } from './eventfd.js';
import { mqueueWait } from './mqueue.js';
import { otherFdWait } from './other.js';
import { pidfdWait } from './pidfd.js';
import { pipeWait } from './pipe.js';
import { signalfdWait } from './signalfd.js';
import { socketWait } from './socket.js';
import { timerfdWait } from './timerfd.js';

export function fdWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const t = q.fd.target;
  if (t.startsWith('pipe:') || q.fd.fifo) return pipeWait(ctx, q);
  if (t.startsWith('socket:')) return socketWait(ctx, q);
  if (t === 'anon_inode:[eventfd]') return eventfdWait(ctx, q);
  if (t === 'anon_inode:[timerfd]') return timerfdWait(ctx, q);
  if (t === 'anon_inode:[signalfd]') return signalfdWait(ctx, q);
  if (t === 'anon_inode:[pidfd]' || t === 'anon_inode:pidfd') return pidfdWait(ctx, q);
  if (t === 'anon_inode:[eventpoll]') return epollReady(ctx, q, (x) => fdWait(ctx, x));
  if (q.mqueue || q.fd.fstype === 'mqueue') return mqueueWait(ctx, q);
  return otherFdWait(ctx, q);
}
