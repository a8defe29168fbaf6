// lock-copied-by-fork: a thread waits for a private lock whose owner is not a
// thread of its own process. A private lock can only be unlocked from inside
// the address space it lives in, so the owner can only be the thread that held
// it in the parent when fork() copied the memory — the classic hang of a
// threaded program that forks (malloc's arena lock, a logger's mutex): the
// child waits for ever, from the first instant. One finding per lock.
import type { ThreadFacts } from '../threads.js';
import type { Finding } from '../types.js';
import type { Rule } from './rule.js';

export const lockCopiedByFork: Rule = (facts, explained) => {
  const byLock = new Map<string, ThreadFacts[]>();
  for (const t of facts.stuck) {
    if (explained.has(t.pid) || !t.wait?.copiedFrom) continue;
    byLock.set(t.wait.key, [...(byLock.get(t.wait.key) ?? []), t]);
  }
  return [...byLock.values()].map((threads): Finding => {
    const w = threads[0]!.wait!;
    const from = w.copiedFrom!;
    const owner = facts.probe.thread(from.tid ?? 0);
    const parent = from.pid ? facts.label(from.pid) : 'a process that is gone';
    const holder = `tid ${from.tid} of ${parent}`;
    const pids = [...new Set(threads.map((t) => t.pid))];
    const who = threads.length === 1 ? facts.label(threads[0]!.pid) : `${threads.length} threads of ${pids.map((p) => facts.label(p)).join(', ')}`;
    const name = threads[0]!.primitive?.name;
    return {
      kind: 'lock-copied-by-fork',
      proof: `${who} wait${threads.length === 1 ? 's' : ''} for a private lock that fork() copied while ${holder} held it: no thread of the child can ever unlock it`,
      summary: `${who} wait${threads.length === 1 ? 's' : ''} for ${w.on}, a private lock that fork() copied while ${holder} held it: it can only be unlocked from inside ${threads.length === 1 ? 'its' : 'their'} own address space, where its owner does not exist, so ${threads.length === 1 ? 'it waits' : 'they wait'} for ever (the fork-in-a-threaded-program hang).`,
      pids,
      evidence: [
        ...threads.slice(0, 8).map((t) => facts.threadLine(facts.procOf(t.pid)!, t)),
        `held at fork by ${holder}: ${owner.alive ? `alive now, in ${owner.pid === from.pid ? 'the parent' : `pid ${owner.pid}`}, state ${owner.state}` : 'that thread no longer exists'}`,
        ...(name ? (facts.primitives.get(name)?.lines ?? []).map((l) => `${name}: ${l}`) : []),
      ],
    };
  });
};
