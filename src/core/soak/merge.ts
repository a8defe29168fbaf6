// `merge`: shard summaries of one soak into one summary. Counts add up; the
// rates and their intervals are recomputed from the sums, never averaged.
import { UsageError } from '../system/errors.js';
import type { SoakSummary } from '../report/types.js';
import { SCHEMA_VERSION, SOAK_SUMMARY_KIND } from '../report/types.js';
import { readJsonFile } from '../report/read-json.js';
import { wilson } from '../trace/stats.js';
import { addCounts, type FindingKindCounts } from '../report/finding-kinds.js';

export function readSummary(path: string): SoakSummary {
  return readJsonFile(path, SOAK_SUMMARY_KIND, 'soak summary') as unknown as SoakSummary;
}

const what = (s: SoakSummary) => JSON.stringify([s.command, s.command ? s.config.timeoutMs : s.config, s.expect]);

export function mergeSummaries(parts: SoakSummary[], names: string[] = []): SoakSummary {
  if (parts.length === 0) throw new UsageError('merge needs at least one summary');
  const first = parts[0]!;
  const nameOf = (i: number) => names[i] ?? `summary ${i + 1}`;
  const seen = new Map<string, number>();
  parts.forEach((p, i) => {
    if (what(p) !== what(first)) throw new UsageError(`${nameOf(i)}: comes from a different soak (command, configuration or --expect differ)`);
    // A shard's iterations and seeds follow from its i/k: the same shard twice is the same runs counted twice.
    if (!p.shard) return;
    const key = `${p.shard.index}/${p.shard.count}`;
    const dup = seen.get(key);
    if (dup !== undefined) throw new UsageError(`${nameOf(i)}: shard ${key} again (already in ${nameOf(dup)}): it would be counted twice`);
    seen.set(key, i);
  });
  const counts = new Set(parts.flatMap((p) => (p.shard ? [p.shard.count] : [])));
  const k = counts.size === 1 ? [...counts][0]! : 0;
  const missingShards = k && parts.every((p) => p.shard) ? Array.from({ length: k }, (_, i) => i + 1).filter((i) => !seen.has(`${i}/${k}`)) : [];
  const sum = (k: 'iterations' | 'passes' | 'hangs' | 'failures') => parts.reduce((a, p) => a + p[k], 0);
  const iterations = sum('iterations');
  const hangs = sum('hangs');
  const failures = sum('failures');
  const kinds: FindingKindCounts = {};
  for (const p of parts) addCounts(kinds, p.findingKinds);
  const firstHang = parts
    .map((p) => p.firstHang)
    .filter((h): h is NonNullable<SoakSummary['firstHang']> => h !== null)
    .sort((a, b) => a.iteration - b.iteration || (a.shard ?? 0) - (b.shard ?? 0))[0];
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: SOAK_SUMMARY_KIND,
    createdAt: new Date().toISOString(),
    shard: null,
    shards: parts.reduce((a, p) => a + (p.shards || 1), 0),
    command: first.command,
    config: first.config,
    expect: first.expect,
    iterations,
    passes: sum('passes'),
    hangs,
    provenHangs: parts.reduce((a, p) => a + (p.provenHangs ?? 0), 0),
    failures,
    hangRate: wilson(hangs, iterations),
    failureRate: wilson(failures, iterations),
    // Shards run side by side: the soak took as long as its longest shard.
    wallMs: Math.max(...parts.map((p) => p.wallMs)),
    iterationsPerMinute: Math.round(parts.reduce((a, p) => a + p.iterationsPerMinute, 0) * 10) / 10,
    firstHang: firstHang ?? null,
    findingKinds: kinds,
    reports: parts.flatMap((p) => p.reports),
    interrupted: parts.some((p) => p.interrupted),
    ...(missingShards.length ? { missingShards: missingShards.map((i) => ({ index: i, count: k })) } : {}),
    environment: first.environment,
  };
}
