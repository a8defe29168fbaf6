import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/core/system/duration.js';
import { UsageError } from '../../../src/core/system/errors.js';

describe('parseDuration', () => {
  it('reads ms, s, m and h, with fractions', () => {
    expect(parseDuration('500ms', '--t')).toBe(500);
    expect(parseDuration('1.5s', '--t')).toBe(1500);
    expect(parseDuration(' 10m ', '--t')).toBe(600_000);
    expect(parseDuration('2h', '--t')).toBe(7_200_000);
  });

  it('refuses anything else with one line naming the flag', () => {
    for (const bad of ['soon', '5', '-1s', '0s', '1.5', 's', '1e3ms']) {
      expect(() => parseDuration(bad, '--timeout')).toThrow(UsageError);
      expect(() => parseDuration(bad, '--timeout')).toThrow(/^--timeout: /);
    }
  });
});
