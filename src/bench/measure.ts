// What every bench section shares: the log line, statistics over samples,
// the RunConfig the sections start from, and the wall time of a CLI command.
import { execa } from 'execa';
import { resolve } from 'node:path';
import type { RunConfig } from '../core/report/types.js';
import { packageRoot } from '../core/system/paths.js';

export const quick = process.argv.includes('--quick');
export const log = (s: string) => process.stderr.write(`bench: ${s}\n`);
/** A signal that never aborts: the bench's loops run to their count. */
export const never = new AbortController().signal;

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
export const r2 = (v: number) => Math.round(v * 100) / 100;

/** The run every section varies: 50 native slaves on the fixed MVar, early verdicts on, a deadline no good run nears. */
export const config = (over: Partial<RunConfig>): RunConfig => ({
  nslaves: 50,
  variant: 'fixed',
  fault: 'none',
  runtime: 'native',
  slaveThread: 'worker',
  rounds: 10,
  timeoutMs: 30_000,
  stallMs: 2000,
  pollMs: 50,
  ringEvents: 4096,
  spawner: 'forkserver',
  early: true,
  ...over,
});

/** Wall time of one CLI command, and its exit code. */
export async function cliWall(args: string[]): Promise<{ ms: number; code: number; stdout: string }> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [resolve(packageRoot(), 'dist', 'cli', 'main.js'), ...args], { reject: false });
  return { ms: performance.now() - t0, code: r.exitCode ?? -1, stdout: String(r.stdout) };
}
