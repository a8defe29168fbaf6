// One run of a program under the preload library (native/preload/): what it
// is given (the environment: the library for the exec shim to load into the
// program only, the findings file, the trace segment) and what is read back
// afterwards (which processes it got into, the check's findings, the rings of
// every traced thread). Used by `check` and by `soak --trace/--check`.
//
// Nothing it makes has a name while the program runs: the findings file is
// unlinked as soon as it is open and the segment at creation; the program's
// processes open both through /proc/<our pid>/fd/N, so whatever ends the CLI
// (even SIGKILL), nothing is left behind.
import { closeSync, existsSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingReader, Segment } from '../native/segment.js';
import type { TraceEvent } from '../native/layout.js';
import { EnvironmentError } from '../system/errors.js';
import { preloadPath } from '../system/paths.js';
import { expandLockPairs, tracedThreads, type TracedThread } from './traced.js';
import { checkFindings, type PreloadFinding } from './findings.js';
import { loadablePreloadPath } from './library-path.js';
import { parseLibraryLines } from './lines.js';

export type { PreloadFinding } from './findings.js';

export interface PreloadOptions {
  /** Record the check's findings (the library always says which processes it got into). */
  check: boolean;
  /** Trace: primitives in shared mappings only, or every one. */
  trace: 'off' | 'shared' | 'all';
  /** Threads that get a ring; more are counted, not traced. */
  threads?: number;
  /** Events per thread's ring. */
  ringEvents?: number;
  /** --chaos: yield or sleep around lock calls, from this seed (native/preload/jitter.c). */
  jitter?: { seed: number; intensity: number } | null;
}

export interface TraceOutcome {
  events: TraceEvent[];
  threads: TracedThread[];
  /** Threads that found every ring taken. */
  untracedThreads: number;
  /** Events overwritten before they were read, over all rings. */
  missed: number;
}

export interface PreloadOutcome {
  /** Processes the library was loaded into. */
  loaded: number[];
  findings: PreloadFinding[];
  /** What the user should know about the findings: callers not named for want of a tool, orders not kept, lines skipped. */
  notes: string[];
  trace: TraceOutcome | null;
}

export const DEFAULT_TRACE_THREADS = 256;
/** Events per thread: 1024 x 64 bytes = 64 KB a thread, at most 16 MB of /dev/shm for 256 threads (a container's is often 64 MB). */
export const DEFAULT_TRACE_EVENTS = 1024;
/** The most of the check's file that is read: the program can write to it too, and must not exhaust our memory. */
const MAX_CHECK_FILE = 64 * 1024 * 1024;

export class PreloadSession {
  private constructor(
    private readonly opts: PreloadOptions,
    private readonly findingsFd: number,
    private readonly segment: Segment | null,
  ) {}

  static open(opts: PreloadOptions): PreloadSession {
    const lib = preloadPath();
    if (!existsSync(lib)) throw new EnvironmentError(`the preload library is not built (${lib}): run 'npm run build'`);
    const fd = anonymousFile();
    try {
      const seg = opts.trace === 'off' ? null : Segment.create({ variant: 'fixed', nslaves: 0, rounds: 0, procCapacity: opts.threads ?? DEFAULT_TRACE_THREADS, ringEvents: opts.ringEvents ?? DEFAULT_TRACE_EVENTS });
      return new PreloadSession(opts, fd, seg);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** For the exec shim: it puts the library into the program only (MVAR_REPRO_PRELOAD), not into itself. */
  env(): Record<string, string> {
    return {
      MVAR_REPRO_PRELOAD: loadablePreloadPath(),
      MVAR_REPRO_CHECK_FILE: `/proc/${process.pid}/fd/${this.findingsFd}`,
      ...(this.opts.check ? { MVAR_REPRO_CHECK: '1' } : {}),
      ...(this.segment ? { MVAR_REPRO_TRACE: this.segment.openPath } : {}),
      ...(this.opts.trace === 'all' ? { MVAR_REPRO_TRACE_ALL: '1' } : {}),
      ...(this.opts.jitter ? { MVAR_REPRO_CHAOS: `${this.opts.jitter.seed}:${this.opts.jitter.intensity}` } : {}),
    };
  }

  /** What the program's processes wrote: readable while they run, and after any of them was killed. */
  collect(): PreloadOutcome {
    // Read from the start whatever was read before: the descriptor's offset is not ours to rely on.
    const size = fstatSync(this.findingsFd).size;
    const buf = Buffer.alloc(Math.min(size, MAX_CHECK_FILE));
    readSync(this.findingsFd, buf, 0, buf.length, 0);
    const lines = parseLibraryLines(buf.toString('utf8'));
    const found = this.opts.check ? checkFindings(lines) : { findings: [], notes: [] };
    return {
      loaded: [...new Set(lines.loaded.map((l) => l.pid))],
      findings: found.findings,
      notes: [...found.notes, ...(size > MAX_CHECK_FILE ? [`the check's file passed ${MAX_CHECK_FILE / 1024 / 1024} MiB: only its start was read`] : [])],
      trace: this.segment ? readTrace(this.segment) : null,
    };
  }

  close(): void {
    closeSync(this.findingsFd);
    this.segment?.close();
  }
}

function readTrace(seg: Segment): TraceOutcome {
  const snap = seg.snapshot();
  const claimed = snap.slots.slice(0, Math.min(snap.header.threadsClaimed, snap.header.procCapacity));
  const reader = new RingReader(seg, claimed.map((s) => ({ slot: s.index, role: 'thread' as const, id: s.id })));
  const events = expandLockPairs(reader.poll());
  return {
    events,
    // A slot is counted before its thread writes its pid into it.
    threads: tracedThreads(claimed.filter((s) => s.pid > 0), events, reader.missed),
    untracedThreads: Math.max(0, snap.header.threadsClaimed - snap.header.procCapacity),
    missed: reader.missed.reduce((a, b) => a + b, 0),
  };
}

/**
 * An empty file with no name, open for reading: its folder and name are removed
 * at once, so nothing is left behind whatever ends the CLI (even SIGKILL).
 */
function anonymousFile(): number {
  const dir = mkdtempSync(join(tmpdir(), 'mvar-repro-check-'));
  try {
    const file = join(dir, 'findings.ndjson');
    writeFileSync(file, '');
    return openSync(file, 'r');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
