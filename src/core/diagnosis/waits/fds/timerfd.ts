// A timerfd: an armed timer ends the wait by itself (timed); a disarmed one
// only when someone holding it arms it (timerfd_settime): the threads of the
// processes that hold this timerfd.
import { timerSetting } from '../../../procfs/fdinfo.js';
import { hidden, holderNames, holderWakers, known, type FdQuestion, type WaitContext, type WaitFacts } from '../types.js';
import { sameObjectHolders } from './anon.js';

const ms = (ns: number) => `${Math.round(ns / 1e6)} ms`;

export function timerfdWait(ctx: WaitContext, q: FdQuestion): WaitFacts {
  const t = timerSetting(q.fd.info ?? null);
  const key = `timerfd:${q.raw.pid}:${q.fd.fd}`;
  if (t && t.valueNs > 0) {
    const how = t.intervalNs > 0 ? `a periodic timer (every ${ms(t.intervalNs)}), next expiry in ${ms(t.valueNs)}` : `a one-shot timer expiring in ${ms(t.valueNs)}`;
    return { kind: 'timerfd', timed: true, on: `timerfd (fd ${q.fd.fd}), ${how}`, key, wakers: null, wakersAre: 'its own expiry', definite: false, ...(t.intervalNs > 0 ? { periodic: true } : {}) };
  }
  const base = { kind: 'timerfd' as const, timed: false, on: `timerfd (fd ${q.fd.fd}), disarmed`, key };
  if (!t) return hidden(base, 'its settings could not be read (fdinfo)');
  const { pids, unsure } = sameObjectHolders(ctx, q, 'timerfd');
  if (unsure.length) return hidden(base, `could not tell whether ${holderNames(ctx, q.raw.pid, unsure)} hold this timerfd (kcmp refused)`);
  return known(base, holderWakers(ctx, q.raw.pid, q.tid, pids), `holders of the timerfd, who could arm it: ${holderNames(ctx, q.raw.pid, pids)}`, false);
}
