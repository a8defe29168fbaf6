// A fuzz test of every reader — run reports, a soaked command's reports,
// events files, soak summaries, baselines — on inputs made from real ones:
// values swapped for odd ones of the same type and of other types, keys
// dropped, files cut short, bytes flipped, control characters and markup
// put in. Every reader, through the same functions the CLI calls, must
// either work or refuse with a UsageError (one line, exit 2): never another
// error, never a hang. A sample of the inputs then goes to the real CLI,
// which must end within a deadline with its documented exit codes and one
// line on stderr. Deterministic (a fixed seed), and a few seconds in all.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandShowLines, showLines } from '../../src/cli/format/report-show.js';
import { diffLines } from '../../src/cli/format/diff.js';
import { summaryLines } from '../../src/cli/format/soak-summary.js';
import { readAnyReport } from '../../src/core/report/read.js';
import { mergeSummaries, readSummaries } from '../../src/core/soak/merge.js';
import { soakSummary } from '../../src/core/soak/soak.js';
import { UsageError } from '../../src/core/system/errors.js';
import { compareRuns } from '../../src/core/trace/compare.js';
import { exportTimeline } from '../../src/core/trace/export/export.js';
import { cli, ROOT, tmp } from '../helpers.js';

/** A small deterministic generator (mulberry32): the same inputs on every run. */
function generator(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, pick };
}

const ODD_NUMBERS = [0, -1, -0.5, 1.5, 1e308, -1e308, 2 ** 53 + 2, 2 ** 32, 123];
const ODD_STRINGS = ['', 'x'.repeat(10_000), '\u001b]0;pwn\u0007\u009b2J', '<script>alert(1)</script>', '__proto__', 'constructor', '../../../dev/zero', '\u202e', 'NaN', 'hang', 'slave'];
const ANY = [null, 123, 'x', true, [], {}, [[[[]]]], { a: { b: {} } }, -1];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function allPaths(v: Json, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (path.length) out.push(path);
  if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) allPaths(c, [...path, Array.isArray(v) ? Number(k) : k], out);
  return out;
}

/** A copy of `doc` with a few values changed: to an odd one of the same type, to any type, or removed. */
function mutate(doc: Json, g: ReturnType<typeof generator>): Json {
  const d = structuredClone(doc);
  const paths = allPaths(d);
  for (let n = 1 + Math.floor(g.next() * 3); n > 0 && paths.length; n--) {
    const path = g.pick(paths);
    let parent = d as Record<string | number, Json> | null;
    for (const k of path.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent[k] as Record<string | number, Json>) : null;
    if (!parent || typeof parent !== 'object') continue; // an earlier change removed it
    const key = path.at(-1)!;
    const v = parent[key];
    const r = g.next();
    if (r < 0.1 && !Array.isArray(parent)) delete parent[key];
    else if (r < 0.3) parent[key] = g.pick(ANY) as Json;
    else if (typeof v === 'number') parent[key] = g.pick(ODD_NUMBERS);
    else if (typeof v === 'string') parent[key] = g.pick(ODD_STRINGS);
    else if (typeof v === 'boolean') parent[key] = !v;
    else if (Array.isArray(v)) parent[key] = g.pick([[], [...v, ...v], v.slice(0, 1), [...v].reverse()]);
    else if (v === null) parent[key] = g.pick(ANY) as Json;
    else parent[key] = g.next() < 0.5 ? null : {};
  }
  return d;
}

/** Text spoiled at the byte level: cut short, bytes flipped, control characters or markup put in. */
function spoil(text: string, g: ReturnType<typeof generator>): string {
  const at = Math.floor(g.next() * text.length);
  switch (g.pick(['cut', 'flip', 'insert', 'empty'] as const)) {
    case 'cut':
      return text.slice(0, at);
    case 'flip':
      return text.slice(0, at) + String.fromCharCode(Math.floor(g.next() * 256)) + text.slice(at + 1);
    case 'insert':
      return text.slice(0, at) + g.pick(['\u0000', '\u001b[2J', '"', '{', ']', '\n', '<!--']) + text.slice(at);
    case 'empty':
      return '';
  }
}

const SOURCES = [
  { dir: join(ROOT, 'reports', 'baselines', 'fixed-n20'), file: 'report.json' },
  { dir: join(ROOT, 'test', 'fixtures', 'traced', 'hang'), file: 'command-hang.json' },
  { dir: join(ROOT, 'test', 'fixtures', 'traced', 'good-1'), file: 'command-run.json' },
] as const;

