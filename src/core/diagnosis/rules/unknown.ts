// unknown: a process blocked that no rule explains — say so, with the raw
// evidence, never nothing. Our runs: the watchdog calls it stuck. Any
// program: every thread of it is blocked without a timeout in every sample,
// none can be proven stuck, and nothing the tool can see would wake it (a
// network peer, input from outside, a signal).
import type { Facts, ProcFacts } from '../facts.js';
import type { Finding } from '../types.js';
import type { Rule } from './rule.js';

function quiet(p: ProcFacts): boolean {
  return p.threads.length > 0 && p.threads.every((t) => t.activity === 'blocked' && t.wait?.wakers === null);
}

function foreign(facts: Facts, p: ProcFacts): Finding {
  const waits = [...new Set(p.threads.map((t) => `${t.wait!.on} (${t.wait!.wakersAre})`))];
  return {
    kind: 'unknown',
    summary: `${facts.label(p.pid)} has been blocked without a timeout in every sample, in ${waits.slice(0, 3).join('; ')}${waits.length > 3 ? ` and ${waits.length - 3} more` : ''}; no rule proves it stuck, and what could wake it is outside what the tool can see.`,
    pids: [p.pid],
    evidence: p.threads.map((t) => facts.threadLine(p, t)),
  };
}

export const unknown: Rule = (facts, explained) =>
  facts.procs
    .filter((p) => !explained.has(p.pid) && (p.run ? p.run.classification === 'stuck' : quiet(p)))
    .map((p) => {
      const r = p.run;
      if (!r) return foreign(facts, p);
      return {
        kind: 'unknown',
        summary: `${facts.label(p.pid)} is stuck (no event for ${Math.round((r.sinceLastEventMs ?? 0) / 1000)}s in ${r.curOp} op ${r.curOpId}, last ${r.lastPhase}) and no known cause fits; the raw evidence follows.`,
        pids: [p.pid],
        evidence: p.threads.map((t) => facts.threadLine(p, t)),
      };
    });
