// Which reports a soak keeps: the first K as they come, of the rest only the last.
import { describe, expect, it } from 'vitest';
import { ReportKeeper, type Keepable } from '../../../src/core/soak/keep.js';

function item(i: number, log: string[], fail = false) {
  const settled: (string | null)[] = [];
  const k: Keepable = {
    save: async () => {
      log.push(`save ${i}`);
      return fail ? { path: null, error: 'disk full' } : { path: `/r/${i}`, error: null };
    },
    settle: (s) => settled.push(s === 'dropped' ? 'dropped' : s.path),
  };
  return { k, settled };
}

describe('ReportKeeper', () => {
  it('saves the first K at once, holds only the latest of the rest, and saves it at the end', async () => {
    const log: string[] = [];
    const keeper = new ReportKeeper(2);
    const items = Array.from({ length: 5 }, (_, i) => item(i + 1, log));
    for (const { k } of items) await keeper.offer(k);
    expect(log).toEqual(['save 1', 'save 2']);
    await keeper.flush();
    expect(log).toEqual(['save 1', 'save 2', 'save 5']);
    expect(items.map((x) => x.settled)).toEqual([['/r/1'], ['/r/2'], ['dropped'], ['dropped'], ['/r/5']]);
    expect(keeper.counts()).toEqual({ kept: 3, of: 5, limit: 2 });
  });

  it('parallel offers never pass the limit; a report the disk refused is not counted as kept', async () => {
    const log: string[] = [];
    const keeper = new ReportKeeper(3);
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => keeper.offer(item(i, log, i === 2).k)));
    expect(log).toHaveLength(3);
    await keeper.flush();
    expect(keeper.counts()).toEqual({ kept: 3, of: 6, limit: 3 });
  });

  it('K = 0 keeps the last only; nothing offered, nothing saved', async () => {
    const log: string[] = [];
    const keeper = new ReportKeeper(0);
    for (const i of [1, 2, 3]) await keeper.offer(item(i, log).k);
    await keeper.flush();
    expect(log).toEqual(['save 3']);
    const none = new ReportKeeper(5);
    await none.flush();
    expect(none.counts()).toEqual({ kept: 0, of: 0, limit: 5 });
  });
});