/** A report folder made from a real one, with its report and perhaps its events spoiled. */
function badFolder(g: ReturnType<typeof generator>, i: number): { dir: string; src: string } {
  const src = g.pick(SOURCES);
  const dir = join(tmp(), `case-${i}`);
  cpSync(src.dir, dir, { recursive: true });
  const reportText = readFileSync(join(dir, src.file), 'utf8');
  const r = g.next();
  if (r < 0.6) writeFileSync(join(dir, src.file), JSON.stringify(mutate(JSON.parse(reportText) as Json, g)));
  else if (r < 0.75) writeFileSync(join(dir, src.file), spoil(reportText, g));
  if (r >= 0.5) {
    const lines = readFileSync(join(dir, 'events.ndjson'), 'utf8').split('\n');
    const k = Math.floor(g.next() * (lines.length - 1));
    lines[k] = g.next() < 0.5 ? JSON.stringify(mutate(JSON.parse(lines[k]!) as Json, g)) : spoil(lines[k]!, g);
    writeFileSync(join(dir, 'events.ndjson'), lines.join('\n'));
  }
  return { dir, src: src.dir };
}

/** A soak summary as soak writes it, spoiled. */
function badSummary(g: ReturnType<typeof generator>, i: number, shard: number): string {
  const s = soakSummary([{ index: 1, verdict: 'hang', wallMs: 5, lateByMs: null, proof: null, summary: 'hang', findingKinds: ['no-waker'], findingSummaries: [], incomplete: [], reportPath: '/r/1', saveError: null }], {
    shard: { index: shard, count: 2 },
    command: ['prog'],
    config: { timeoutMs: 1000 },
    expect: 'none',
    wallMs: 1000,
    interrupted: false,
  });
  const file = join(tmp(), `summary-${i}-${shard}.json`);
  writeFileSync(file, g.next() < 0.8 ? JSON.stringify(mutate(s as unknown as Json, g)) : spoil(JSON.stringify(s), g));
  return file;
}

/** Runs a reader; a UsageError is a fine answer, anything else is returned as the failure it is. */
function outcome(what: string, read: () => unknown): string | null {
  try {
    read();
    return null;
  } catch (e) {
    return e instanceof UsageError ? null : `${what}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`;
  }
}

describe('every reader, on inputs spoiled from real ones', () => {
  it('works or refuses with a UsageError: reports, events, baselines, summaries', () => {
    const g = generator(24);
    const failures: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { dir, src } = badFolder(g, i);
      let loaded: ReturnType<typeof readAnyReport> | null = null;
      const failed = outcome(`case-${i} read`, () => (loaded = readAnyReport(dir)));
      if (failed) failures.push(failed);
      const r = loaded as ReturnType<typeof readAnyReport> | null;
      if (!r) continue; // refused in one line: nothing further reads it
      failures.push(
        ...[
          outcome(`case-${i} show`, () => ('command' in r ? commandShowLines(r.command.report, dir, true) : showLines(r.run.report, dir, true))),
          outcome(`case-${i} html`, () => exportTimeline(r, 'html')),
          outcome(`case-${i} chrome-trace`, () => exportTimeline(r, 'chrome-trace')),
          outcome(`case-${i} diff`, () => diffLines(compareRuns([src, dir], join(ROOT, 'reports')), dir)),
        ].filter((f): f is string => f !== null),
      );
    }
    for (let i = 0; i < 30; i++) {
      const files = [badSummary(g, i, 1), badSummary(g, i, 2)];
      failures.push(...[outcome(`summary-${i} merge`, () => summaryLines('merged', mergeSummaries(readSummaries(files), files, { partial: true })))].filter((f): f is string => f !== null));
    }
    expect(failures).toEqual([]);
  });
});

describe('the CLI, on a sample of them', () => {
  it('ends within its deadline with a documented exit code and one line, never a stack trace', async () => {
    const g = generator(2024);
    const runs: { args: string[]; codes: number[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const { dir, src } = badFolder(g, 100 + i);
      runs.push({ args: ['report', 'show', dir], codes: [0, 2] });
      runs.push({ args: ['report', 'export', dir, '--format', g.pick(['html', 'chrome-trace']), '-o', '-'], codes: [0, 2] });
      if (i === 0) runs.push({ args: ['diff', src, dir], codes: [0, 1, 2] });
    }
    runs.push({ args: ['merge', '--partial', badSummary(g, 200, 1), badSummary(g, 200, 2)], codes: [0, 1, 2, 4] });
    const results = await Promise.all(runs.map((r) => cli(r.args, { timeout: 30_000 }).then((res) => ({ ...r, res }))));
    for (const { args, codes, res } of results) {
      const what = `${args.join(' ')}: ${res.stderr}`;
      expect(codes, what).toContain(res.code);
      expect(res.stderr, what).not.toMatch(/\n\s+at |TypeError|RangeError/);
      if (res.code === 2) expect(res.stderr.trim().split('\n'), what).toHaveLength(1);
    }
  });
});
