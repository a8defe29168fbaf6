// Ctrl-C and SIGTERM: the first one aborts the work (children are killed,
// reaped and the segment unlinked by the core); a second one exits at once,
// and the synchronous exit hooks still kill children and unlink segments.
// While a hung run is kept for a debugger, a signal releases it instead.
import { InterruptedError } from '../core/system/errors.js';
import { ExitCode } from '../core/system/exit-codes.js';

const controller = new AbortController();
let release: (() => void) | undefined;

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (release) {
    const r = release;
    release = undefined;
    r();
    return;
  }
  if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated);
  controller.abort(new InterruptedError(signal));
}

export function installSignals(): AbortSignal {
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return controller.signal;
}

/** Resolves at the next SIGINT/SIGTERM without aborting the run. */
export function waitForRelease(): Promise<void> {
  return new Promise((resolve) => (release = resolve));
}

export function interruptedExitCode(signal: AbortSignal): ExitCode | null {
  return signal.reason instanceof InterruptedError ? signal.reason.exitCode : null;
}
