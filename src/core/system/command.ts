// The program a user asks `soak -- COMMAND` or `check -- COMMAND` to run,
// checked before anything runs: an empty name, a directory, a file without
// execute permission, or a name found nowhere on PATH is one UsageError line
// (exit 2) — never an iteration that fails for a reason the tool could have
// said up front. A name without a slash is looked up on PATH as execvp does,
// except that only a regular executable file counts (a directory on PATH
// with the command's name is skipped, as execvp skips it).
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describeFsError, UsageError } from './errors.js';
import { fileKind } from './file-checks.js';

/** Why `path` cannot be executed, or null when it is a regular file we may execute. */
function whyNotExecutable(path: string): string | null {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return describeFsError(e);
  }
  if (!st.isFile()) return `${fileKind(st)}, not a program`;
  try {
    accessSync(path, constants.X_OK);
    return null;
  } catch {
    return 'not executable (no permission to run it)';
  }
}

/** The first regular executable file called `name` on PATH, or null. */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const p = join(dir || '.', name);
    if (!whyNotExecutable(p)) return p;
  }
  return null;
}

/** Refuses, in one line, a command that cannot run; `tool` names the command line in the message ("check"). */
export function checkCommand(argv: readonly string[], tool: string): void {
  const name = argv[0];
  if (name === undefined) throw new UsageError(`${tool} needs a program: mvar-repro ${tool} ... -- COMMAND ARGS...`);
  if (name.trim() === '') throw new UsageError(`cannot run '${name}': an empty command name`);
  if (name.includes('/')) {
    const why = whyNotExecutable(name);
    if (why) throw new UsageError(`cannot run '${name}': ${why}`);
    return;
  }
  if (!findExecutable(name)) throw new UsageError(`cannot run '${name}': not found on PATH`);
}
