// pause, sigsuspend, sigwait/sigtimedwait: waiting for a signal. Any process
// allowed to signal it can end the wait (and the kernel, for SIGCHLD and its
// like): open, never proof of a hang.
import { syscallName } from '../syscalls.js';
import { open, type Waiter, type WaitContext, type WaitFacts } from './types.js';

export function signalWait(_ctx: WaitContext, w: Waiter, timed: boolean): WaitFacts {
  const name = syscallName(w.nr);
  return open({ kind: 'signal', timed, on: `${name} (a signal)`, key: `signal ${w.raw.pid}:${w.tid}` }, `any process allowed to signal pid ${w.raw.pid}${timed ? ', or its own timeout' : ''}`);
}
