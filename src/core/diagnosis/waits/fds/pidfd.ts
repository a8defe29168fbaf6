// A pidfd: readable when its process exits, so that process is who ends the wait.
import { hidden, known, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';

export function pidfdWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const pid = Number(/^Pid:\s*(-?\d+)/m.exec(q.fd.info ?? '')?.[1] ?? NaN);
  const base = { kind: 'pidfd' as const, timed: false, on: `pidfd (fd ${q.fd.fd}) of pid ${Number.isFinite(pid) ? pid : '?'} to exit`, key: `pidfd:${pid}` };
  if (!Number.isFinite(pid) || pid <= 0) return hidden(base, 'which process it refers to could not be read (fdinfo)');
  return known({ ...base, on: `pidfd (fd ${q.fd.fd}): ${ctx.label(pid)} to exit` }, [{ pid, tid: null }], `${ctx.label(pid)}, by exiting`, true);
}
