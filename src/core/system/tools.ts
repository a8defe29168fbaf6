// Which optional programs this machine has (eu-stack, gdb, addr2line, …),
// found on PATH the way a shell finds a command (system/command.ts). The tool
// degrades where one is missing and says so; nothing here runs them.
import { findExecutable } from './command.js';

export const findOnPath = findExecutable;

/** The stack tools the diagnosis can use here, as a report records them. */
export function availableStackTools(): string[] {
  return ['eu-stack', 'gdb'].filter((t) => findOnPath(t));
}
