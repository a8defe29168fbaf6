// One wait on several descriptors (epoll, poll, select): it ends when any of
// them is ready, so it can be ended by anyone who could end any one of them.
//   any target open to anyone          -> open (never proof)
//   else any target not visible        -> not visible
//   else any target ends by itself     -> timed (a periodic timer says so)
//   else                               -> the union of every target's wakers
// An empty set with no timeout waits for nothing the processes can do.
import type { FdRaw } from '../../../procfs/capture.js';
import { fdAccess } from '../../../procfs/decode.js';
import { hidden, known, open, type Want, type WaitBase, type WaitFacts } from '../types.js';

/**
 * A descriptor watched for neither reading nor writing still reports a
 * hang-up or an error, which the other end's holders cause: a pipe's write
 * end hears of its readers (as a write would), anything else of its writers
 * or peer (as a read would).
 */
export const hangupWant = (fd: FdRaw): Want => (fdAccess(fd.flags) === 'write' ? 'write' : 'read');

export interface Judged {
  fd: number;
  facts: WaitFacts;
}

const describe = (j: Judged) => `fd ${j.fd}: ${j.facts.on}`;

export function combine(base: WaitBase, judged: Judged[]): WaitFacts {
  const on = judged.length ? `${base.on} on ${judged.length} descriptor(s): ${judged.slice(0, 4).map(describe).join('; ')}${judged.length > 4 ? `; and ${judged.length - 4} more` : ''}` : `${base.on} on no descriptor`;
  const b = { ...base, on };
  const unseen = judged.find((j) => j.facts.reach === 'hidden');
  // Were nothing outside to act, every descriptor's own quiet wakers (unset where one is not visible).
  const quiet = unseen ? undefined : judged.flatMap((j) => j.facts.ifQuiet ?? j.facts.wakers ?? []);
  const opened = judged.find((j) => j.facts.reach === 'open');
  if (opened) return open(b, `${opened.facts.wakersAre} (fd ${opened.fd})`, quiet ? { ifQuiet: quiet } : { ifQuiet: undefined });
  if (unseen) return hidden(b, `fd ${unseen.fd}: ${unseen.facts.wakersAre}`);
  const timer = judged.find((j) => j.facts.timed);
  if (timer)
    return {
      ...b,
      timed: true,
      wakers: null,
      wakersAre: `fd ${timer.fd}: ${timer.facts.on}`,
      definite: false,
      ...(judged.filter((j) => j.facts.timed).every((j) => j.facts.periodic) ? { periodic: true } : {}),
      // What else could end it, were its self-re-arming timers set aside (a hypothesis's grounds, hypotheses.ts).
      ...(judged.every((j) => j.facts.timed || j.facts.wakers) ? { ifQuiet: judged.flatMap((j) => (j.facts.timed ? [] : (j.facts.wakers ?? []))) } : {}),
    };
  const wakers = [...new Map(judged.flatMap((j) => j.facts.wakers ?? []).map((w) => [`${w.pid}:${w.tid}`, w])).values()];
  // Its wakers hold what it waits on when every descriptor's do (pipes, sockets, eventfds): a cycle can run through it.
  const definite = judged.length > 0 && judged.every((j) => j.facts.definite);
  return known(b, wakers, judged.length ? judged.map((j) => `fd ${j.fd}: ${j.facts.wakersAre}`).join('; ') : 'nobody: it watches no descriptor', definite);
}
