// What a report records about the machine it ran on.
import os from 'node:os';
import { addon } from '../native/addon.js';
import { availableStackTools } from '../diagnosis/stacks.js';
import { toolVersion } from './paths.js';

export interface Environment {
  tool: string;
  toolVersion: string;
  node: string;
  glibc: string;
  kernel: string;
  platform: string;
  arch: string;
  cpus: number;
  /** Which stack tools (eu-stack, gdb) the diagnosis could use on this machine. */
  stackTools: string[];
}

/** glibc releases with the condvar lost-wakeup bug (BZ #25847): 2.25 to 2.40, fixed in 2.41. */
export function glibcHasLostWakeupBug(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === 2 && minor >= 25 && minor <= 40;
}

let cached: Environment | undefined;

export function environment(): Environment {
  cached ??= {
    tool: 'mvar-repro',
    toolVersion: toolVersion(),
    node: process.version,
    glibc: addon().glibcVersion(),
    kernel: os.release(),
    platform: process.platform,
    arch: process.arch,
    cpus: os.availableParallelism(),
    stackTools: availableStackTools(),
  };
  return cached;
}
