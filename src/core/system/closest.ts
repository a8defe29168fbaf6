// "Did you mean …?": the known words nearest to a mistyped one, by edit
// distance (insertions, deletions, substitutions and swaps of neighbours),
// so `--iteration` finds `--iterations` and `--timout` finds `--timeout`.

/** Damerau–Levenshtein distance (optimal string alignment) between a and b. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  return d[a.length]![b.length]!;
}

/**
 * The candidates nearest to `word`, if any is near enough to be a typo: at
 * most a third of the word's length away (at least 1, at most 3 edits), or
 * one that starts with the word (an abbreviation, `--iter`).
 */
export function closest(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  const scored = [...new Set(candidates)]
    .filter((c) => c !== word)
    .map((c) => ({ c, d: c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, c) }))
    .filter((x) => x.d <= limit);
  const best = Math.min(...scored.map((x) => x.d));
  return scored.filter((x) => x.d === best).map((x) => x.c).sort();
}
