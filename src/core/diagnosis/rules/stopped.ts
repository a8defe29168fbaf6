// stopped: a process is frozen (SIGSTOP or a tracer); whoever waits for a
// mutex it holds waits as long as it stays stopped.
import { parseStatus } from '../../procfs/decode.js';
import type { Rule } from './rule.js';

export const stopped: Rule = (facts) =>
  facts.procs.filter(facts.stopped).map((s) => {
    const held = [...facts.holders].filter(([, h]) => h.ownerPid === s.pid).map(([n]) => n);
    const waiters = facts.procs.filter((p) => p !== s && facts.relevant(p) && held.includes(facts.mutexWait(p)?.name ?? ''));
    const tracer = parseStatus(s.raw.status).TracerPid;
    const how = tracer && tracer !== '0' ? `traced by pid ${tracer}` : 'SIGSTOP';
    return {
      kind: 'stopped',
      summary: `${facts.label(s.pid)} is stopped (${how})${held.length ? ` while it holds ${held.join(', ')}` : ''}${waiters.length ? `; ${waiters.length} process(es) wait for it: ${waiters.map((w) => facts.label(w.pid)).join(', ')}` : ''}.`,
      pids: [s.pid, ...waiters.map((w) => w.pid)],
      evidence: [
        ...s.threads.map((t) => facts.threadLine(s, t)),
        ...held.flatMap((n) => (facts.primitives.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
        ...waiters.map((w) => {
          const mw = facts.mutexWait(w)!;
          return mw.thread
            ? facts.threadLine(w, mw.thread)
            : `${facts.label(w.pid)}: last event ${w.run?.lastOp} ${w.run?.lastPhase} (acquiring ${mw.name}), ${w.run?.lockTimeouts} lock timeouts`;
        }),
      ],
    };
  });
