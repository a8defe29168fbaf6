// Durations on the command line: 500ms, 5s, 1.5s, 10m, 2h.
import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The one way durations are written for people: 850ms, 2.0s, 10.0s, 3m05s. */
export function fmtDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: '${text}' is not a duration (use e.g. 500ms, 5s, 10m, 1h)`);
  const ms = Number(m[1]) * (UNITS[m[2]!] as number);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`${flag}: '${text}' must be longer than zero`);
  return Math.round(ms);
}

/** Now on CLOCK_MONOTONIC in ns (libuv's hrtime reads that clock on Linux): the clock of every trace event. */
export const nowNs = (): number => Number(process.hrtime.bigint());
