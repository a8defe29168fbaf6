// The Trace Event Format (the JSON that chrome://tracing and Perfetto open):
// one track per process, operations as complete ("X") events with their lock
// and condvar waits nested inside, instants for timeouts and deaths, and flow
// arrows from a signal to the wake-up it caused. Only X events are used, so
// nesting is valid by construction (Perfetto rejects overlapping B/E pairs).
import type { Timeline } from '../timeline.js';
import { trackNote } from '../timeline.js';

interface TraceEventJson {
  name: string;
  ph: 'X' | 'i' | 'M' | 's' | 'f';
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  s?: 't' | 'p';
  id?: number;
  bp?: 'e';
  args?: Record<string, unknown>;
}

export function chromeTrace(verdict: { verdict: string; summary: string }, t: Timeline, runName: string): { traceEvents: TraceEventJson[]; displayTimeUnit: 'ms'; otherData: Record<string, string> } {
  const us = (ns: number) => Math.round((ns - t.startNs) / 10) / 100;
  const out: TraceEventJson[] = [];
  for (const tr of t.tracks) {
    const id = { pid: tr.pid, tid: tr.tid ?? tr.pid };
    const note = trackNote(tr);
    if (tr.tid === undefined) {
      out.push({ name: 'process_name', ph: 'M', ...id, args: { name: `${tr.label}${note ? ` (${note})` : ''}` } });
      out.push({ name: 'process_sort_index', ph: 'M', ...id, args: { sort_index: tr.slot } });
    }
    out.push({ name: 'thread_name', ph: 'M', ...id, args: { name: tr.tid === undefined ? 'take/put' : `${tr.label}${note ? ` (${note})` : ''}` } });
    if (tr.tid !== undefined) out.push({ name: 'thread_sort_index', ph: 'M', ...id, args: { sort_index: tr.slot } });
    for (const s of tr.spans)
      out.push({
        name: s.open ? `${s.name} (never ended)` : s.name,
        cat: s.kind,
        ph: 'X',
        ts: us(s.startNs),
        dur: Math.max(0, us(s.endNs) - us(s.startNs)),
        ...id,
        args: { ...s.args, open: s.open },
      });
    for (const i of tr.instants) out.push({ name: i.name, cat: 'event', ph: 'i', s: i.scope === 'process' ? 'p' : 't', ts: us(i.tNs), ...id });
  }
  t.flows.forEach((f, n) => {
    out.push({ name: `signal ${f.cv}`, cat: 'wake', ph: 's', id: n + 1, pid: f.fromPid, tid: f.fromPid, ts: us(f.fromNs) });
    out.push({ name: `signal ${f.cv}`, cat: 'wake', ph: 'f', bp: 'e', id: n + 1, pid: f.toPid, tid: f.toPid, ts: us(f.toNs) });
  });
  return {
    traceEvents: out,
    displayTimeUnit: 'ms',
    otherData: { tool: 'mvar-repro', run: runName, verdict: verdict.verdict, summary: verdict.summary },
  };
}
