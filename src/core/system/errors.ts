// Exit codes and the errors that map onto them. Every error a user can cause
// becomes one of these classes, so the CLI prints one line and exits with the
// documented code instead of a stack trace.
import { ExitCode } from './exit-codes.js';

/** Something the user typed or passed is wrong: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The machine cannot do what was asked: exit 3. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
}

/** The run was interrupted by a signal; carries the exit code to use. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`);
  }
  get exitCode(): ExitCode {
    return this.signal === 'SIGINT' ? ExitCode.Interrupted : ExitCode.Terminated;
  }
}

export function exitCodeOf(e: unknown): ExitCode {
  if (e instanceof UsageError) return ExitCode.Usage;
  if (e instanceof InterruptedError) return e.exitCode;
  return ExitCode.Environment;
}

const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EEXIST: 'already exists',
};

/** A file system error in words, with its code: "no space left on device (ENOSPC)". */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const words = code ? FS_REASONS[code] : undefined;
  return words ? `${words} (${code})` : code ?? (e as Error).message;
}

/** One line, no stack: what the CLI prints for an error. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}
