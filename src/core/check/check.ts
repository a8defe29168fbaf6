// `check`: runs a program once under the preload library (native/preload/)
// and collects what it found: primitives in shared memory that are not
// process-shared, at their first use — the original defect, found on a run
// that does not hang — and condvars waited on with deadlines from the wrong
// clock. The program runs like a soaked command (its own process group, its
// whole tree reaped, a deadline); a program the library cannot get into (a
// static binary, a set-user-ID one) is said to be unchecked, never "clean".
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommandIteration, type CommandResult } from '../soak/command-iteration.js';
import { EnvironmentError } from '../system/errors.js';
import { preloadPath } from '../system/paths.js';

export interface CheckFinding {
  kind: 'private-primitive-in-shared-memory' | 'condvar-deadline-on-another-clock';
  primitive: 'mutex' | 'cond' | 'sem';
  pid: number;
  tid: number;
  addr: string;
  /** The mapping it lies in ("/dev/shm/x", "/dev/zero (deleted)"), and its offset there. */
  path: string;
  offset: number;
  /** Return address of the call, as symbol+offset (object). */
  caller: string;
  detail: string;
}

/** Findings about one primitive: the same object and offset in every process. */
export interface CheckGroup {
  kind: CheckFinding['kind'];
  primitive: CheckFinding['primitive'];
  where: string;
  detail: string;
  pids: number[];
  callers: string[];
}

export interface CheckResult {
  /** clean: checked, nothing found; found: findings; unchecked: the library never got into the program. */
  verdict: 'clean' | 'found' | 'unchecked';
  groups: CheckGroup[];
  /** Processes of the program the library was loaded into. */
  checkedProcesses: number;
  run: Pick<CommandResult, 'verdict' | 'exitCode' | 'signal' | 'wallMs' | 'stderrTail'>;
}

function group(findings: CheckFinding[]): CheckGroup[] {
  const byKey = new Map<string, CheckGroup>();
  for (const f of findings) {
    const where = f.path ? `${f.path}+0x${f.offset.toString(16)}` : f.addr;
    const key = `${f.kind}|${f.primitive}|${where}`;
    const g = byKey.get(key) ?? { kind: f.kind, primitive: f.primitive, where, detail: f.detail, pids: [], callers: [] };
    if (!g.pids.includes(f.pid)) g.pids.push(f.pid);
    if (!g.callers.includes(f.caller)) g.callers.push(f.caller);
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

export async function runCheck(command: string[], timeoutMs: number, signal: AbortSignal): Promise<CheckResult> {
  const lib = preloadPath();
  if (!existsSync(lib)) throw new EnvironmentError(`the preload library is not built (${lib}): run 'npm run build'`);
  const findingsFd = anonymousFile();
  try {
    // The program's processes open it through our descriptor (as workers open a segment).
    const file = `/proc/${process.pid}/fd/${findingsFd}`;
    const r = await runCommandIteration(
      {
        index: 1,
        command,
        timeoutMs,
        stacks: 0,
        early: true,
        env: { MVAR_REPRO_PRELOAD: lib, MVAR_REPRO_CHECK_FILE: file },
      },
      signal,
    );
    const lines = readFileSync(findingsFd, 'utf8').split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as { event: string; pid: number } & Partial<CheckFinding>];
      } catch {
        return []; // a line cut by a process killed mid-write
      }
    });
    // The shim puts the library into the program only (MVAR_REPRO_PRELOAD); did it get into the program itself?
    const loaded = new Set(lines.filter((l) => l.event === 'loaded').map((l) => l.pid));
    const programLoaded = loaded.has(r.rootPid);
    const findings = lines.filter((l) => l.event === 'finding') as CheckFinding[];
    const groups = group(findings);
    return {
      verdict: groups.length ? 'found' : programLoaded ? 'clean' : 'unchecked',
      groups,
      checkedProcesses: loaded.size,
      run: { verdict: r.verdict, exitCode: r.exitCode, signal: r.signal, wallMs: r.wallMs, stderrTail: r.stderrTail },
    };
  } finally {
    closeSync(findingsFd);
  }
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
