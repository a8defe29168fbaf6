// Trace statistics and the Wilson interval, on the recorded baseline run.
import { describe, expect, it } from 'vitest';
import { byProcess, quantile, quantiles, traceStats, wilson } from '../../../src/core/trace/stats.js';
import { baseline } from '../recorded.js';

describe('wilson', () => {
  it('matches the closed form for k of n (values from the textbook formula)', () => {
    // 20 of 20: low = n / (n + z^2) = 20 / 23.8415 = 0.838875; 0 of 20: high = z^2 / (n + z^2) = 0.161125.
    const all = wilson(20, 20);
    expect(all.rate).toBe(1);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.838875, 5);
    const none = wilson(0, 20);
    expect(none.low).toBe(0);
    expect(none.high).toBeCloseTo(0.161125, 5);
    const h = wilson(5, 10);
    expect(h.low).toBeCloseTo(0.236593, 5);
    expect(h.high).toBeCloseTo(0.763407, 5);
  });

  it('with no hang, the upper bound falls below 0.3 % only after about 1,280 iterations', () => {
    expect(wilson(0, 1270).high).toBeGreaterThan(0.003);
    expect(wilson(0, 1290).high).toBeLessThan(0.003);
  });

  it('is [0, 1] with no trial, and the interval always holds the rate', () => {
    expect(wilson(0, 0)).toEqual({ rate: 0, low: 0, high: 1 });
    for (const [k, n] of [[1, 3], [7, 9], [0, 1], [1000, 1000]] as const) {
      const w = wilson(k, n);
      expect(w.low).toBeLessThanOrEqual(w.rate);
      expect(w.high).toBeGreaterThanOrEqual(w.rate);
    }
  });
});

describe('quantiles', () => {
  it('are nearest-rank over the sorted values', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(quantile([...v].sort((a, b) => a - b), 0.5)).toBe(50);
    expect(quantiles(v)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(quantiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

describe('traceStats on the recorded fixed-n20 run', () => {
  const { report, events } = baseline();
  const s = traceStats(events);

  it('counts every completed operation of the protocol: N*(R+1) takes and N + N*R puts', () => {
    const n = report.config.nslaves;
    const r = report.config.rounds;
    expect(s.events).toBe(events.length);
    expect(s.opsCompleted).toEqual({ take: n * (r + 1), put: n + n * r });
    expect(s.ownerDied).toBe(0);
    expect(s.errors).toBe(0);
  });

  it('agrees with what the report recorded when the run was written', () => {
    expect(s.opsCompleted).toEqual(report.stats.opsCompleted);
    expect(s.lockTimeouts).toBe(report.stats.lockTimeouts);
    expect(s.waitTimeouts).toBe(report.stats.waitTimeouts);
  });

  it('has latency quantiles per role, one whole operation per done event', () => {
    const perProcess = byProcess(events);
    expect(perProcess.size).toBe(report.config.nslaves + 1);
    const slaveOps = s.byRole.slave!.opMs;
    expect(slaveOps.count).toBe(report.config.nslaves * (2 * report.config.rounds + 1));
    expect(slaveOps.p50).toBeLessThanOrEqual(slaveOps.p95);
    expect(slaveOps.p95).toBeLessThanOrEqual(slaveOps.max);
  });
});
