// The JUnit testcases of a soak: what CI shows and groups. A failure's
// message is short (at most MESSAGE_MAX characters) and the same for equal
// failures in any iteration: the kind and where, never a pid, an address or
// a time, so that CI groups equal failures; pids, times and output go in the
// body.
import type { Diagnosis } from '../diagnosis/types.js';
import { findingSummary, type FindingGroup } from '../preload/findings.js';
import type { Shard } from '../report/types.js';
import type { JUnitCase } from './junit.js';
import type { SoakOutcome } from './summary.js';

/** CI systems show the message on one line; 200 characters fit one (issue 26). */
export const MESSAGE_MAX = 200;

const short = (s: string) => (s.length > MESSAGE_MAX ? `${s.slice(0, MESSAGE_MAX - 1)}…` : s);

const caseName = (shard: Shard | null, index: number) => `${shard ? `shard ${shard.index}/${shard.count} ` : ''}iteration ${index}`;

/** A thread's wait as words: "futex wait on mutex". */
function placeOf(t: Diagnosis['processes'][number]['threads'][number]): { where: string; object: string | null } {
  // Its kind, not its address ("mutex", not "mutex@0x55…"): addresses move with every run (ASLR), and CI groups failures by message.
  const object = t.traced?.inCall?.kind ?? (t.futex?.field && t.futex.fieldSource !== 'guess' ? t.futex.field.split('.')[0]!.replace(/@0x[0-9a-f]+$/, '') : null);
  return { where: `${t.wait!.kind} wait${object ? ` on ${object}` : ''}`, object };
}

/**
 * Where a hang waits, as the same words in every iteration: the wait's kind
 * and, when it is known for certain, the object or the kind of primitive
 * (never an address). Of the processes the first finding names (or all of them), the
 * place most of them wait at; a tie goes to the first in alphabetical order.
 */
export function hangWhere(d: Diagnosis | null): string | null {
  if (!d) return null;
  const named = new Set(d.findings[0]?.pids ?? d.processes.map((p) => p.pid));
  const votes = new Map<string, number>();
  for (const p of d.processes) {
    if (!named.has(p.pid)) continue;
    // Of its threads, an untimed wait on a known object first (not the main thread joining the stuck ones).
    const places = p.threads.flatMap((t) => (t.wait ? [{ untimed: !t.wait.timed, ...placeOf(t) }] : []));
    const best = places.find((x) => x.untimed && x.object) ?? places.find((x) => x.untimed) ?? places[0];
    if (best) votes.set(best.where, (votes.get(best.where) ?? 0) + 1);
  }
  const ranked = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return ranked[0]?.[0] ?? null;
}

export interface CaseInput {
  outcome: SoakOutcome;
  shard: Shard | null;
  diagnosis: Diagnosis | null;
  /** A failed iteration in the same words every time: "exited 1", "killed by SIGSEGV". */
  failedAs: string;
  /** More for the body: stuck processes, output tails. */
  extra: string;
}

export function iterationCase({ outcome: o, shard, diagnosis, failedAs, extra }: CaseInput): JUnitCase {
  const kinds = [...new Set(o.findingKinds)].sort();
  const where = hangWhere(diagnosis);
  const body = [o.summary, ...o.findingSummaries, ...o.incomplete.map((l) => `incomplete: ${l}`), extra].filter(Boolean).join('\n');
  const result: JUnitCase['result'] =
    o.verdict === 'hang'
      ? { kind: 'failure', type: 'hang', message: short(`hang ${o.proof ? 'proven' : 'at the deadline'}: ${kinds.join(', ') || 'no finding'}${where ? ` (${where})` : ''}`), body }
      : o.verdict === 'failed'
        ? { kind: 'error', type: 'failed', message: short(failedAs), body }
        : null;
  return { name: caseName(shard, o.index), timeMs: o.wallMs, result, systemOut: o.reportPath ? `report: ${o.reportPath}` : '' };
}

/**
 * Where a --check finding is, the same in every iteration and every run:
 * numbers in the mapping's name (a program that names its shared memory by
 * its pid) become '*'; the offset in it stays.
 */
export function stableWhere(where: string): string {
  const at = where.lastIndexOf('+0x');
  const [path, offset] = at > 0 ? [where.slice(0, at), where.slice(at)] : [where, ''];
  return `${path.replace(/\d{2,}/g, '*')}${offset}`;
}

/** --check: a finding of the library, one testcase per distinct kind, primitive and place over the whole soak. */
export function checkCase(g: FindingGroup, iterations: number[], report: string | null): JUnitCase {
  const where = stableWhere(g.where);
  return {
    name: `check: ${g.primitive} at ${where}`,
    timeMs: 0,
    result: {
      kind: 'failure',
      type: g.kind,
      message: short(`${g.kind}: ${g.primitive} at ${where}`),
      body: [findingSummary(g), `iterations: ${iterations.join(', ')}`, `processes: ${g.pids.join(', ')}`, `callers: ${g.callers.join(', ')}`].join('\n'),
    },
    systemOut: report ? `report: ${report}` : '',
  };
}

/** An interrupted soak: an error, so CI never reads a soak cut short as a pass. */
export function interruptedCase(done: number, target: number | undefined): JUnitCase {
  return {
    name: 'soak',
    timeMs: 0,
    result: { kind: 'error', type: 'interrupted', message: 'the soak was interrupted before its end', body: `${done}${target !== undefined ? ` of ${target}` : ''} iterations ran` },
    systemOut: '',
  };
}
