// A run as a per-process timeline: operations, the lock and condvar waits
// inside them, instants (timeouts, owner died, errors), where stuck processes
// stopped, and signal -> wake-up pairs across processes. Both exporters
// (Chrome trace, HTML) draw this model.
import { layout, type TraceEvent } from '../native/layout.js';
import type { Condvar } from '../native/vocabulary.js';
import { processLabel } from '../report/labels.js';
import type { RunReport } from '../report/types.js';
import { diagnosedStates, needsAttention, shownState, type Diagnosed, type ShownState } from '../report/process-state.js';
import { byProcess } from './stats.js';

export interface Span {
  kind: 'op' | 'lock' | 'wait';
  name: string;
  startNs: number;
  endNs: number;
  /** It never ended: the trace stops inside it. */
  open: boolean;
  args: Record<string, number | string | boolean>;
}

export interface Instant {
  name: string;
  tNs: number;
  scope: 'thread' | 'process';
}

export interface Track {
  slot: number;
  pid: number;
  /** A traced program's track is one thread; our runs' tracks are processes (absent). */
  tid?: number;
  /** A process of our runs: its role and id (rows of one role fold into "slave 2–50"). */
  role?: string;
  id?: number;
  label: string;
  /** What it was at the end, as a person reads it (report/process-state.ts: `stuck` is the diagnosis's stuck for good). */
  state: string;
  /** The finding of the diagnosis that names this process, if any. */
  finding: string | null;
  /** It needs a look: stuck for good, starving or silent, or named by a finding. */
  stuck: boolean;
  spans: Span[];
  instants: Instant[];
}

export interface Flow {
  fromPid: number;
  fromNs: number;
  toPid: number;
  toNs: number;
  cv: Condvar;
}

/**
 * A signal that reached no waiter: when it was sent, other processes were
 * waiting on that condvar, and none of those waits ever ended with a wake-up
 * (they timed out, or never ended). With process-private condvars in shared
 * memory this is every signal sent to another process's waiter.
 */
export interface LostSignal {
  pid: number;
  tNs: number;
  cv: Condvar;
  /** The processes that were waiting on the condvar when it was sent. */
  waiting: number[];
}

export interface Timeline {
  startNs: number;
  endNs: number;
  /** Where the events are: a view fitted to them shows the activity, not process start-up or the stuck tail. */
  firstEventNs: number;
  lastEventNs: number;
  tracks: Track[];
  flows: Flow[];
  lostSignals: LostSignal[];
}

