// The soak summary (and a merged one) for humans.
import type { SoakSummary } from '../../core/report/types.js';
import { fmtDuration, plural } from '../output.js';
import { loopOutcome } from '../../core/system/exit-codes.js';
import { reportNext } from './next.js';

const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

export function summaryLines(name: string, s: SoakSummary): string[] {
  const lines = [
    `${name}: ${plural(s.iterations, 'iteration')}${s.shards > 1 ? ` from ${s.shards} shards` : s.shard ? ` (shard ${s.shard.index}/${s.shard.count})` : ''}, ${plural(s.hangs, 'hang')}${s.provenHangs ? ` (${s.provenHangs} proven before the deadline)` : ''} (hang rate ${pct(s.hangRate.rate)}, 95 % CI ${pct(s.hangRate.low)}–${pct(s.hangRate.high)}), ${s.failures} failed, ${s.iterationsPerMinute} iterations/min, ${fmtDuration(s.wallMs)}${s.interrupted ? ' (interrupted)' : ''}`,
  ];
  const chaos = 'chaos' in s.config ? s.config.chaos : null;
  if (chaos) lines.push(`  chaos: seed ${chaos.seed}, intensity ${chaos.intensity}`);
  if (s.firstHang) lines.push(`  first hang: iteration ${s.firstHang.iteration}${s.firstHang.shard ? ` of shard ${s.firstHang.shard}` : ''}${s.firstHang.report ? `: ${s.firstHang.report}` : ''}`);
  const k = s.reportsKept;
  if (k && k.of > k.kept) lines.push(`  reports: kept ${k.kept} of ${k.of} (the first ${k.limit} and the last; --keep-reports K keeps more, --save-all every one)`);
  const kinds = Object.entries(s.findingKinds);
  if (kinds.length) lines.push(`  findings: ${kinds.map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  // The last line: the outcome in words (the exit code's decision) and the first hang's report to read next.
  const next = s.firstHang?.report ? `; ${reportNext(s.firstHang.report)}` : '';
  lines.push(`${name}: ${loopOutcome(s, s.expect === 'hang')}${next}`);
  return lines;
}
