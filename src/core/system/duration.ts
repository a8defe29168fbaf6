// Durations on the command line: 500ms, 5s, 1.5s, 10m, 2h, 30d — whole
// milliseconds, bounded above so that every wait the tool makes is one it can
// really make.
import { UsageError } from './errors.js';

const DAY_MS = 86_400_000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/**
 * The longest single wait (--timeout, --stall, --interval): a Node timer
 * fires at once when asked for more than 2^31 - 1 ms (24.8 days), which would
 * turn a long deadline into an instant false verdict; 24 whole days stays
 * under it.
 */
export const MAX_WAIT_MS = 24 * DAY_MS;

/** The longest loop (--duration): it is measured on the clock, never waited on with a timer, so only sense bounds it. */
export const MAX_LOOP_MS = 366 * DAY_MS;

/** The one way durations are written for people: 850ms, 2.0s, 10.0s, 3m05s. */
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** A duration in whole ms, from 1 ms to maxMs; anything else is one UsageError line naming the flag. */
export function parseDuration(text: string, flag: string, maxMs = MAX_WAIT_MS): number {
  const t = String(text).trim();
  const m = /^(\d{1,15}(?:\.\d{1,9})?)(ms|s|m|h|d)$/.exec(t);
  if (!m) throw new UsageError(`${flag}: '${t.slice(0, 40)}' is not a duration (use e.g. 500ms, 5s, 10m, 1h, 2d)`);
  const ms = Number(m[1]) * (UNITS[m[2]!] as number);
  if (ms === 0) throw new UsageError(`${flag}: '${t}' must be longer than zero`);
  if (ms < 1) throw new UsageError(`${flag}: '${t}' is shorter than a millisecond, the finest step the tool waits in`);
  if (ms > maxMs) throw new UsageError(`${flag}: '${t}' is longer than ${fmtLimit(maxMs)}, the most it can be`);
  return Math.round(ms);
}

const fmtLimit = (ms: number) => (ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${ms}ms`);

/** Now on CLOCK_MONOTONIC in ns (libuv's hrtime reads that clock on Linux): the clock of every trace event. */
export const nowNs = (): number => Number(process.hrtime.bigint());