function track(events: TraceEvent[], report: RunReport, endNs: number, named: Map<number, string>, stuck: Diagnosed): Track {
  const first = events[0]!;
  const p = report.processes.find((x) => x.role === first.role && x.id === first.id);
  const pid = p?.pid ?? first.pid;
  const state = p ? shownState(p, stuck) : 'unknown';
  const t: Track = {
    slot: first.slot,
    pid,
    role: first.role,
    id: first.id,
    label: processLabel(first),
    state,
    finding: named.get(pid) ?? null,
    stuck: (p !== undefined && needsAttention(state as ShownState)) || named.has(pid),
    spans: [],
    instants: [],
  };
  let op: Span | undefined;
  let lock: Span | undefined;
  let wait: Span | undefined;
  const close = (s: Span | undefined, ns: number) => {
    if (s) {
      s.endNs = ns;
      s.open = false;
    }
  };
  for (const e of events) {
    switch (e.phase) {
      case 'enter':
        op = { kind: 'op', name: `${e.op} #${e.opId}`, startNs: e.tNs, endNs: endNs, open: true, args: { op: e.op, opId: e.opId } };
        t.spans.push(op);
        if (e.op !== 'abba') {
          lock = { kind: 'lock', name: 'lock mutex', startNs: e.tNs, endNs, open: true, args: {} };
          t.spans.push(lock);
        }
        break;
      case 'lock-begin':
        lock = { kind: 'lock', name: `lock aux[${e.aux}]`, startNs: e.tNs, endNs, open: true, args: {} };
        t.spans.push(lock);
        break;
      case 'locked':
        close(lock, e.tNs);
        lock = undefined;
        break;
      case 'wait-begin':
        wait = {
          kind: 'wait',
          name: e.op === 'take' ? 'wait canTake' : 'wait canPut',
          startNs: e.tNs,
          endNs,
          open: true,
          args: { deadlineMs: e.deadlineMs },
        };
        t.spans.push(wait);
        break;
      case 'wait-end':
      case 'wait-timeout':
        if (wait) {
          close(wait, e.tNs);
          wait.args.rc = e.rc;
          wait.args.timedOut = e.phase === 'wait-timeout';
        }
        wait = undefined;
        if (e.phase === 'wait-timeout') t.instants.push({ name: `wait timeout (${e.deadlineMs} ms)`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'lock-timeout':
        t.instants.push({ name: `lock timeout (${e.deadlineMs} ms)`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'owner-died':
        t.instants.push({ name: 'owner died (EOWNERDEAD)', tNs: e.tNs, scope: 'thread' });
        break;
      case 'error':
        t.instants.push({ name: `error rc=${e.rc}`, tNs: e.tNs, scope: 'thread' });
        break;
      case 'copied':
        if (op) op.args.value = e.value;
        break;
      case 'done':
        close(op, e.tNs);
        op = undefined;
        break;
    }
  }
  const last = events.at(-1)!;
  if (t.stuck) t.instants.push({ name: `${t.finding ?? t.state}: no progress after this`, tNs: last.tNs, scope: 'process' });
  else if (p?.exit?.signal && !p.exit.killedByWatchdog) t.instants.push({ name: `killed by ${p.exit.signal}`, tNs: last.tNs, scope: 'process' });
  return t;
}

interface Wait {
  pid: number;
  cv: Condvar;
  beginNs: number;
  /** When it ended (Infinity: never), and whether a wake-up ended it. */
  endNs: number;
  woken: boolean;
}

/** Every condvar wait of every process, ended or not. */
function waitsOf(events: TraceEvent[]): Wait[] {
  const out: Wait[] = [];
  for (const evs of byProcess(events).values()) {
    let open: Wait | undefined;
    for (const e of evs) {
      if (e.phase === 'wait-begin') out.push((open = { pid: e.pid, cv: e.op === 'take' ? 'canTake' : 'canPut', beginNs: e.tNs, endNs: Infinity, woken: false }));
      else if ((e.phase === 'wait-end' || e.phase === 'wait-timeout') && open) {
        open.endNs = e.tNs;
        open.woken = e.phase === 'wait-end' && e.rc === 0;
        open = undefined;
      }
    }
  }
  return out;
}

/** The signals sent while other processes waited on the condvar, none of whose waits a wake-up ever ended. */
function lostSignals(events: TraceEvent[]): LostSignal[] {
  const waits = waitsOf(events);
  const out: LostSignal[] = [];
  for (const s of events) {
    const cv = s.phase === 'signalled' ? layout().cv.name(s.aux) : undefined;
    if (!cv) continue;
    const waiting = waits.filter((w) => w.cv === cv && w.pid !== s.pid && w.beginNs <= s.tNs && w.endNs > s.tNs);
    if (waiting.length && waiting.every((w) => !w.woken)) out.push({ pid: s.pid, tNs: s.tNs, cv, waiting: [...new Set(waiting.map((w) => w.pid))] });
  }
  return out;
}

/**
 * Pairs each wake-up (a wait that ended with rc 0) with the latest signal of
 * the same condvar from another process since the wait began; each signal
 * wakes at most one waiter.
 */
function flows(events: TraceEvent[]): Flow[] {
  const cvOf = (e: TraceEvent) => layout().cv.name(e.aux);
  const signals = events.filter((e) => e.phase === 'signalled' && cvOf(e)).sort((a, b) => a.tNs - b.tNs);
  const used = new Set<TraceEvent>();
  const out: Flow[] = [];
  const wakes: { begin: TraceEvent; end: TraceEvent }[] = [];
  for (const evs of byProcess(events).values()) {
    let begin: TraceEvent | undefined;
    for (const e of evs) {
      if (e.phase === 'wait-begin') begin = e;
      else if (e.phase === 'wait-end' && begin && e.rc === 0) wakes.push({ begin, end: e });
      if (e.phase === 'wait-end' || e.phase === 'wait-timeout') begin = undefined;
    }
  }
  wakes.sort((a, b) => a.end.tNs - b.end.tNs);
  for (const { begin, end } of wakes) {
    const cv: Flow['cv'] = end.op === 'take' ? 'canTake' : 'canPut';
    let best: TraceEvent | undefined;
    for (let i = signals.length - 1; i >= 0; i--) {
      const s = signals[i]!;
      if (s.tNs > end.tNs) continue;
      if (s.tNs < begin.tNs) break;
      if (cvOf(s) === cv && s.pid !== end.pid && !used.has(s)) {
        best = s;
        break;
      }
    }
    if (best) {
      used.add(best);
      out.push({ fromPid: best.pid, fromNs: best.tNs, toPid: end.pid, toNs: end.tNs, cv });
    }
  }
  return out;
}

export function buildTimeline(report: RunReport, events: TraceEvent[]): Timeline {
  const firstEvent = events.reduce((m, e) => Math.min(m, e.tNs), Infinity);
  const startNs = Math.min(report.timing.startNs || Infinity, firstEvent);
  const lastEvent = events.reduce((m, e) => Math.max(m, e.tNs), startNs);
  // A hung run ends where the watchdog gave its verdict: when the hang was proven, else at the deadline.
  const verdictMs = report.timing.proof?.provenAtMs ?? report.config.timeoutMs;
  const endNs = report.verdict === 'hang' && report.timing.startNs ? Math.max(lastEvent, report.timing.startNs + verdictMs * 1e6) : lastEvent;
  const named = new Map<number, string>();
  for (const f of report.diagnosis?.findings ?? []) for (const pid of f.pids) if (!named.has(pid)) named.set(pid, f.kind);
  const stuck = diagnosedStates(report.diagnosis);
  const tracks = [...byProcess(events).values()].map((evs) => track(evs, report, endNs, named, stuck)).sort((a, b) => a.slot - b.slot);
  const ts = new Map(tracks.map((t) => [t.pid, t]));
  // Node slaves' ops run on pool threads: flows are keyed by process.
  const flowList = flows(events).filter((f) => ts.has(f.fromPid) && ts.has(f.toPid));
  return {
    startNs,
    endNs,
    firstEventNs: Number.isFinite(firstEvent) ? firstEvent : startNs,
    lastEventNs: lastEvent,
    tracks,
    flows: flowList,
    lostSignals: lostSignals(events).filter((l) => ts.has(l.pid)),
  };
}

/** "stuck, private-futex-on-shared-memory": what marks a track, empty when nothing does. */
export function trackNote(t: Track): string {
  const cls = needsAttention(t.state as ShownState) ? [t.state] : [];
  return [...cls, ...(t.finding ? [t.finding] : [])].join(', ');
}
