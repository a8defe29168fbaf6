// The run loop on real processes: a hang whose processes cannot be inspected
// (all gone in the instant of the deadline) is still reported, said
// incomplete, and the loop goes on; it never aborts.
import { describe, expect, it } from 'vitest';
import type { RunConfig } from '../../../src/core/report/types.js';
import { runLoop, type IterationOutcome } from '../../../src/core/run/loop.js';
import { EnvironmentError } from '../../../src/core/system/errors.js';
import { tmp } from '../../helpers.js';

const config: RunConfig = {
  nslaves: 2,
  variant: 'fixed',
  fault: 'lose-value',
  runtime: 'native',
  slaveThread: 'worker',
  rounds: 3,
  timeoutMs: 1500,
  stallMs: 500,
  pollMs: 20,
  ringEvents: 1024,
  spawner: 'forkserver',
  early: false,
};

describe('runLoop', () => {
  it('a hang that cannot be inspected is a hang said incomplete; the next iteration runs', async () => {
    const done: IterationOutcome[] = [];
    const s = await runLoop(
      {
        config,
        iterations: 2,
        untilHang: false,
        parallel: 1,
        reportDir: tmp(),
        saveAll: false,
        inspect: async () => {
          throw new EnvironmentError('cannot inspect 1234: 1234: task: process gone');
        },
        signal: new AbortController().signal,
      },
      { iterationDone: (o) => done.push(o) },
    );
    expect(s).toMatchObject({ iterations: 2, hangs: 2, interrupted: false });
    for (const o of done) {
      expect(o.verdict).toBe('hang');
      expect(o.incomplete).toEqual(['the processes could not be inspected: cannot inspect 1234: 1234: task: process gone']);
    }
  }, 30_000);
});
