// Starting an iteration's processes. Two implementations: the native fork
// server (launcher-forkserver.ts, the default for native processes: a fork of
// a small C process costs microseconds) and one execa child per process
// (launcher-execa.ts: the Node runtime, or --spawner execa).
import { constants } from 'node:os';
import type { Role } from '../../native/vocabulary.js';
import type { ChaosRecord } from '../../report/types.js';

export type ChaosActions = NonNullable<ChaosRecord['actions']>;

export interface ProcessSpec {
  role: Extract<Role, 'master' | 'slave'>;
  id: number;
}

export interface ExitInfo {
  /** Exit status, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when the exit was observed. */
  atMs: number;
  /** Last lines the process wrote to stderr, when they could be attributed to it. */
  stderr: string;
}

export interface Launched {
  /** pid of procs[i]. */
  readonly pids: number[];
  /** Settles when procs[i] has exited and been reaped. Never rejects. */
  readonly exits: Promise<ExitInfo>[];
  /** SIGKILL every process of this launch that has not been reaped yet. */
  killAll(): void;
  /** When the launcher runs chaos itself (the fork server): end it, everyone continued, and say what it did. */
  stopChaos?(): Promise<ChaosActions | null>;
  /** The processes run under the preload library, which jitters their lock calls while chaos is on. */
  readonly jitter?: boolean;
}

export interface Launcher {
  readonly kind: 'forkserver' | 'execa';
  /**
   * Starts procs on the named segment; procs must be the master and slaves 1..N for the fork server.
   * With chaos, a launcher that can starts it beside them the moment they exist (Launched.stopChaos).
   */
  launch(segment: string, procs: ProcessSpec[], chaos?: { seed: number; intensity: number }): Promise<Launched>;
  /** Kills anything still running and releases the launcher. */
  close(): Promise<void>;
}

const byNumber = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

export function signalName(n: number): NodeJS.Signals | null {
  return byNumber.get(n) ?? null;
}
