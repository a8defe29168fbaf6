// stopped: a process is frozen (SIGSTOP or a tracer); whoever waits for a
// mutex it holds, or for anything only it can release, waits as long as it
// stays stopped. Not a proof of a hang: anyone may continue it.
import { parseStatus } from '../../procfs/decode.js';
import type { Rule } from './rule.js';

export const stopped: Rule = (facts) =>
  facts.procs.filter(facts.stopped).map((s) => {
    const held = [...facts.holders].filter(([, h]) => h.ownerPid === s.pid).map(([n]) => n);
    // Whoever waits for a mutex it holds, or for anything else only it can release (a pipe end, a lock, a child).
    const onlyIt = (p: typeof s) => p.threads.some((t) => t.wait?.definite && t.wait.wakers?.length && t.wait.wakers.every((w) => w.pid === s.pid));
    const waiters = facts.procs.filter((p) => p !== s && facts.relevant(p) && (held.includes(facts.mutexWait(p)?.name ?? '') || onlyIt(p)));
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
          const mw = facts.mutexWait(w);
          if (!mw) {
            const t = w.threads.find((x) => x.wait?.wakers?.every((k) => k.pid === s.pid))!;
            return `${facts.threadLine(w, t)}: waits for ${t.wait!.on}`;
          }
          return mw.thread
            ? facts.threadLine(w, mw.thread)
            : `${facts.label(w.pid)}: last event ${w.run?.lastOp} ${w.run?.lastPhase} (acquiring ${mw.name}), ${w.run?.lockTimeouts} lock timeouts`;
        }),
      ],
    };
  });
