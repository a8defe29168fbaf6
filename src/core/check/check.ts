// `check`: runs a program once under the preload library (native/preload/)
// and collects what it found: primitives in shared memory that are not
// process-shared, at their first use — the original defect, found on a run
// that does not hang — and condvars waited on with deadlines from the wrong
// clock. The program runs like a soaked command (its own process group, its
// whole tree reaped, a deadline); a program the library cannot get into (a
// static binary, a set-user-ID one) is said to be unchecked, never "clean".
import { groupFindings, type FindingGroup } from '../preload/findings.js';
import { PreloadSession } from '../preload/session.js';
import { runCommandIteration, type CommandResult } from '../soak/command-iteration.js';

export interface CheckResult {
  /** clean: checked, nothing found; found: findings; unchecked: the library never got into the program. */
  verdict: 'clean' | 'found' | 'unchecked';
  groups: FindingGroup[];
  /** Processes of the program the library was loaded into. */
  checkedProcesses: number;
  run: Pick<CommandResult, 'verdict' | 'exitCode' | 'signal' | 'wallMs' | 'stderrTail'>;
}

export async function runCheck(command: string[], timeoutMs: number, signal: AbortSignal): Promise<CheckResult> {
  const session = PreloadSession.open({ check: true, trace: 'off' });
  try {
    const r = await runCommandIteration({ index: 1, command, timeoutMs, stacks: 0, early: true, env: session.env() }, signal);
    const { loaded, findings } = session.collect();
    const groups = groupFindings(findings);
    return {
      // The shim puts the library into the program only: did it get into the program itself?
      verdict: groups.length ? 'found' : loaded.includes(r.rootPid) ? 'clean' : 'unchecked',
      groups,
      checkedProcesses: loaded.length,
      run: { verdict: r.verdict, exitCode: r.exitCode, signal: r.signal, wallMs: r.wallMs, stderrTail: r.stderrTail },
    };
  } finally {
    session.close();
  }
}
