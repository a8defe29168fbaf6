// Every exit code the tool documents, with what it means for each command:
// the one table behind errors.ts, every command's --help and the README's
// table (a test holds the README to it).

export const ExitCode = {
  /** No hang; diff equivalent; diagnose has no finding (nothing proven stuck). */
  Ok: 0,
  /** Hang reproduced; diff divergent; diagnose found something. */
  Found: 1,
  /** Bad command line or unreadable input. */
  Usage: 2,
  /** Cannot do the work here: no addon, cannot create a segment, cannot inspect. */
  Environment: 3,
  /** A process failed (crashed or exited non-zero) and nothing hung. */
  Failed: 4,
  /** SIGINT (Ctrl-C). */
  Interrupted: 130,
  /** SIGTERM. */
  Terminated: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export type CommandName = 'run' | 'soak' | 'merge' | 'diagnose' | 'diff' | 'report' | 'check';

interface CodeMeaning {
  code: ExitCode;
  /** What it means for any command (the README's table). */
  general: string;
  /** What it means for a command, where that command can exit with it. */
  per: Partial<Record<CommandName, string>>;
}

const LOOPS = { hang: 'a hang (with --expect hang: none reproduced)', ok: 'no hang (with --expect hang: a hang reproduced)' };
const SOAK_FOUND = `${LOOPS.hang}; with --check, also a finding of the check in any iteration`;

/** Finding kinds of the preload library's check (`check`, `soak --check`); src/core/preload/findings.ts says what each means. */
export const CHECK_FINDING_KINDS = [
  'private-primitive-in-shared-memory',
  'condvar-deadline-on-another-clock',
  'lock-order-inversion',
  'unlock-not-owner',
  'relock-held-mutex',
  'owner-died-not-consistent',
  'destroy-locked-mutex',
  'destroy-cond-with-waiters',
  'cond-two-mutexes',
] as const;

export const EXIT_CODES: readonly CodeMeaning[] = [
  {
    code: ExitCode.Ok,
    general: 'no hang; diff equivalent; diagnose has no finding (with --expect hang: a hang reproduced)',
    per: { run: LOOPS.ok, soak: LOOPS.ok, merge: 'no hang in the merged counts (when the soak ran with --expect hang: a hang reproduced)', diagnose: 'no finding: nothing proven stuck (threads it could not see are listed as not proven)', diff: 'equivalent', report: 'done', check: 'clean: the program ran checked and nothing was found' },
  },
  {
    code: ExitCode.Found,
    general: 'hang reproduced; diff divergent; diagnose found something (with --expect hang: none reproduced)',
    per: { run: LOOPS.hang, soak: SOAK_FOUND, merge: 'a hang in the merged counts (when the soak ran with --expect hang: none reproduced)', diagnose: 'at least one finding', diff: 'divergent', check: 'a finding: a primitive in shared memory that is not process-shared, locks taken in opposite orders, or a misuse of a lock' },
  },
  {
    code: ExitCode.Usage,
    general: 'usage error: bad N, unknown flag or value, bad duration, unreadable or foreign input',
    per: {
      run: 'usage error (bad N, flag, value or duration)',
      soak: 'usage error (bad N, flag, value, duration or command)',
      merge: 'usage error, an unreadable or foreign summary, a summary given twice, or a shard missing (without --partial)',
      diagnose: 'usage error (not a pid, bad option)',
      diff: 'usage error, or an unreadable, foreign or incomparable report',
      report: 'usage error, or an unreadable or foreign report',
      check: 'usage error (no command, not runnable, bad duration)',
    },
  },
  {
    code: ExitCode.Environment,
    general: 'environment or internal error: addon missing, cannot create a segment, cannot inspect',
    per: {
      run: 'cannot run here (addon missing, cannot create a segment)',
      soak: 'cannot run here (addon missing, cannot create a segment)',
      diagnose: 'nothing at all could be read of any of the processes',
      report: 'cannot write the output file',
      merge: 'cannot write the merged summary',
      check: 'the program ran unchecked (a static or set-user-ID binary), or the library is not built',
    },
  },
  {
    code: ExitCode.Failed,
    general: 'a process failed (crashed or exited non-zero) and nothing hung',
    per: { run: 'a process failed and nothing hung', soak: 'an iteration failed and none hung', merge: 'failures and no hang, for the merged counts', check: 'nothing found, but the program failed or did not finish' },
  },
  {
    code: ExitCode.Interrupted,
    general: 'interrupted by Ctrl-C (143 on SIGTERM)',
    per: { run: 'interrupted by Ctrl-C (143 on SIGTERM)', soak: 'interrupted by Ctrl-C (143 on SIGTERM)' },
  },
];

/** The exit codes of one command, for its --help; without a command, the general table. */
export function exitCodeHelp(command?: CommandName): string {
  const rows = EXIT_CODES.flatMap((e) => {
    const text = command ? e.per[command] : e.general;
    return text ? [`  ${String(e.code).padEnd(4)} ${text}`] : [];
  });
  return `Exit codes:\n${rows.join('\n')}`;
}

/** The exit code of a run or soak loop (and of merged soak counts). */
export function loopExitCode(counts: { hangs: number; failures: number; findingKinds?: Record<string, number> }, expectHang: boolean): ExitCode {
  if (expectHang) return counts.hangs > 0 ? ExitCode.Ok : ExitCode.Found;
  if (counts.hangs > 0 || CHECK_FINDING_KINDS.some((k) => counts.findingKinds?.[k])) return ExitCode.Found;
  return counts.failures > 0 ? ExitCode.Failed : ExitCode.Ok;
}

export interface LoopCounts {
  iterations: number;
  hangs: number;
  failures: number;
  interrupted?: boolean;
  findingKinds?: Record<string, number>;
}

/**
 * The outcome of a run or soak loop in words, the same decision as
 * loopExitCode: what a final line starts with ("hang reproduced as expected
 * in 1 of 1 iteration", "no hang in 1000 iterations", …).
 */
export function loopOutcome(c: LoopCounts, expectHang: boolean): string {
  const n = `${c.iterations} iteration${c.iterations === 1 ? '' : 's'}`;
  const stopped = c.interrupted ? 'interrupted; ' : '';
  const failed = c.failures ? ` (${c.failures} failed: a process crashed or exited non-zero)` : '';
  const checked = CHECK_FINDING_KINDS.reduce((k, kind) => k + (c.findingKinds?.[kind] ?? 0), 0);
  if (c.hangs > 0) return `${stopped}hang reproduced${expectHang ? ' as expected' : ''} in ${c.hangs} of ${n}${failed}`;
  if (expectHang) return `${stopped}no hang in ${n}, but one was expected (--expect hang): the reproducer stopped reproducing${failed}`;
  if (checked > 0) return `${stopped}no hang in ${n}, but the check found ${checked} problem${checked === 1 ? '' : 's'} (--check)${failed}`;
  if (c.failures > 0) return `${stopped}no hang in ${n}, but ${c.failures} failed (a process crashed or exited non-zero)`;
  return `${stopped}no hang in ${n}`;
}
