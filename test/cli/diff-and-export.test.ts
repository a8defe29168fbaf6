// diff against known-good runs, baselines, and the timeline exports.
import { readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/core/report/types.js';
import { needsAttention, shownState, diagnosedStates } from '../../src/core/report/process-state.js';
import { cli, readJson, runFolders, tmp } from '../helpers.js';

let good: string[];
let bad: string;
let reportDir: string;

beforeAll(async () => {
  reportDir = tmp();
  const g = await cli(['run', '20', '--variant', 'fixed', '--iterations', '2', '--report-dir', join(reportDir, 'good'), '--save-baseline', 'mine']);
  expect(g.code, g.stderr).toBe(0);
  good = runFolders(join(reportDir, 'good'));
  const b = await cli(['run', '50', '--variant', 'original', '--timeout', '3s', '--stacks', '0', '--report-dir', join(reportDir, 'bad')]);
  expect(b.code, b.stderr).toBe(1);
  [bad] = runFolders(join(reportDir, 'bad')) as [string];
}, 60_000);

describe('diff', () => {
  it('two fixed runs are equivalent (exit 0), timing jitter notwithstanding', async () => {
    const r = await cli(['diff', good[0]!, good[1]!]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^equivalent/m);
    expect(r.stdout).toMatch(/latency p50 \/ p95 \/ p99/);
  });

  it('a fresh fixed run is equivalent to the committed baseline, by name', async () => {
    const r = await cli(['diff', 'fixed-n20', good[0]!]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('--save-baseline stored a baseline that diff finds by name under --report-dir', async () => {
    const rep = readJson<RunReport>(join(reportDir, 'good', 'baselines', 'mine', 'report.json'));
    expect(rep.verdict).toBe('completed');
    const r = await cli(['diff', 'mine', good[1]!, '--report-dir', join(reportDir, 'good'), '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).equivalent).toBe(true);
  });

  it('fixed vs the original hang: exit 1, names the stuck processes and their unmatched wait-begin', async () => {
    const rep = readJson<RunReport>(join(bad, 'report.json'));
    const r = await cli(['diff', ...good, bad, '--json']);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.equivalent).toBe(false);
    expect(d.reasons[0]).toMatch(/verdict hang, good runs: completed/);
    const stuck = rep.processes.filter((p) => p.classification === 'stuck');
    for (const p of stuck) expect(d.divergences.map((v: { pid: number }) => v.pid)).toContain(p.pid);
    expect(d.onlyInBad.map((o: { transition: string }) => o.transition)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(take|put) wait-begin -> \(end of trace\)$/)]),
    );
    expect(d.findings.map((f: { kind: string }) => f.kind)).toContain('private-futex-on-shared-memory');
    const human = await cli(['diff', ...good, bad]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^divergent: /m);
    expect(human.stdout).toMatch(/wait-begin -> \(end of trace\)/);
  });

  it('refuses foreign, truncated and future-version inputs with exit 2 and one line naming the file', async () => {
    const dir = tmp();
    const foreign = join(dir, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ hello: 'world' }));
    const truncated = join(dir, 'truncated', 'report.json');
    mkdirSync(join(dir, 'truncated'));
    const text = readFileSync(join(good[0]!, 'report.json'), 'utf8');
    writeFileSync(truncated, text.slice(0, text.length / 2));
    const future = join(dir, 'future');
    cpSync(good[0]!, future, { recursive: true });
    writeFileSync(join(future, 'report.json'), JSON.stringify({ ...JSON.parse(text), schemaVersion: 2 }));
    const cutEvents = join(dir, 'cut-events');
    cpSync(good[0]!, cutEvents, { recursive: true });
    const ev = readFileSync(join(cutEvents, 'events.ndjson'), 'utf8');
    writeFileSync(join(cutEvents, 'events.ndjson'), ev.slice(0, Math.floor(ev.length / 3)));
    const cases: [string, RegExp][] = [
      [foreign, /foreign\.json: not an mvar-repro run report/],
      [truncated, /truncated\/report\.json: not a report: invalid or truncated JSON/],
      [future, /future\/report\.json: report schema version 2 is not supported \(this build reads 1\)/],
      [cutEvents, /cut-events\/events\.ndjson: (line \d+ is not an event \(truncated file\?\)|holds \d+ events, its report says \d+)/],
      [join(dir, 'nothing-here'), /nothing-here: no such run folder, report file or baseline/],
    ];
    for (const [input, message] of cases) {
      const r = await cli(['diff', good[0]!, input]);
      expect(r.code, input).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect((await cli(['diff', good[0]!])).code).toBe(2);
  });

  it('refuses a report of the right kind and version but the wrong shape, in diff and report show, naming the first problem', async () => {
    const dir = tmp();
    const text = JSON.parse(readFileSync(join(good[0]!, 'report.json'), 'utf8'));
    const bent = (name: string, patch: Record<string, unknown>) => {
      const d = join(dir, name);
      cpSync(good[0]!, d, { recursive: true });
      writeFileSync(join(d, 'report.json'), JSON.stringify({ ...text, ...patch }));
      return d;
    };
    const cases: [string, RegExp][] = [
      [bent('string-processes', { processes: 'x' }), /string-processes\/report\.json: not a valid run report: \/processes must be array/],
      [bent('null-process', { processes: [null] }), /null-process\/report\.json: not a valid run report: \/processes\/0 must be object/],
      [bent('no-config', { config: undefined }), /no-config\/report\.json: not a valid run report: \(top level\) must have required property 'config'/],
    ];
    for (const [input, message] of cases) {
      for (const args of [['diff', good[0]!, input], ['diff', input, input], ['report', 'show', input]]) {
        const r = await cli(args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
        expect(r.stdout).not.toMatch(/equivalent/);
      }
    }
  });
});

interface TE {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  id?: number;
  args?: Record<string, unknown>;
}

const exportTrace = async (run: string) => {
  const file = join(tmp(), 'trace.json');
  const r = await cli(['report', 'export', run, '--format', 'chrome-trace', '-o', file]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TE[] };
};

describe('report export', () => {
  for (const which of ['good', 'bad'] as const) {
    it(`chrome-trace of a ${which} run: one named track per process, valid nesting, flows paired`, async () => {
      const run = which === 'good' ? good[0]! : bad;
      const rep = readJson<RunReport>(join(run, 'report.json'));
      const { traceEvents } = await exportTrace(run);
      const names = traceEvents.filter((e) => e.ph === 'M' && e.name === 'process_name');
      expect(names.map((e) => e.pid).sort()).toEqual(rep.processes.map((p) => p.pid).sort());
      for (const p of rep.processes) {
        const n = names.find((e) => e.pid === p.pid)!.args!.name as string;
        expect(n.startsWith(p.role === 'master' ? 'master' : `slave ${p.id}`)).toBe(true);
        if (diagnosedStates(rep.diagnosis).get(p.pid) === 'stuck') expect(n).toMatch(/\(stuck(, [a-z-]+)?\)$/);
      }
      // X events of one track nest: each starts inside and ends inside its parent.
      for (const pid of new Set(traceEvents.map((e) => e.pid))) {
        const xs = traceEvents.filter((e) => e.pid === pid && e.ph === 'X').sort((a, b) => a.ts! - b.ts! || b.dur! - a.dur!);
        const stack: TE[] = [];
        for (const e of xs) {
          expect(e.dur!).toBeGreaterThanOrEqual(0);
          while (stack.length && stack.at(-1)!.ts! + stack.at(-1)!.dur! <= e.ts! && !(stack.at(-1)!.ts === e.ts && e.dur === 0)) stack.pop();
          const parent = stack.at(-1);
          if (parent) expect(e.ts! + e.dur!).toBeLessThanOrEqual(parent.ts! + parent.dur! + 0.011);
          stack.push(e);
        }
      }
      const starts = traceEvents.filter((e) => e.ph === 's');
      const finishes = traceEvents.filter((e) => e.ph === 'f');
      expect(starts.map((e) => e.id).sort()).toEqual(finishes.map((e) => e.id).sort());
      if (which === 'good') expect(starts.length).toBeGreaterThan(0);
      else expect(traceEvents.some((e) => e.ph === 'X' && /never ended/.test(e.name))).toBe(true);
    });
  }

  it('html: self-contained, every process on a row of its own or in a folded one, stuck ones highlighted, findings above', async () => {
    const file = join(tmp(), 't.html');
    const r = await cli(['report', 'export', bad, '--format', 'html', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(file, 'utf8');
    const rep = readJson<RunReport>(join(bad, 'report.json'));
    const traced = rep.processes.filter((p) => p.events > 0);
    // Each process is on exactly one row, and again as a member of a folded row when it is folded.
    const rows = [...html.matchAll(/<svg class="bars([^"]*)" data-row="[^"]*" data-pids="([^"]*)"/g)].filter((m) => !/\bmember\b/.test(m[1]!));
    expect(rows.flatMap((m) => m[2]!.split(' ').map(Number)).sort()).toEqual(traced.map((p) => p.pid).sort());
    const members = [...html.matchAll(/<svg class="bars[^"]*\bmember\b[^"]*" data-row="[^"]*" data-pids="(\d+)"/g)].map((m) => Number(m[1]));
    const folded = rows.filter((m) => m[2]!.includes(' ')).flatMap((m) => m[2]!.split(' ').map(Number));
    expect(members.sort()).toEqual(folded.sort());
    // Highlighted: exactly the processes the diagnosis found stuck for good (or starving, or silent).
    const stuck = diagnosedStates(rep.diagnosis);
    const attention = rows.filter((m) => /\battn\b/.test(m[1]!)).flatMap((m) => m[2]!.split(' ').map(Number));
    expect(attention.sort()).toEqual(traced.filter((p) => needsAttention(shownState(p, stuck))).map((p) => p.pid).sort());
    expect(html).toContain('data-kind="private-futex-on-shared-memory"');
    expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('<svg'));
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/<script[^>]+src=/); // one inline script (zoom and pan), nothing fetched
    const ticks = [...html.matchAll(/<div class="tick" style="left:[\d.]+%">([^<]+)<\/div>/g)].map((m) => m[1]!);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    for (const t of ticks) expect(t).toMatch(/^\d+(\.\d{1,2})? (ms|s)$/);
    const values = ticks.map((t) => parseFloat(t));
    const step = values[1]! - values[0]!;
    expect(String(Number((step / 10 ** Math.floor(Math.log10(step))).toFixed(6)))).toMatch(/^(1|2|5)$/);
    // A hang's stuck tail is a break, not seconds of empty bars.
    expect(html).toMatch(/class="tick break-label">⋯ \+/);
  });
});
