// The wait of one blocked thread: which module answers, by the system call it
// sleeps in (syscalls.ts gives its shape). One module per kind of wait; a new
// kind is one new file here and one line below.
import type { FutexLocation } from '../primitives.js';
import type { WaitShape } from '../syscalls.js';
import { childWait } from './child.js';
import { descriptorWait } from './descriptor.js';
import { epollWait } from './epoll.js';
import { fileLockWait } from './file-lock.js';
import { futexWait, type FutexContext } from './futex.js';
import { otherWait } from './other.js';
import { pollWait } from './poll.js';
import { signalWait } from './signal.js';
import { sleepWait } from './sleep.js';
import { sysvMsgWait } from './sysv-msg.js';
import { sysvSemWait } from './sysv-sem.js';
import type { Waiter, WaitFacts } from './types.js';

/** The wait of one blocked thread, or null when it is not waiting (a futex wake or unlock, a call that does not block). */
export function waitOf(ctx: FutexContext, w: Waiter, shape: WaitShape, futex: { where: FutexLocation; word: number | null } | null): WaitFacts | null {
  switch (shape.kind) {
    case 'futex':
      return shape.futex.waits && futex ? futexWait(ctx, w, shape.futex, futex.where, futex.word) : null;
    case 'fd':
      return descriptorWait(ctx, w, shape);
    case 'epoll':
      return epollWait(ctx, w, shape);
    case 'poll':
      return pollWait(ctx, w, shape);
    case 'sysv-sem':
      return sysvSemWait(ctx, w, shape);
    case 'sysv-msg':
      return sysvMsgWait(ctx, w, shape);
    case 'file-lock':
      return fileLockWait(ctx, w, shape);
    case 'child':
      return childWait(ctx, w, shape.which);
    case 'signal':
      return signalWait(ctx, w, shape.timed);
    case 'sleep':
      return sleepWait(ctx, w);
    case 'other':
      return otherWait(ctx, w);
  }
}
