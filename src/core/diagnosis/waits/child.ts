// wait4 / waitid: the child (or any child) exiting ends the wait, so the
// children are its wakers and, holding the answer, definite ones.
import { known, type Waiter, type WaitContext, type WaitFacts } from './types.js';

export function childWait(ctx: WaitContext, w: Waiter, which: number): WaitFacts {
  const pid = w.raw.pid;
  const children = which > 0 ? [which] : ctx.probe.children(pid);
  const list = children.length > 4 ? `${children.slice(0, 3).join(', ')} and ${children.length - 3} more` : children.join(', ');
  return known(
    { kind: 'child', timed: false, on: which > 0 ? `child ${which} to exit` : `a child to exit (${children.length ? list : 'none left'})`, key: `children of ${pid}` },
    children.map((c) => ({ pid: c, tid: null })),
    `its ${which > 0 ? 'child' : 'children'}`,
    true,
  );
}
