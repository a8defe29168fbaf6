// When the program was traced (soak --trace), its own calls say what each
// thread was doing: this adds to a diagnosis made from /proc every traced
// thread's open call (the exact kind and address of the primitive it is in,
// a pthread_cond_timedwait naming its condvar and mutex) and its last
// transitions, and puts those of the threads a finding is about into the
// finding's evidence. (The futex words those calls account for are
// identified inside the analysis: AnalysisInput.traced.)
import type { TraceEvent } from '../native/layout.js';
import { callName, describeCall, kindOfOp } from '../native/calls.js';
import { hex } from '../system/hex.js';
import type { Diagnosis, TracedFacts } from './types.js';

/** Phases that leave a call open: the thread is inside it until its next event. */
const OPEN = new Set(['enter', 'wait-begin']);
const LAST = 6;

function factsOf(events: TraceEvent[]): TracedFacts {
  const e = events.at(-1);
  const kind = e && OPEN.has(e.phase) ? kindOfOp(e.op) : null;
  return {
    inCall: e && kind ? { call: callName(e.op), kind, addr: hex(e.value), mutex: kind === 'cond' && e.aux ? hex(e.aux) : null } : null,
    last: events.slice(-LAST).map(describeCall),
  };
}

export function applyTrace(d: Diagnosis, events: TraceEvent[]): void {
  const byTid = new Map<number, TraceEvent[]>();
  for (const e of events) {
    const list = byTid.get(e.tid);
    if (list) list.push(e);
    else byTid.set(e.tid, [e]);
  }
  for (const p of d.processes)
    for (const t of p.threads) {
      const evs = byTid.get(t.tid);
      if (evs?.length) t.traced = factsOf(evs);
    }
  for (const finding of d.findings) {
    const lines = d.processes
      .filter((p) => finding.pids.includes(p.pid))
      .flatMap((p) =>
        p.threads
          .filter((t) => t.traced && (t.wait || t.traced.inCall))
          .map((t) => `traced tid ${t.tid}: ${t.traced!.inCall ? `in ${t.traced!.inCall.call} on ${t.traced!.inCall.kind} ${t.traced!.inCall.addr}; ` : ''}last: ${t.traced!.last.slice(-3).join(' | ')}`),
      );
    finding.evidence.push(...lines.slice(0, 8));
  }
}
