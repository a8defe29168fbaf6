// unknown: (our runs) the watchdog calls a process stuck and no rule before
// this one explains it: say so, with the raw evidence, never nothing.
import type { Rule } from './rule.js';

export const unknown: Rule = (facts, explained) =>
  facts.procs
    .filter((p) => p.run?.classification === 'stuck' && !explained.has(p.pid))
    .map((p) => {
      const r = p.run!;
      return {
        kind: 'unknown',
        summary: `${facts.label(p.pid)} is stuck (no event for ${Math.round((r.sinceLastEventMs ?? 0) / 1000)}s in ${r.curOp} op ${r.curOpId}, last ${r.lastPhase}) and no known cause fits; the raw evidence follows.`,
        pids: [p.pid],
        evidence: p.threads.map((t) => facts.threadLine(p, t)),
      };
    });
