// starving: (our runs) a process keeps timing out and retrying but completes
// no operation, as the watchdog classified it.
import { waiting } from '../facts.js';
import type { Rule } from './rule.js';

export const starving: Rule = (facts, explained) =>
  facts.procs
    .filter((p) => p.run?.classification === 'starving' && !explained.has(p.pid))
    .map((p) => {
      const r = p.run!;
      return {
        kind: 'starving',
        summary: `${facts.label(p.pid)} keeps timing out and retrying in ${r.curOp} (op ${r.curOpId}) without completing: ${r.waitTimeouts} wait and ${r.lockTimeouts} lock timeouts so far.`,
        pids: [p.pid],
        evidence: p.threads.filter(waiting).map((t) => facts.threadLine(p, t)),
      };
    });
