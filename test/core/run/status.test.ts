// Where a loop stands: rate and time left, from its counts and bounds.
import { describe, expect, it } from 'vitest';
import { loopStatus } from '../../../src/core/run/status.js';

const counts = (done: number) => ({ started: done + 1, done, hangs: 1, failures: 0, active: 1 });

describe('loopStatus', () => {
  it('a count: the rate so far and the time the rest takes at it', () => {
    const s = loopStatus(counts(50), { iterations: 200 }, 10_000);
    expect(s.perSecond).toBe(5);
    expect(s.etaMs).toBe(30_000);
    expect(s.target).toBe(200);
  });

  it('a duration: what is left of it, or the count if that ends first; nothing before the first iteration', () => {
    expect(loopStatus(counts(10), { durationMs: 60_000 }, 20_000).etaMs).toBe(40_000);
    expect(loopStatus(counts(90), { iterations: 100, durationMs: 60_000 }, 9_000).etaMs).toBe(1_000);
    expect(loopStatus(counts(0), { iterations: 100 }, 500)).toMatchObject({ perSecond: null, etaMs: null });
    expect(loopStatus(counts(3), {}, 500)).toMatchObject({ target: null, etaMs: null });
    expect(loopStatus(counts(10), { durationMs: 5_000 }, 9_000).etaMs).toBe(0);
  });
});
