// nanosleep, clock_nanosleep: the wait ends by itself.
import { syscallName } from '../syscalls.js';
import type { Waiter, WaitContext, WaitFacts } from './types.js';

export function sleepWait(_ctx: WaitContext, w: Waiter): WaitFacts {
  return { kind: 'sleep', timed: true, on: syscallName(w.nr), key: `sleep ${w.raw.pid}:${w.tid}`, wakers: null, wakersAre: 'its own timeout', definite: false };
}
