// The watchdog's classes, on observations as the iteration makes them.
import { describe, expect, it } from 'vitest';
import type { SlotInfo } from '../../../src/core/native/layout.js';
import { classify, exitExpectedByFault, type Observed } from '../../../src/core/run/watchdog.js';

const MS = 1e6;
const slot = (state: SlotInfo['state']) => ({ state }) as SlotInfo;
const start = 1_000 * MS;
const obs = (o: Partial<Observed>): Observed => ({
  role: 'slave',
  id: 1,
  exit: undefined,
  slot: slot('running'),
  lastEventNs: 0,
  lastDoneNs: 0,
  lastTimeoutNs: 0,
  ...o,
});
const exit = (code: number | null, signal: NodeJS.Signals | null = null) => ({ code, signal, stderr: '', atMs: 0 });

describe('classify', () => {
  const stall = 100;
  it('an exited process: done only with exit 0 after its slot says done', () => {
    expect(classify(obs({ exit: exit(0), slot: slot('done') }), start, start, stall)).toBe('done');
    expect(classify(obs({ exit: exit(0), slot: slot('running') }), start, start, stall)).toBe('exited-with-error');
    expect(classify(obs({ exit: exit(3), slot: slot('failed') }), start, start, stall)).toBe('exited-with-error');
    expect(classify(obs({ exit: exit(null, 'SIGKILL') }), start, start, stall)).toBe('killed');
  });

  it('stuck: alive, unfinished, no event for longer than the stall (counted from the start if it never wrote one)', () => {
    const now = start + 150 * MS;
    expect(classify(obs({ lastEventNs: start + 10 * MS }), now, start, stall)).toBe('stuck');
    expect(classify(obs({}), now, start, stall)).toBe('stuck');
    expect(classify(obs({ lastEventNs: start + 60 * MS }), now, start, stall)).toBe('running');
    expect(classify(obs({}), start + 90 * MS, start, stall)).toBe('running');
  });

  it('starving: still timing out within the stall, but nothing completed for longer', () => {
    const now = start + 300 * MS;
    const retrying = { lastEventNs: now - 5 * MS, lastTimeoutNs: now - 5 * MS };
    expect(classify(obs({ ...retrying, lastDoneNs: start + 10 * MS }), now, start, stall)).toBe('starving');
    expect(classify(obs({ ...retrying, lastDoneNs: now - 50 * MS }), now, start, stall)).toBe('running');
    expect(classify(obs({ lastEventNs: now - 5 * MS, lastDoneNs: start }), now, start, stall)).toBe('running');
  });

  it('a process whose slot says finished is on its way out, not stuck', () => {
    expect(classify(obs({ slot: slot('done') }), start + 500 * MS, start, stall)).toBe('running');
  });
});

describe('exitExpectedByFault', () => {
  it('excuses only the staged exit of the fault target', () => {
    const victim = obs({ id: 1, exit: exit(null, 'SIGKILL') });
    expect(exitExpectedByFault(victim, 'kill-holder', 1)).toBe(true);
    expect(exitExpectedByFault(victim, 'kill-holder-nonrobust', 1)).toBe(true);
    expect(exitExpectedByFault(victim, 'kill-holder', 2)).toBe(false);
    expect(exitExpectedByFault(victim, 'none', 1)).toBe(false);
    expect(exitExpectedByFault(obs({ id: 1, exit: exit(0) }), 'lose-value', 1)).toBe(true);
    expect(exitExpectedByFault(obs({ id: 1, exit: exit(0) }), 'kill-holder', 1)).toBe(false);
    expect(exitExpectedByFault(obs({ role: 'master', id: 1, exit: exit(null, 'SIGKILL') }), 'kill-holder', 1)).toBe(false);
  });
});
