// Which optional programs this machine has (eu-stack, gdb, addr2line, …),
// found on PATH. The tool degrades where one is missing and says so; nothing
// here runs them.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** The stack tools the diagnosis can use here, as a report records them. */
export function availableStackTools(): string[] {
  return ['eu-stack', 'gdb'].filter((t) => findOnPath(t));
}
