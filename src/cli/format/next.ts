// The next command a person runs after a line of ours, with the real path in
// it, written so it can be pasted into a shell as it is: the tool is named as
// it was started (`npx mvar-repro` under npx, from a clone), and a path with
// anything a shell would take apart is single-quoted.
import { isAbsolute, relative } from 'node:path';

/** A path under the current directory, relative to it; others as they are. */
export function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** One shell word: as it is when it is plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How to start this tool again from here: through npx when it was started by npx (or npm exec). */
export function toolCommand(): string {
  return process.env.npm_command === 'exec' ? 'npx mvar-repro' : 'mvar-repro';
}

/** `mvar-repro ARGS...`, each argument a shell word, paths shortened. */
export function command(...args: string[]): string {
  return [toolCommand(), ...args.map(shellWord)].join(' ');
}

/** What to run on a report folder: read it, then see it as a timeline. */
export function reportNext(dir: string): string {
  const p = shortPath(dir);
  return `next: ${command('report', 'show', p)} (timeline: ${command('report', 'export', p, '--format', 'html')})`;
}
