// Terminal conventions: colour on a TTY unless NO_COLOR, or wherever FORCE_COLOR asks; messages
// to stderr; results to stdout. Every line goes out through terminalSafe:
// text from a program (its comm, argv, output), from a report or from the
// system can hold escape sequences that would retitle, clear or reprogram
// the user's terminal, or bidi controls that reorder what is shown. They are
// written as visible \u escapes — valid inside JSON strings too, so --json
// output parses to the same values. The one exception is the colour the tool
// itself paints, on a terminal that takes colour.
import { styleText } from 'node:util';
import { SCHEMA_VERSION } from '../core/report/types.js';
import { jsonText, uEscape } from '../core/system/json.js';

type Style = Parameters<typeof styleText>[0];

/**
 * Colour or not, by the conventions CI systems and terminals share:
 * FORCE_COLOR (set, and not 0 or false) turns it on even off a terminal (a CI
 * log that renders colours) and wins, as it does for Node itself; NO_COLOR
 * (set and not empty, no-color.org) turns it off; otherwise colour on a
 * terminal that is not TERM=dumb.
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Node 22.13+ would check the stream itself (and drop the colour FORCE_COLOR asked for off a terminal): we decided above. */
const UNCHECKED = { validateStream: false } as unknown as undefined;

export function paint(style: Style, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? styleText(style, text, UNCHECKED) : text;
}

/** C0 controls but tab and newline, DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The colour sequences paint() writes (styleText: foreground colours, their reset, bold/dim and theirs). */
const OWN_COLOUR = /\u001b\[(?:3[0-9]|9[0-7]|39|1|2|22)m/g;

const escapeUnsafe = (text: string) => uEscape(text, UNSAFE);

/** `text` as it may reach `stream`: every control character escaped, except our own colours where colour is on. */
export function terminalSafe(text: string, stream: NodeJS.WriteStream = process.stdout): string {
  if (!useColor(stream)) return escapeUnsafe(text);
  let safe = '';
  let from = 0;
  for (const m of text.matchAll(OWN_COLOUR)) {
    safe += escapeUnsafe(text.slice(from, m.index)) + m[0];
    from = m.index + m[0].length;
  }
  return safe + escapeUnsafe(text.slice(from));
}

/**
 * One line of human output: a newline inside it (a comm set by prctl, a file
 * name, a program's output quoted in a finding) is written as \u000a, so no
 * text a program chose can start a line of its own that looks like ours.
 */
export function out(line = ''): void {
  process.stdout.write(`${oneLine(line)}\n`);
}

export function err(line: string): void {
  process.stderr.write(`${oneLine(line, process.stderr)}\n`);
}

/** A document of many lines whose newlines are its own (JSON, whose strings escape theirs). */
export function outDocument(text: string): void {
  process.stdout.write(`${terminalSafe(text)}\n`);
}

const oneLine = (line: string, stream: NodeJS.WriteStream = process.stdout) => terminalSafe(line, stream).replace(/\n/g, '\\u000a');

/** A warning: one line on stderr; the command goes on (an error would stop it). */
export function warn(text: string): void {
  err(`mvar-repro: warning: ${text}`);
}

/** Durations are written one way everywhere (core/system/duration.ts). */
export { fmtDuration } from '../core/system/duration.js';

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/** Fixed-width table for human output. */
export function table(rows: string[][], header?: string[]): string[] {
  const all = header ? [header, ...rows] : rows;
  const widths = all.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return all.map(line);
}

/**
 * A --json document on stdout: every one carries `schemaVersion` first (the
 * one version of every JSON document the tool writes, report/types.ts), so a
 * consumer can refuse a shape it does not know.
 */
export function outJson(doc: object, indent = 2): void {
  outDocument(jsonText({ schemaVersion: SCHEMA_VERSION, ...doc }, indent));
}
