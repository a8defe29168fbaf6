// Statistics of a trace: counts, and latency quantiles of lock waits,
// condvar waits and whole operations per role. Pure functions over events.
import type { TraceEvent } from '../native/layout.js';
import type { Phase } from '../native/vocabulary.js';

export interface Quantiles {
  count: number;
  /** Milliseconds. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LatencyStats {
  /** enter -> locked (includes lock timeouts and retries). */
  lockWaitMs: Quantiles;
  /** wait-begin -> wait-end or wait-timeout, each wait. */
  condWaitMs: Quantiles;
  /** enter -> done. */
  opMs: Quantiles;
}

export interface TraceStats {
  events: number;
  opsCompleted: { take: number; put: number };
  lockTimeouts: number;
  waitTimeouts: number;
  ownerDied: number;
  errors: number;
  /** "phase:errno-or-rc" -> count, for every event with a non-zero rc or errno. */
  codesByPhase: Record<string, number>;
  /**
   * Timed waits that expired although the condition they wait for already
   * held when the waiter got the mutex back: a signal that did not reach it
   * (or reached another waiter first). Counted, not proven lost.
   */
  expiredWithConditionTrue: number;
  byRole: Record<string, LatencyStats>;
}

/** Nearest-rank quantile of an ascending array. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export function quantiles(values: number[]): Quantiles {
  const s = [...values].sort((a, b) => a - b);
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return {
    count: s.length,
    p50: r(quantile(s, 0.5)),
    p95: r(quantile(s, 0.95)),
    p99: r(quantile(s, 0.99)),
    max: r(s.length ? (s[s.length - 1] as number) : 0),
  };
}

/** Groups events by process (slot), each in sequence order. */
export function byProcess(events: TraceEvent[]): Map<number, TraceEvent[]> {
  const m = new Map<number, TraceEvent[]>();
  for (const e of events) {
    let l = m.get(e.slot);
    if (!l) m.set(e.slot, (l = []));
    l.push(e);
  }
  for (const l of m.values()) l.sort((a, b) => a.seq - b.seq);
  return m;
}

const ms = (ns: number) => ns / 1e6;

/** Raw latencies (ms) per role: enter -> locked, each wait, enter -> done. */
export type LatencySamples = Record<keyof LatencyStats, number[]>;

export function latencySamples(events: TraceEvent[]): Map<string, LatencySamples> {
  const out = new Map<string, LatencySamples>();
  for (const list of byProcess(events).values()) {
    const role = list[0]!.role;
    const l = out.get(role) ?? { lockWaitMs: [], condWaitMs: [], opMs: [] };
    out.set(role, l);
    let enter = -1;
    let waitBegin = -1;
    for (const e of list) {
      switch (e.phase) {
        case 'enter':
          enter = e.tNs;
          waitBegin = -1;
          break;
        case 'locked':
          if (enter >= 0 && e.op !== 'abba') l.lockWaitMs.push(ms(e.tNs - enter));
          break;
        case 'wait-begin':
          waitBegin = e.tNs;
          break;
        case 'wait-timeout':
        case 'wait-end':
          if (waitBegin >= 0) l.condWaitMs.push(ms(e.tNs - waitBegin));
          waitBegin = -1;
          break;
        case 'done':
          if (enter >= 0) l.opMs.push(ms(e.tNs - enter));
          enter = -1;
          break;
      }
    }
  }
  return out;
}

export function traceStats(events: TraceEvent[]): TraceStats {
  const s: TraceStats = {
    events: events.length,
    opsCompleted: { take: 0, put: 0 },
    lockTimeouts: 0,
    waitTimeouts: 0,
    ownerDied: 0,
    errors: 0,
    codesByPhase: {},
    expiredWithConditionTrue: 0,
    byRole: {},
  };
  const counters: Partial<Record<Phase, keyof TraceStats>> = {
    'lock-timeout': 'lockTimeouts',
    'wait-timeout': 'waitTimeouts',
    'owner-died': 'ownerDied',
    error: 'errors',
  };
  for (const e of events) {
    const c = counters[e.phase];
    if (c) (s[c] as number)++;
    if (e.rc !== 0 || e.err !== 0) {
      const key = `${e.op} ${e.phase}:${e.rc !== 0 ? `rc=${e.rc}` : `errno=${e.err}`}`;
      s.codesByPhase[key] = (s.codesByPhase[key] ?? 0) + 1;
    }
    if (e.phase === 'wait-timeout' && e.isFull === (e.op === 'take')) s.expiredWithConditionTrue++;
    if (e.phase === 'done' && (e.op === 'take' || e.op === 'put')) s.opsCompleted[e.op]++;
  }
  for (const [role, l] of latencySamples(events))
    s.byRole[role] = { lockWaitMs: quantiles(l.lockWaitMs), condWaitMs: quantiles(l.condWaitMs), opMs: quantiles(l.opMs) };
  return s;
}

/** 95 % Wilson score interval for k successes in n trials ([0, 1] when n is 0). */
export function wilson(k: number, n: number, z = 1.959963984540054): { rate: number; low: number; high: number } {
  if (n <= 0) return { rate: 0, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return { rate: r(p), low: r(Math.max(0, center - half)), high: r(Math.min(1, center + half)) };
}
