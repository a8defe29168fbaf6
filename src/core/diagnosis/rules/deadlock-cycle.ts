// deadlock-cycle: each member of a cycle waits for something the next one
// holds. Two sources: (our runs) processes waiting for each other's mutexes,
// as their traces and the lock words say; (any program) cycles of the
// wait-for graph among threads stuck for good, through mutexes, pipes, file
// locks and children — threads of one process as well as processes — and,
// in a traced program, semaphores taken and not given back.
import type { Facts, ThreadFacts } from '../facts.js';
import type { Finding } from '../types.js';
import type { Rule } from './rule.js';

function processCycles(facts: Facts): Finding[] {
  return facts.cycles.map((ordered) => {
    const edge = (pid: number) => facts.mutexEdges.get(pid)!;
    const steps = ordered.map((pid) => {
      const holds = [...facts.holders].filter(([, h]) => h.ownerPid === pid).map(([n]) => n);
      return `${facts.label(pid)} holds ${holds.join(', ') || 'nothing known'} and waits for ${edge(pid).mutex}, held by ${facts.label(edge(pid).to)}`;
    });
    const stuck = ordered.every((pid) => facts.procOf(pid)?.threads.some((t) => t.stuck));
    return {
      kind: 'deadlock-cycle',
      ...(stuck ? { proof: `a cycle of untimed waits: ${ordered.map((pid) => facts.label(pid)).join(' -> ')}` } : {}),
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
}

function threadCycles(facts: Facts): Finding[] {
  const covered = new Set(facts.cycles.map((c) => [...c].sort((a, b) => a - b).join(',')));
  const out: Finding[] = [];
  for (const cycle of facts.threadCycles) {
    const pids = [...new Set(cycle.map((t) => t.pid))];
    if (covered.has([...pids].sort((a, b) => a - b).join(','))) continue;
    const oneProcess = pids.length === 1;
    const name = (t: ThreadFacts) => (oneProcess ? `thread ${t.tid}` : `${facts.label(t.pid)}${facts.procOf(t.pid)!.threads.length > 1 ? ` thread ${t.tid}` : ''}`);
    const step = (t: ThreadFacts, i: number) => `${name(t)} waits for ${t.wait!.on}, ${t.wait!.definite ? 'held' : 'taken and not posted since'} by ${name(cycle[(i + 1) % cycle.length]!)}`;
    // A futex wait is named by what the word belongs to, where that is known: "mutex", "semaphore".
    const kindOf = (t: ThreadFacts) => (t.wait!.kind === 'futex' && t.primitive && !t.primitive.guess ? (t.primitive.type === 'sem' ? 'semaphore' : t.primitive.type) : t.wait!.kind);
    const kinds = [...new Set(cycle.map(kindOf))];
    out.push({
      kind: 'deadlock-cycle',
      proof: `a cycle of waits that never end (${kinds.join(', ')}) among ${pids.length === 1 ? `the threads of ${facts.label(pids[0])}` : pids.map((p) => facts.label(p)).join(', ')}`,
      summary: `deadlock${oneProcess ? ` among the threads of ${facts.label(pids[0])}` : ''} (${kinds.join(', ')}): ${cycle.map(step).join('; ')}.`,
      pids,
      evidence: [
        ...cycle.map((t) => facts.threadLine(facts.procOf(t.pid)!, t)),
        ...cycle.map((t) => `${name(t)}: ${t.wait!.on}; can be woken by ${t.wait!.wakersAre}`),
        ...[...new Set(cycle.map((t) => t.primitive?.name).filter((n): n is string => Boolean(n)))].flatMap((n) => (facts.primitives.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
      ],
    });
  }
  return out;
}

/**
 * A priority-inheritance deadlock: the kernel refuses the lock that would
 * close the cycle with EDEADLK, and glibc parks that thread for ever (waits/
 * futex.ts recognises the park); the threads waiting for the PI mutexes it
 * holds are the rest of the cycle.
 */
function piDeadlocks(facts: Facts): Finding[] {
  const out: Finding[] = [];
  for (const parked of facts.stuck.filter((t) => t.wait?.key.startsWith('pi-park '))) {
    const p = facts.procOf(parked.pid)!;
    const waiters = facts.stuck.filter((t) => t.futex?.command.startsWith('LOCK_PI') && t.primitive?.mutex?.ownerTid === parked.tid);
    const names = [...new Set(waiters.map((t) => t.primitive!.name))];
    const rest = p.threads.filter((t) => t.stuck && t !== parked && !waiters.includes(t));
    out.push({
      kind: 'deadlock-cycle',
      proof: `thread ${parked.tid} of ${facts.label(p.pid)} was refused a priority-inheritance mutex and parked for ever by glibc, holding ${names.join(', ') || 'a PI mutex'}`,
      summary: `deadlock (priority-inheritance mutexes) among the threads of ${facts.label(p.pid)}: ${waiters.map((t) => `thread ${t.tid} waits for ${t.primitive!.name}, held by thread ${parked.tid}`).join('; ')}; thread ${parked.tid} asked the kernel for a PI mutex and was refused with EDEADLK (taking it would close a cycle), so glibc parked it for ever.`,
      pids: [p.pid],
      evidence: [
        ...[parked, ...waiters].map((t) => facts.threadLine(p, t)),
        `thread ${parked.tid}: ${parked.wait!.wakersAre}`,
        'hypothesis, the other reading: the kernel also refuses with ESRCH when the owner of a non-robust PI mutex died, and glibc parks the thread the same way',
        ...names.flatMap((n) => (facts.primitives.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
        ...rest.slice(0, 6).map((t) => `behind it: ${facts.threadLine(p, t)}`),
      ],
    });
  }
  return out;
}

export const deadlockCycle: Rule = (facts) => [...processCycles(facts), ...threadCycles(facts), ...piDeadlocks(facts)];
