// What every bench section shares: the log line, statistics over samples,
// the RunConfig the sections start from, and the wall time of a CLI command.
//
// Reproducible figures: every figure is the median of several repetitions,
// given with its spread (the lowest and highest repetition), and a ratio is
// taken per repetition between arms run in turn (A B A B ...), so that a
// machine's drift during the run lands on both arms alike. Two runs on one
// machine should agree within the spreads they print.
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

/** A figure: the median of its repetitions and their spread. */
export interface Figure {
  median: number;
  low: number;
  high: number;
  reps: number;
}

export function figure(xs: number[]): Figure {
  const ok = xs.filter(Number.isFinite);
  return { median: r2(median(ok)), low: r2(Math.min(...ok)), high: r2(Math.max(...ok)), reps: ok.length };
}

/** "1.37x (1.30-1.45 over 5)": the median, then the spread and how many repetitions it comes from. */
export function show(f: Figure, unit = ''): string {
  return `${f.median}${unit} (${f.low}-${f.high}${unit} over ${f.reps})`;
}

/** Per-repetition ratios a[i] / b[i] of two arms run in turn. */
export function ratios(a: number[], b: number[]): Figure {
  return figure(a.map((x, i) => x / b[i]!));
}

/**
 * Runs every arm once per repetition, in turn, `reps` times; returns each
 * arm's samples in repetition order. An arm returns one sample.
 */
export async function interleave<K extends string>(reps: number, arms: Record<K, () => Promise<number>>): Promise<Record<K, number[]>> {
  const out = Object.fromEntries(Object.keys(arms).map((k) => [k, [] as number[]])) as unknown as Record<K, number[]>;
  for (let i = 0; i < reps; i++) for (const k of Object.keys(arms) as K[]) out[k].push(await arms[k]());
  return out;
}

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
