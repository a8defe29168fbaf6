// "What did the bad run do that good runs never do?"
//
// Each process's events are normalised into transition sequences per
// operation, aligned by role, id and op id. Structure decides divergence;
// timing does not: timeouts are folded away (a timed-out wait ends like any
// other wait, a lock that timed out and retried is still a lock) and are
// reported as counts, and whether an operation had to wait, and how often,
// is not structure either. A wait that never ended is.
import type { TraceEvent } from '../native/layout.js';
import type { RunReport } from '../report/types.js';
import type { LatencySamples, Quantiles } from './stats.js';
import { byProcess, latencySamples, quantiles } from './stats.js';
import { processLabel } from '../report/labels.js';
import type { Phase } from '../native/vocabulary.js';

export interface DiffInput {
  name: string;
  report: RunReport;
  events: TraceEvent[];
}

export interface ProcessDivergence {
  role: string;
  id: number;
  pid: number;
  opId: number;
  op: string;
  /** What good runs do at this point, and what the bad run did. */
  expected: string;
  seen: string;
}

export interface OnlyInBad {
  /** "take wait-begin -> (end of trace)" */
  transition: string;
  count: number;
  /** Processes showing it, "slave 3 op 21". */
  where: string[];
}

export interface CountDelta {
  name: string;
  good: { min: number; max: number };
  bad: number;
}

export interface LatencyDelta {
  role: string;
  metric: 'lockWaitMs' | 'condWaitMs' | 'opMs';
  good: Quantiles;
  bad: Quantiles;
}

export interface DiffResult {
  good: { name: string; verdict: string; summary: string }[];
  bad: { name: string; verdict: string; summary: string };
  equivalent: boolean;
  /** Why it is divergent, one line each. */
  reasons: string[];
  divergences: ProcessDivergence[];
  onlyInBad: OnlyInBad[];
  counts: CountDelta[];
  latency: LatencyDelta[];
  findings: { kind: string; summary: string }[];
}

export const END = '(end of trace)';

/** Timing-only phases fold into their structural twin; lock timeouts vanish. */
function structural(p: Phase): Phase | null {
  if (p === 'lock-timeout') return null;
  if (p === 'wait-timeout') return 'wait-end';
  return p;
}

export interface NormalOp {
  op: string;
  opId: number;
  /** Structural phases, with what the diff at hand calls timing removed. */
  phases: string[];
}

/** One thread's or process's operations by op id, timing-only phases folded (each diff then drops its own timing). */
export function opsOf(events: TraceEvent[]): NormalOp[] {
  const ops: NormalOp[] = [];
  let cur: NormalOp | undefined;
  for (const e of events) {
    if (!cur || cur.opId !== e.opId) {
      cur = { op: e.op, opId: e.opId, phases: [] };
      ops.push(cur);
    }
    const p = structural(e.phase);
    if (p) cur.phases.push(p);
  }
  return ops;
}

/** One process's operations of our MVar, normalised. */
export function normaliseOps(events: TraceEvent[]): NormalOp[] {
  return opsOf(events).map((o) => ({ ...o, phases: dropWaitRounds(o.phases) }));
}

/**
 * Whether the box was ready when the lock was taken is scheduling: a
 * completed wait round (signalled wait-begin wait-end) is removed, so every
 * completed operation has one shape. A round that never ended stays: an op
 * stuck in its third round looks like one stuck in its first.
 */
function dropWaitRounds(ph: string[]): string[] {
  const out: string[] = [];
  for (const p of ph) {
    out.push(p);
    if (out.slice(-3).join(' ') === 'signalled wait-begin wait-end') out.splice(-3, 3);
  }
  return out;
}

export function transitions(op: NormalOp): string[] {
  const t: string[] = [];
  for (let i = 0; i < op.phases.length; i++) t.push(`${op.op} ${op.phases[i]} -> ${op.phases[i + 1] ?? END}`);
  return t;
}

interface Model {
  /** Transitions seen per role, e.g. "slave" -> {"take locked -> copied", …}. */
  transitions: Map<string, Set<string>>;
  /** Op count per process key, over the good runs. */
  opCounts: Map<string, number[]>;
  /** The phase sequences seen per (process key, op id). */
  shapes: Map<string, Set<string>>;
}

function model(goods: DiffInput[]): Model {
  const m: Model = { transitions: new Map(), opCounts: new Map(), shapes: new Map() };
  for (const g of goods) {
    for (const evs of byProcess(g.events).values()) {
      const { role, id } = evs[0]!;
      const ops = normaliseOps(evs);
      const key = `${role}:${id}`;
      m.opCounts.set(key, [...(m.opCounts.get(key) ?? []), ops.length]);
      const set = m.transitions.get(role) ?? new Set<string>();
      for (const o of ops) {
        transitions(o).forEach((t) => set.add(t));
        const sk = `${key}:${o.opId}`;
        m.shapes.set(sk, (m.shapes.get(sk) ?? new Set()).add(o.phases.join(' ')));
      }
      m.transitions.set(role, set);
    }
  }
  return m;
}

function countsOf(r: RunReport): Record<string, number> {
  const s = r.stats;
  const out: Record<string, number> = {
    'lock timeouts': s.lockTimeouts,
    'wait timeouts': s.waitTimeouts,
    'owner died': s.ownerDied,
    errors: s.errors,
    'waits expired with condition true': s.expiredWithConditionTrue,
    'events dropped': r.dropped.total,
  };
  for (const [k, v] of Object.entries(s.codesByPhase)) out[k] = v;
  return out;
}

