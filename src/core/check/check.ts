// `check`: runs a program once under the preload library (native/preload/)
// and collects what it found: primitives in shared memory that are not
// process-shared, at their first use — the original defect, found on a run
// that does not hang —, locks taken in opposite orders by threads of any
// processes (a deadlock the run did not hit), misuses of mutexes and
// condvars, and condvars waited on with deadlines from the wrong clock. The
// program runs like a soaked command (its own process group, its whole tree
// reaped, a deadline, a hang proven early ends it); a program the library
// cannot get into (a static binary, a set-user-ID one) is said to be
// unchecked, never "clean".
import { groupFindings, type FindingGroup } from '../preload/findings.js';
import { PreloadSession } from '../preload/session.js';
import { runCommandIteration, type CommandResult } from '../soak/command-iteration.js';
import { fmtDuration } from '../system/duration.js';

export interface CheckResult {
  /** clean: checked, nothing found; found: findings; unchecked: the library never got into the program. */
  verdict: 'clean' | 'found' | 'unchecked';
  groups: FindingGroup[];
  /** Processes of the program the library was loaded into. */
  checkedProcesses: number;
  /** What the reader should know about the findings (callers not named for want of a tool, …). */
  notes: string[];
  run: Pick<CommandResult, 'verdict' | 'exitCode' | 'signal' | 'wallMs' | 'stdoutTail' | 'stderrTail'> & {
    /** Why check ended the program before it ended by itself (null when it did): the deadline, a proven hang, a signal to the CLI. */
    endedBecause: string | null;
    /** A hang (proven or at the deadline): what the diagnosis found, one line each. */
    hangFindings: string[];
  };
}

/** Why the program did not end by itself, in words. */
function endedBecause(r: CommandResult, timeoutMs: number): string | null {
  if (r.verdict === 'interrupted') return 'check was interrupted (Ctrl-C or SIGTERM) and stopped the program';
  if (r.verdict !== 'hang') return null;
  if (r.proof) return `the program hung: proven after ${fmtDuration(r.proof.provenAtMs)} (${r.proof.reason}), so check killed it`;
  return `the program had not finished at the --timeout of ${fmtDuration(timeoutMs)}, so check killed it`;
}

export async function runCheck(command: string[], timeoutMs: number, signal: AbortSignal): Promise<CheckResult> {
  const session = PreloadSession.open({ check: true, trace: 'off' });
  try {
    const r = await runCommandIteration({ index: 1, command, timeoutMs, stacks: 0, early: true, env: session.env() }, signal);
    const { loaded, findings, notes } = session.collect();
    const groups = groupFindings(findings);
    return {
      // The shim puts the library into the program only: did it get into the program itself?
      verdict: groups.length ? 'found' : loaded.includes(r.rootPid) ? 'clean' : 'unchecked',
      groups,
      checkedProcesses: loaded.length,
      notes,
      run: {
        verdict: r.verdict,
        exitCode: r.exitCode,
        signal: r.signal,
        wallMs: r.wallMs,
        stdoutTail: r.stdoutTail,
        stderrTail: r.stderrTail,
        endedBecause: endedBecause(r, timeoutMs),
        hangFindings: (r.diagnosis?.findings ?? []).map((f) => `${f.kind}: ${f.summary}`),
      },
    };
  } finally {
    session.close();
  }
}
