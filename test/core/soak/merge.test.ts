// Merging soak shard summaries: counts add up, rates and intervals are
// recomputed from the sums, summaries of another soak are refused. The
// summaries come from soakSummary, the function soak itself uses.
import { copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/core/run/loop.js';
import { mergeSummaries, readSummaries, readSummary } from '../../../src/core/soak/merge.js';
import { soakSummary } from '../../../src/core/soak/soak.js';
import { UsageError } from '../../../src/core/system/errors.js';
import { wilson } from '../../../src/core/trace/stats.js';
import { tmp } from '../../helpers.js';

const outcome = (index: number, verdict: Outcome['verdict'], kinds: string[] = []): Outcome => ({
  index,
  verdict,
  wallMs: 10,
  lateByMs: null,
  proof: null,
  summary: verdict,
  findingKinds: kinds,
  findingSummaries: [],
  incomplete: [],
  reportPath: verdict === 'hang' ? `/r/${index}` : null,
  saveError: null,
});

const shard = (index: number, outcomes: Outcome[], command: string[] | null = ['prog']) =>
  soakSummary(outcomes, { shard: { index, count: 2 }, command, config: { timeoutMs: 1000 }, expect: 'none', wallMs: 60_000, interrupted: false });

describe('mergeSummaries', () => {
  const a = shard(1, [outcome(1, 'completed'), outcome(2, 'hang', ['no-waker', 'no-waker']), outcome(3, 'failed')]);
  const b = shard(2, [outcome(1, 'hang', ['no-waker', 'stopped']), outcome(2, 'completed')]);

  it('adds the counts and recomputes the interval from the sums', () => {
    const m = mergeSummaries([a, b]);
    expect(m).toMatchObject({ iterations: 5, passes: 2, hangs: 2, failures: 1, shards: 2, shard: null });
    expect(m.hangRate).toEqual(wilson(2, 5));
    expect(m.failureRate).toEqual(wilson(1, 5));
    // an iteration with two findings of one kind counts once
    expect(m.findingKinds).toEqual({ 'no-waker': 2, stopped: 1 });
    expect(m.firstHang).toEqual({ shard: 2, iteration: 1, report: '/r/1' });
    expect(m.reports.sort()).toEqual(['/r/1', '/r/2']);
  });

  it('refuses the same shard twice, and a missing shard unless a partial set is accepted, naming them', () => {
    expect(() => mergeSummaries([a, b, a], ['a.json', 'b.json', 'again.json'])).toThrow(/again\.json: shard 1\/2 again \(already in a\.json\)/);
    const of = (i: number, k: number) => soakSummary([outcome(1, 'completed')], { shard: { index: i, count: k }, command: ['prog'], config: { timeoutMs: 1000 }, expect: 'none', wallMs: 1000, interrupted: false });
    expect(() => mergeSummaries([of(1, 3), of(3, 3)])).toThrow(/^shard missing: 2\/3 \(2 of 3 given; --partial merges a partial set\)$/);
    expect(mergeSummaries([of(1, 3), of(3, 3)], [], { partial: true }).missingShards).toEqual([{ index: 2, count: 3 }]);
    expect(mergeSummaries([of(1, 3), of(2, 3), of(3, 3)]).missingShards).toBeUndefined();
    // Shards of different splits are not one soak.
    expect(() => mergeSummaries([of(1, 2), of(2, 3)], ['x.json', 'y.json'])).toThrow(/y\.json: comes from a different soak \(shard 2\/3, x\.json has 1\/2\)/);
  });

  it('a shard count claimed in a summary costs nothing in proportion to it', () => {
    const of = (i: number) => soakSummary([outcome(1, 'completed')], { shard: { index: i, count: 10_000 }, command: ['prog'], config: { timeoutMs: 1000 }, expect: 'none', wallMs: 1000, interrupted: false });
    expect(() => mergeSummaries([of(1), of(10_000)])).toThrow(/^shards missing: 2\/10000, 3\/10000, .*, 11\/10000 and 9988 more/);
    expect(mergeSummaries([of(1), of(10_000)], [], { partial: true }).missingShards).toHaveLength(9998);
  });

  it('refuses summaries of a different soak', () => {
    const other = shard(2, [outcome(1, 'completed')], ['other']);
    expect(() => mergeSummaries([a, other], ['a.json', 'b.json'])).toThrow(/b\.json: comes from a different soak/);
    expect(() => mergeSummaries([])).toThrow(UsageError);
  });
});

describe('readSummary', () => {
  it('reads back what soak writes and refuses what is not a summary, in one line naming the file', () => {
    const dir = tmp();
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(shard(1, [outcome(1, 'completed')])));
    expect(readSummary(good).iterations).toBe(1);
    const cases: [string, string, RegExp][] = [
      ['empty.json', '', /empty\.json: not a soak summary: empty file/],
      ['cut.json', '{"kind":', /cut\.json: not a soak summary: invalid or truncated JSON/],
      ['other.json', '{"kind":"x"}', /other\.json: not an mvar-repro soak summary/],
      ['future.json', '{"kind":"mvar-repro-soak-summary","schemaVersion":9}', /future\.json: soak summary schema version 9 is not supported/],
      ['bent.json', '{"kind":"mvar-repro-soak-summary","schemaVersion":1,"iterations":"x"}', /bent\.json: not a valid soak summary: /],
    ];
    for (const [name, text, re] of cases) {
      writeFileSync(join(dir, name), text);
      expect(() => readSummary(join(dir, name))).toThrow(re);
    }
    expect(() => readSummary(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read: no such file or directory \(ENOENT\)/);
    // A claim no soak makes is refused, not believed (a shard count of 300 million, a count that is not one).
    const claim = (over: object) => {
      const f = join(dir, 'claim.json');
      writeFileSync(f, JSON.stringify({ ...shard(1, [outcome(1, 'completed')]), ...over }));
      return () => readSummary(f);
    };
    expect(claim({ shard: { index: 1, count: 300_000_000 } })).toThrow(/claim\.json: not a valid soak summary: shard 1\/300000000 is not i\/k with 1 <= i <= k <= 10000/);
    expect(claim({ iterations: 1e308 })).toThrow(/claim\.json: not a valid soak summary: iterations is 1e\+308, not a count/);
    expect(claim({ hangs: -1 })).toThrow(/hangs is -1, not a count/);
  });

  it('refuses one summary given twice: the same file by any path, or a copy of it', () => {
    const dir = tmp();
    const one = join(dir, 'one.json');
    writeFileSync(one, JSON.stringify(shard(1, [outcome(1, 'completed')])));
    symlinkSync(one, join(dir, 'link.json'));
    copyFileSync(one, join(dir, 'copy.json'));
    writeFileSync(join(dir, 'two.json'), JSON.stringify(shard(2, [outcome(1, 'completed')])));
    expect(() => readSummaries([one, one])).toThrow(/one\.json: the same summary as .*one\.json: it would be counted twice/);
    expect(() => readSummaries([one, join(dir, 'link.json')])).toThrow(/link\.json: the same summary as .*one\.json/);
    expect(() => readSummaries([one, join(dir, 'copy.json')])).toThrow(/copy\.json: the same summary as .*one\.json/);
    expect(readSummaries([one, join(dir, 'two.json')])).toHaveLength(2);
  });
});
