// A traced program's hang (soak --trace) as a timeline: one track per traced
// thread, in the order the threads were created, with
// the time each held a mutex, waited to lock one, and waited on a condvar or
// semaphore; timeouts and errors as instants. The same model the run
// timeline builds, so both exporters (Chrome trace, HTML) draw it.
import type { TraceEvent } from '../native/layout.js';
import type { CommandHangReport } from '../report/types.js';
import type { Span, Timeline, Track } from './timeline.js';
import { byProcess } from './stats.js';
import { threadLabel } from '../preload/traced.js';
import { hex } from '../system/hex.js';

function threadTrack(events: TraceEvent[], label: string, endNs: number, finding: string | null): Track {
  const first = events[0]!;
  const t: Track = { slot: first.slot, pid: first.pid, tid: first.tid, label, state: finding ? 'stuck' : 'traced', finding, stuck: finding !== null, spans: [], instants: [] };
  const open = (kind: Span['kind'], name: string, startNs: number, args: Span['args'] = {}): Span => {
    const s: Span = { kind, name, startNs, endNs, open: true, args };
    t.spans.push(s);
    return s;
  };
  const close = (s: Span | undefined, ns: number) => {
    if (s) {
      s.endNs = ns;
      s.open = false;
    }
  };
  const holds = new Map<number, Span>();
  let call: Span | undefined;
  for (const e of events) {
    const prim = hex(e.value);
    switch (e.phase) {
      case 'enter':
        call = open('lock', `lock mutex ${prim}`, e.tNs, { deadlineMs: e.deadlineMs });
        break;
      case 'locked':
      case 'owner-died':
        close(call, e.tNs);
        call = undefined;
        holds.set(e.value, open('op', `holds mutex ${prim}`, e.tNs, { op: 'hold' }));
        if (e.phase === 'owner-died') t.instants.push({ name: `owner died (EOWNERDEAD) ${prim}`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'unlocked':
        close(holds.get(e.value), e.tNs);
        holds.delete(e.value);
        break;
      case 'wait-begin':
        // A condvar wait gives its mutex back until it returns.
        if (e.aux) {
          close(holds.get(e.aux), e.tNs);
          holds.delete(e.aux);
        }
        call = open('wait', `${e.op} ${prim}`, e.tNs, { deadlineMs: e.deadlineMs });
        break;
      case 'wait-end':
      case 'wait-timeout':
        close(call, e.tNs);
        call = undefined;
        if (e.aux) holds.set(e.aux, open('op', `holds mutex ${hex(e.aux)}`, e.tNs, { op: 'hold' }));
        if (e.phase === 'wait-timeout') t.instants.push({ name: `${e.op} timed out (${e.deadlineMs} ms)`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'lock-timeout':
        close(call, e.tNs);
        call = undefined;
        t.instants.push({ name: `${e.op} timed out (${e.deadlineMs} ms)`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'error':
        close(call, e.tNs);
        call = undefined;
        t.instants.push({ name: `${e.op} error rc=${e.rc}${e.err ? ` errno ${e.err}` : ''}`, tNs: e.tNs, scope: 'thread' });
        break;
    }
  }
  if (t.stuck) t.instants.push({ name: `${finding}: no progress after this`, tNs: events.at(-1)!.tNs, scope: 'process' });
  return t;
}

export function buildCommandTimeline(report: CommandHangReport, events: TraceEvent[]): Timeline {
  const traced = report.preload?.traced;
  const firstEvent = events.reduce((m, e) => Math.min(m, e.tNs), Infinity);
  const lastEvent = events.reduce((m, e) => Math.max(m, e.tNs), Number.isFinite(firstEvent) ? firstEvent : 0);
  const startNs = traced?.startNs ? Math.min(traced.startNs, firstEvent) : Number.isFinite(firstEvent) ? firstEvent : 0;
  // The hang ends where its verdict was given: when it was proven, else at the deadline.
  const verdictMs = report.proof?.provenAtMs ?? report.timeoutMs;
  const endNs = traced?.startNs ? Math.max(lastEvent, traced.startNs + verdictMs * 1e6) : lastEvent;
  const named = new Map<number, string>();
  for (const f of report.diagnosis?.findings ?? []) for (const pid of f.pids) if (!named.has(pid)) named.set(pid, f.kind);
  const stuckTids = new Set((report.diagnosis?.processes ?? []).flatMap((p) => p.threads.filter((t) => t.wait?.stuckForGood || t.activity === 'blocked').map((t) => t.tid)));
  // Tracks in the threads' creation order (the order tracedThreads lists them), unlisted ones last.
  const rank = (slot: number) => traced?.threads.findIndex((x) => x.slot === slot) ?? -1;
  const tracks = [...byProcess(events).values()]
    .map((evs) => {
      const th = traced?.threads.find((x) => x.slot === evs[0]!.slot);
      const label = th ? threadLabel(th).thread : `tid ${evs[0]!.tid}`;
      const finding = stuckTids.has(evs[0]!.tid) ? (named.get(evs[0]!.pid) ?? null) : null;
      return threadTrack(evs, label, endNs, finding);
    })
    .sort((a, b) => (rank(a.slot) >>> 0) - (rank(b.slot) >>> 0) || a.slot - b.slot);
  return { startNs, endNs, firstEventNs: Number.isFinite(firstEvent) ? firstEvent : startNs, lastEventNs: lastEvent, tracks, flows: [], lostSignals: [] };
}
