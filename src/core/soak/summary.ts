// The soak summary (SoakSummary, the document --summary writes and `merge`
// reads) from the outcomes of its iterations: counts, rates with their 95 %
// intervals, the first hang, and which reports were kept.
import { countIteration, type FindingKindCounts } from '../report/finding-kinds.js';
import type { SoakSummary } from '../report/types.js';
import { SCHEMA_VERSION, SOAK_SUMMARY_KIND } from '../report/types.js';
import type { Outcome } from '../run/loop.js';
import { environment } from '../system/environment.js';
import { wilson } from '../trace/stats.js';

/** How an iteration ended, as the soak keeps it: small, since a long soak holds thousands. */
export type SoakOutcome = Outcome;

export type SummaryBase = Pick<SoakSummary, 'shard' | 'command' | 'config' | 'expect' | 'wallMs' | 'interrupted'> & Partial<Pick<SoakSummary, 'reports' | 'reportsKept' | 'saveErrors' | 'unpreloaded'>>;

export function soakSummary(outcomes: SoakOutcome[], base: SummaryBase): SoakSummary {
  const hangs = outcomes.filter((o) => o.verdict === 'hang');
  const failures = outcomes.filter((o) => o.verdict === 'failed').length;
  const n = outcomes.length;
  const first = hangs.reduce<SoakOutcome | undefined>((m, o) => (!m || o.index < m.index ? o : m), undefined);
  const kinds: FindingKindCounts = {};
  for (const o of outcomes) countIteration(kinds, o.findingKinds);
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: SOAK_SUMMARY_KIND,
    createdAt: new Date().toISOString(),
    shards: 1,
    ...base,
    iterations: n,
    passes: n - hangs.length - failures,
    hangs: hangs.length,
    provenHangs: hangs.filter((o) => o.proof).length,
    failures,
    hangRate: wilson(hangs.length, n),
    failureRate: wilson(failures, n),
    iterationsPerMinute: base.wallMs > 0 ? Math.round((n / base.wallMs) * 60_000 * 10) / 10 : 0,
    firstHang: first ? { shard: base.shard?.index ?? null, iteration: first.index, report: first.reportPath } : null,
    findingKinds: kinds,
    // The loop says which reports it kept; without it, every report of an iteration that did not complete.
    reports: base.reports ?? outcomes.filter((o) => o.reportPath && o.verdict !== 'completed').map((o) => o.reportPath!),
    environment: environment(),
  };
}
