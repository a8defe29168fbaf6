// deadlock-cycle: each process of a cycle waits for a mutex the next one
// holds. The cycles themselves are facts (facts.cycles); this names them.
import type { Rule } from './rule.js';

export const deadlockCycle: Rule = (facts) =>
  facts.cycles.map((ordered) => {
    const edge = (pid: number) => facts.mutexEdges.get(pid)!;
    const steps = ordered.map((pid) => {
      const holds = [...facts.holders].filter(([, h]) => h.ownerPid === pid).map(([n]) => n);
      return `${facts.label(pid)} holds ${holds.join(', ') || 'nothing known'} and waits for ${edge(pid).mutex}, held by ${facts.label(edge(pid).to)}`;
    });
    return {
      kind: 'deadlock-cycle',
      summary: `deadlock: ${ordered.map((pid) => `${facts.label(pid)} waits for ${edge(pid).mutex} held by ${facts.label(edge(pid).to)}`).join('; ')}.`,
      pids: ordered,
      evidence: [
        ...steps,
        ...ordered.flatMap((pid) => {
          const p = facts.procs.find((x) => x.pid === pid);
          const t = p ? facts.mutexWait(p)?.thread : null;
          return p && t ? [facts.threadLine(p, t)] : [];
        }),
        ...[...new Set(ordered.map((pid) => edge(pid).mutex))].flatMap((n) => (facts.primitives.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
      ],
    };
  });