/** Counts of the bad run outside the range the good runs span. */
export function countDeltas(goods: Record<string, number>[], bad: Record<string, number>): CountDelta[] {
  const counts: CountDelta[] = [];
  for (const name of new Set([...Object.keys(bad), ...goods.flatMap(Object.keys)])) {
    const gv = goods.map((c) => c[name] ?? 0);
    const bv = bad[name] ?? 0;
    const g = { min: Math.min(...gv), max: Math.max(...gv) };
    if (bv < g.min || bv > g.max) counts.push({ name, good: g, bad: bv });
  }
  return counts;
}

/** Quantiles of every latency per group (a role, or a traced process), the good runs' samples pooled. */
export function latencyDeltas(goods: Map<string, LatencySamples>[], bad: Map<string, LatencySamples>): LatencyDelta[] {
  const pooled = new Map<string, LatencySamples>();
  for (const g of goods)
    for (const [role, l] of g) {
      const acc = pooled.get(role) ?? { lockWaitMs: [], condWaitMs: [], opMs: [] };
      for (const k of ['lockWaitMs', 'condWaitMs', 'opMs'] as const) acc[k].push(...l[k]);
      pooled.set(role, acc);
    }
  const latency: LatencyDelta[] = [];
  for (const role of new Set([...pooled.keys(), ...bad.keys()]))
    for (const metric of ['lockWaitMs', 'condWaitMs', 'opMs'] as const)
      latency.push({ role, metric, good: quantiles(pooled.get(role)?.[metric] ?? []), bad: quantiles(bad.get(role)?.[metric] ?? []) });
  return latency;
}

export function diffRuns(goods: DiffInput[], bad: DiffInput): DiffResult {
  const m = model(goods);
  const divergences: ProcessDivergence[] = [];
  const only = new Map<string, OnlyInBad>();
  const note = (t: string, where: string) => {
    const o = only.get(t) ?? { transition: t, count: 0, where: [] };
    o.count++;
    if (o.where.length < 10) o.where.push(where);
    only.set(t, o);
  };
  for (const evs of byProcess(bad.events).values()) {
    const { role, id, pid } = evs[0]!;
    const key = `${role}:${id}`;
    const known = m.transitions.get(role) ?? new Set<string>();
    const ops = normaliseOps(evs);
    let first: ProcessDivergence | undefined;
    for (const o of ops) {
      const unseen = transitions(o).filter((t) => !known.has(t));
      unseen.forEach((t) => note(t, `${processLabel({ role, id })} op ${o.opId}`));
      if (!first && unseen.length) {
        const shapes = [...(m.shapes.get(`${key}:${o.opId}`) ?? [])];
        first = {
          role,
          id,
          pid,
          opId: o.opId,
          op: o.op,
          expected: shapes.length ? shapes.slice(0, 2).join(' | ') : 'no such operation in the good runs',
          seen: `${o.phases.join(' ')}${o.phases.at(-1) === 'done' ? '' : ` ${END}`}`,
        };
      }
    }
    const goodCounts = m.opCounts.get(key) ?? [];
    const lastOp = ops.at(-1);
    if (!first && goodCounts.length && ops.length < Math.min(...goodCounts))
      first = {
        role,
        id,
        pid,
        opId: (lastOp?.opId ?? 0) + 1,
        op: '-',
        expected: `${Math.min(...goodCounts)} operations`,
        seen: `stops after op ${lastOp?.opId ?? 0}`,
      };
    if (first) divergences.push(first);
  }
  // Processes that good runs have and the bad run never traced.
  const badKeys = new Set([...byProcess(bad.events).values()].map((e) => `${e[0]!.role}:${e[0]!.id}`));
  for (const key of m.opCounts.keys())
    if (!badKeys.has(key)) {
      const [role, id] = key.split(':') as [string, string];
      const p = bad.report.processes.find((x) => x.role === role && x.id === Number(id));
      divergences.push({ role, id: Number(id), pid: p?.pid ?? 0, opId: 1, op: '-', expected: 'operations', seen: 'no event at all' });
    }
  divergences.sort((a, b) => (a.role === b.role ? a.id - b.id : a.role === 'master' ? -1 : 1));

  const counts = countDeltas(goods.map((g) => countsOf(g.report)), countsOf(bad.report));
  const latency = latencyDeltas(goods.map((g) => latencySamples(g.events)), latencySamples(bad.events));

  const reasons: string[] = [];
  const goodVerdicts = new Set(goods.map((g) => g.report.verdict));
  if (!goodVerdicts.has(bad.report.verdict))
    reasons.push(`verdict ${bad.report.verdict}, good runs: ${[...goodVerdicts].join(', ')}`);
  if (divergences.length) reasons.push(`${divergences.length} process(es) diverge from every good run`);
  if (only.size) reasons.push(`${only.size} transition(s) occur only in the bad run`);
  const cfg = (r: RunReport) => `${r.config.variant}/${r.config.fault}/n${r.config.nslaves}/r${r.config.rounds}`;
  const mismatched = goods.filter((g) => cfg(g.report) !== cfg(bad.report)).map((g) => g.name);

  return {
    good: goods.map((g) => ({ name: g.name, verdict: g.report.verdict, summary: g.report.summary })),
    bad: { name: bad.name, verdict: bad.report.verdict, summary: bad.report.summary },
    equivalent: reasons.length === 0,
    reasons: reasons.length && mismatched.length ? [...reasons, `note: configurations differ (${mismatched.join(', ')}: ${goods.map((g) => cfg(g.report)).join(', ')} vs ${cfg(bad.report)})`] : reasons,
    divergences,
    onlyInBad: [...only.values()].sort((a, b) => b.count - a.count),
    counts,
    latency,
    findings: (bad.report.diagnosis?.findings ?? []).map((f) => ({ kind: f.kind, summary: f.summary })),
  };
}
