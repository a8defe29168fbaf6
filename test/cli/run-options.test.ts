// Validation of `run` / `soak` options into a RunConfig.
import { describe, expect, it, vi } from 'vitest';
import { ignoredOptions, loopArgs, MAX_NODE_SLAVES, MAX_SLAVES, parseCount, type RunArgs } from '../../src/cli/run-options.js';
import { UsageError } from '../../src/core/system/errors.js';

/** What yargs hands over when only `o` was given (options whose presence matters have no yargs default). */
const args = (o: Partial<RunArgs> = {}): RunArgs => ({
  N: '2',
  fault: 'none',
  runtime: 'native',
  rounds: '10',
  timeout: '10s',
  'ring-events': '4096',
  expect: 'none',
  quiet: true,
  ...o,
});

describe('loopArgs', () => {
  it('defaults: 2 slaves on the original variant, one iteration, reports only for hangs', () => {
    const a = loopArgs(args());
    expect(a.config).toMatchObject({ nslaves: 2, variant: 'original', fault: 'none', timeoutMs: 10_000, stallMs: 2000, spawner: 'forkserver' });
    expect(a).toMatchObject({ iterations: undefined, untilHang: false, reportDir: 'reports', saveAll: false, expectHang: false });
  });

  it('a fault runs on fixed and needs its slaves; original + fault is refused', () => {
    expect(loopArgs(args({ fault: 'abba', N: '2' })).config.variant).toBe('fixed');
    expect(() => loopArgs(args({ fault: 'abba', N: '1' }))).toThrow(/needs at least 2 slaves/);
    expect(() => loopArgs(args({ fault: 'lose-value', variant: 'original' }))).toThrow(/drop --variant original/);
  });

  it('clamps a stall that is not shorter than the timeout, and says so only when the stall was given', () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(loopArgs(args({ timeout: '1s', stall: '5s', quiet: false })).config.stallMs).toBe(500);
      expect(said).toHaveBeenCalledTimes(1);
      expect(loopArgs(args({ timeout: '1s', quiet: false })).config.stallMs).toBe(500);
      expect(loopArgs(args({ timeout: '3s', quiet: false })).config.stallMs).toBe(2000);
      expect(said).toHaveBeenCalledTimes(1);
    } finally {
      said.mockRestore();
    }
  });

  it('caps N, and Node slaves lower; node always spawns with execa', () => {
    expect(() => loopArgs(args({ N: String(MAX_SLAVES + 1) }))).toThrow(/above the cap/);
    expect(() => loopArgs(args({ N: String(MAX_NODE_SLAVES + 1), runtime: 'node' }))).toThrow(/--runtime node/);
    expect(loopArgs(args({ runtime: 'node' })).config.spawner).toBe('execa');
  });

  it('--chaos records a seed (given, or a random one) and an intensity in 1..10', () => {
    expect(loopArgs(args()).config.chaos).toBeNull();
    expect(loopArgs(args({ chaos: true, seed: '42', 'chaos-intensity': '7' })).config.chaos).toEqual({ seed: 42, intensity: 7 });
    expect(loopArgs(args({ chaos: true })).config.chaos!.seed).toBeGreaterThan(0);
    expect(() => loopArgs(args({ chaos: true, 'chaos-intensity': '11' }))).toThrow(/--chaos-intensity = 11 is above the cap of 10/);
  });

  it('an explicit report dir saves good runs too', () => {
    expect(loopArgs(args({ 'report-dir': '/tmp/x' })).saveAll).toBe(true);
  });

  it('refuses bad counts and names with one line', () => {
    for (const o of [{ N: '0' }, { N: 'abc' }, { N: '-3' }, { rounds: '0' }, { 'ring-events': '8' }, { iterations: '1.5' }, { 'save-baseline': '../x' }])
      expect(() => loopArgs(args(o))).toThrow(UsageError);
  });
});

describe('ignoredOptions', () => {
  it('names each option given where it does nothing, and only those', () => {
    expect(ignoredOptions(args())).toEqual([]);
    expect(ignoredOptions(args({ seed: '7' }))).toEqual(['--seed has no effect without --chaos (it seeds the chaos decisions)']);
    expect(ignoredOptions(args({ seed: '7', chaos: true, 'chaos-intensity': '3' }))).toEqual([]);
    expect(ignoredOptions(args({ 'chaos-intensity': '3' }))).toEqual(['--chaos-intensity has no effect without --chaos']);
    expect(ignoredOptions(args({ 'slave-thread': 'main' }))[0]).toMatch(/^--slave-thread has no effect without --runtime node/);
    expect(ignoredOptions(args({ 'slave-thread': 'main', runtime: 'node' }))).toEqual([]);
    expect(ignoredOptions(args({ spawner: 'execa', runtime: 'node' }))[0]).toMatch(/^--spawner has no effect with --runtime node/);
    expect(ignoredOptions(args({ quiet: true, json: true }))[0]).toMatch(/^--quiet has no effect with --json/);
  });

  it('warns on stderr, one line each, and the options still parse', () => {
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(loopArgs(args({ seed: '7' })).config.chaos).toBeNull();
      expect(said.mock.calls.map((c) => String(c[0]))).toEqual(['mvar-repro: warning: --seed has no effect without --chaos (it seeds the chaos decisions)\n']);
    } finally {
      said.mockRestore();
    }
  });
});

describe('parseCount', () => {
  it('takes whole numbers in range only', () => {
    expect(parseCount(' 7 ', 'N', 1, 10)).toBe(7);
    expect(() => parseCount('11', 'N', 1, 10)).toThrow(/above the cap of 10/);
    expect(() => parseCount('0', 'N', 1, 10)).toThrow(/at least 1/);
    expect(() => parseCount('x', 'N', 1, 10)).toThrow(/whole number/);
  });
});
