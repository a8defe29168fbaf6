// What a report records about the machine it ran on.
import os from 'node:os';
import { addon } from '../native/addon.js';
import { availableStackTools } from './tools.js';
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
