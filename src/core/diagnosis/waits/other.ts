// Any system call no module knows: what could end it is not visible to the
// tool, and it says so rather than guess.
import { syscallName } from '../syscalls.js';
import { hidden, type Waiter, type WaitContext, type WaitFacts } from './types.js';

export function otherWait(_ctx: WaitContext, w: Waiter): WaitFacts {
  const name = syscallName(w.nr);
  return hidden({ kind: 'other', timed: false, on: name, key: `pid ${w.raw.pid} tid ${w.tid} ${name}` }, `what ends ${name} is not something the tool follows`);
}
