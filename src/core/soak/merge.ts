// `merge`: shard summaries of one soak into one summary. Counts add up; the
// rates and their intervals are recomputed from the sums, never averaged.
// Nothing is counted twice — the same file, the same content or the same
// shard given again is refused — and a set with shards missing is refused
// too (naming them) unless the user accepts a partial set. A summary is
// another's file: its claimed shard count is bounded, and nothing is ever
// allocated in proportion to it.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { UsageError } from '../system/errors.js';
import type { Shard, SoakSummary } from '../report/types.js';
import { SCHEMA_VERSION, SOAK_SUMMARY_KIND } from '../report/types.js';
import { readJsonFile } from '../report/read-json.js';
import { wilson } from '../trace/stats.js';
import { isShard, MAX_SHARDS } from './shards.js';
import { addCounts, type FindingKindCounts } from '../report/finding-kinds.js';
import { jsonText } from '../system/json.js';


const COUNTS = ['iterations', 'passes', 'hangs', 'failures'] as const;

export function readSummary(path: string): SoakSummary {
  const s = readJsonFile(path, SOAK_SUMMARY_KIND, 'soak summary') as unknown as SoakSummary;
  const sh = s.shard;
  if (sh && !isShard(sh))
    throw new UsageError(`${path}: not a valid soak summary: shard ${sh.index}/${sh.count} is not i/k with 1 <= i <= k <= ${MAX_SHARDS}`);
  for (const k of COUNTS)
    if (!Number.isSafeInteger(s[k]) || s[k] < 0) throw new UsageError(`${path}: not a valid soak summary: ${k} is ${s[k]}, not a count`);
  return s;
}

/**
 * Every summary at `paths`, refusing one given twice: the same file (by
 * device and inode, whatever path names it) or the same content (a copy).
 */
export function readSummaries(paths: string[]): SoakSummary[] {
  const files = new Map<string, string>();
  const contents = new Map<string, string>();
  return paths.map((path) => {
    const s = readSummary(path);
    const st = statSync(path);
    const file = `${st.dev}:${st.ino}`;
    const content = createHash('sha256').update(jsonText(s, 0)).digest('hex');
    const again = files.get(file) ?? contents.get(content);
    if (again !== undefined) throw new UsageError(`${path}: the same summary as ${again}: it would be counted twice`);
    files.set(file, path);
    contents.set(content, path);
    return s;
  });
}

const what = (s: SoakSummary) => JSON.stringify([s.command, s.command ? s.config.timeoutMs : s.config, s.expect]);

/** The indices 1..k not in `seen`, listed up to `limit`, and how many there are — in time and memory proportional to the summaries, not to k. */
function missingOf(seen: Set<number>, k: number, limit: number): { count: number; first: number[] } {
  const present = [...seen].sort((a, b) => a - b);
  const first: number[] = [];
  let prev = 0;
  for (const i of [...present, k + 1]) {
    for (let m = prev + 1; m < i && first.length < limit; m++) first.push(m);
    prev = i;
  }
  return { count: k - present.length, first };
}

export interface MergeOptions {
  /** Accept a set with shards missing (the merged summary lists them). */
  partial?: boolean;
}

export function mergeSummaries(parts: SoakSummary[], names: string[] = [], opts: MergeOptions = {}): SoakSummary {
  if (parts.length === 0) throw new UsageError('merge needs at least one summary');
  const first = parts[0]!;
  const nameOf = (i: number) => names[i] ?? `summary ${i + 1}`;
  const seen = new Map<string, number>();
  parts.forEach((p, i) => {
    if (what(p) !== what(first)) throw new UsageError(`${nameOf(i)}: comes from a different soak (command, configuration or --expect differ)`);
    if (Boolean(p.shard) !== Boolean(first.shard) || (p.shard && p.shard.count !== first.shard!.count))
      throw new UsageError(`${nameOf(i)}: comes from a different soak (shard ${p.shard ? `${p.shard.index}/${p.shard.count}` : 'none'}, ${nameOf(0)} has ${first.shard ? `${first.shard.index}/${first.shard.count}` : 'none'})`);
    // A shard's iterations and seeds follow from its i/k: the same shard twice is the same runs counted twice.
    if (!p.shard) return;
    const key = `${p.shard.index}/${p.shard.count}`;
    const dup = seen.get(key);
    if (dup !== undefined) throw new UsageError(`${nameOf(i)}: shard ${key} again (already in ${nameOf(dup)}): it would be counted twice`);
    seen.set(key, i);
  });
  const k = first.shard?.count ?? 0;
  const missing = missingOf(new Set(parts.flatMap((p) => (p.shard ? [p.shard.index] : []))), k, opts.partial ? MAX_SHARDS : 10);
  if (missing.count && !opts.partial)
    throw new UsageError(
      `shard${missing.count === 1 ? '' : 's'} missing: ${missing.first.map((i) => `${i}/${k}`).join(', ')}${missing.count > missing.first.length ? ` and ${missing.count - missing.first.length} more` : ''} (${parts.length} of ${k} given; --partial merges a partial set)`,
    );
  const missingShards: Shard[] = missing.first.map((index) => ({ index, count: k }));
  const sum = (k: (typeof COUNTS)[number]) => parts.reduce((a, p) => a + p[k], 0);
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
    ...(missingShards.length ? { missingShards } : {}),
    environment: first.environment,
  };
}
