// The bench's own C programs (the iteration floor, the trace and lock
// micro-benchmarks), compiled here with the system's cc when the bench runs:
// nothing but the addon and the tool's own helpers is compiled on install
// (binding.gyp), and these are only ever run by the bench.
import { execa } from 'execa';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildDir, packageRoot } from '../core/system/paths.js';

/** The core every program of the protocol links (binding.gyp's mvar_core). */
const CORE = ['segment.c', 'sweep.c', 'trace.c', 'mvar.c', 'protocol.c', 'layout_table.c', 'sockdiag.c', 'ipc.c'];

/** Each program and the sources it is made of, under native/. */
const PROGRAMS = {
  'mvar-launcher': ['launcher.c', ...CORE],
  'mvar-tracebench': ['tracebench.c', ...CORE],
  'mvar-lockbench': ['lockbench.c'],
} as const;

export type BenchProgram = keyof typeof PROGRAMS;

/** binding.gyp's C flags, so a program measures what the tool's own build would give. */
const CFLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Wno-unused-parameter', '-fPIC'];

const built = new Map<BenchProgram, Promise<string>>();

/** The path of a bench program, compiled (once per bench run) into build/Release/bench/. */
export function benchProgram(name: BenchProgram): Promise<string> {
  let p = built.get(name);
  if (!p) {
    p = (async () => {
      const dir = join(buildDir(), 'bench');
      mkdirSync(dir, { recursive: true });
      const out = join(dir, name);
      const sources = PROGRAMS[name].map((s) => resolve(packageRoot(), 'native', s));
      await execa('cc', [...CFLAGS, '-o', out, ...sources, '-lpthread', '-lrt']);
      return out;
    })();
    built.set(name, p);
  }
  return p;
}
