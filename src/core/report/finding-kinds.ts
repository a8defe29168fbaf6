// How often each finding kind showed up across iterations: an iteration with
// two findings of one kind counts once, so the counts compare with the
// number of hangs. Run loops, soaks and merged shards all count this way.

export type FindingKindCounts = Record<string, number>;

export function countIteration(into: FindingKindCounts, kinds: readonly string[]): void {
  for (const k of new Set(kinds)) into[k] = (into[k] ?? 0) + 1;
}

export function addCounts(into: FindingKindCounts, from: FindingKindCounts): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}
