import { describe, expect, it } from 'vitest';
import { MAX_LOOP_MS, MAX_WAIT_MS, parseDuration } from '../../../src/core/system/duration.js';
import { UsageError } from '../../../src/core/system/errors.js';

describe('parseDuration', () => {
  it('reads ms, s, m, h and d, with fractions', () => {
    expect(parseDuration('500ms', '--t')).toBe(500);
    expect(parseDuration('1.5s', '--t')).toBe(1500);
    expect(parseDuration(' 10m ', '--t')).toBe(600_000);
    expect(parseDuration('2h', '--t')).toBe(7_200_000);
    expect(parseDuration('24d', '--t')).toBe(MAX_WAIT_MS);
    expect(parseDuration('30d', '--duration', MAX_LOOP_MS)).toBe(30 * 86_400_000);
  });

  it('refuses anything else with one line naming the flag', () => {
    for (const bad of ['soon', '5', '-1s', '0s', '1.5', 's', '1e3ms', 'NaN', 'Infinityms', '0.0001ms', '0.5ms', '2147483648ms', '25d', '99999999999999999999999h', '1.0000000001s', '']) {
      expect(() => parseDuration(bad, '--timeout'), bad).toThrow(UsageError);
      expect(() => parseDuration(bad, '--timeout'), bad).toThrow(/^--timeout: /);
    }
  });

  it('every wait fits a Node timer (2^31 - 1 ms); a loop may run far longer', () => {
    expect(MAX_WAIT_MS).toBeLessThan(2 ** 31 - 1);
    expect(() => parseDuration('367d', '--duration', MAX_LOOP_MS)).toThrow(/longer than 366d/);
  });
});
