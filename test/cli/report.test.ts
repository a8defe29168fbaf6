// `report show` and `report export` open every folder the tool writes, and
// read well at 50 processes; `diff` says plainly what it cannot compare.
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport, SoakSummary } from '../../src/core/report/types.js';
import { cli, readJson, ROOT, runFolders, tmp } from '../helpers.js';

let hang50: string;
let commandHang: string;

beforeAll(async () => {
  const dir = tmp();
  const r = await cli(['run', '50', '--stacks', '0', '--report-dir', join(dir, 'run')]);
  expect(r.code, r.stderr).toBe(1);
  hang50 = runFolders(join(dir, 'run'))[0]!;
  const hangs = join(tmp(), 'hangs');
  await execa('cc', ['-O2', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
  const s = await cli(['soak', '--iterations', '1', '--timeout', '20s', '--summary', join(dir, 's.json'), '--report-dir', join(dir, 'soak'), '--', hangs, 'pipe-deadlock']);
  expect(s.code, s.stderr).toBe(1);
  commandHang = readJson<SoakSummary>(join(dir, 's.json')).firstHang!.report!;
}, 60_000);

describe('report show', () => {
  it('groups a 50-process hang: one row per situation, the last events of a representative, --all for everything', async () => {
    const rep = readJson<RunReport>(join(hang50, 'report.json'));
    const r = await cli(['report', 'show', hang50]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBeLessThan(80);
    // A group row names its ids as ranges and single ids ("slave 2, 4–50 (48)"), then how many.
    const group = /^ {2}slave \d+(–\d+)?(, \d+(–\d+)?)* \((\d+)\) +stuck/m.exec(r.stdout);
    expect(group, r.stdout).not.toBeNull();
    expect(Number(group![4])).toBeGreaterThan(1);
    const shown = lines.filter((l) => l.startsWith('last events of '));
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown.length).toBeLessThanOrEqual(3);
    expect(r.stdout).toMatch(/, like \d+ other\(s\): slave /);
    const all = await cli(['report', 'show', hang50, '--all']);
    const stuck = rep.processes.filter((p) => p.classification === 'stuck' || p.classification === 'starving');
    expect(all.stdout.split('\n').filter((l) => l.startsWith('last events of '))).toHaveLength(stuck.length);
    for (const p of rep.processes) expect(all.stdout).toContain(`(${p.pid})`);
  });

  it('opens the folder of a soaked command’s hung iteration: command, verdict, findings, blocked threads, output', async () => {
    const r = await cli(['report', 'show', commandHang]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^command hang /);
    expect(r.stdout).toMatch(/hangs pipe-deadlock/);
    expect(r.stdout).toMatch(/^verdict: hang: proven after /m);
    expect(r.stdout).toMatch(/^deadlock-cycle: /m);
    expect(r.stdout).toMatch(/stuck for good: pipe:\[\d+\], writing \(full\)/);
    const json = await cli(['report', 'show', join(commandHang, 'command-hang.json'), '--json']);
    expect(JSON.parse(json.stdout).kind).toBe('mvar-repro-command-hang');
  });
});

describe('report export', () => {
  it('exports a soaked command’s hang too: a Chrome trace with one track per process, an HTML page saying there is no trace', async () => {
    const trace = join(tmp(), 'trace.json');
    const html = join(tmp(), 'page.html');
    expect((await cli(['report', 'export', commandHang, '-o', trace])).code).toBe(0);
    expect((await cli(['report', 'export', commandHang, '--format', 'html', '-o', html])).code).toBe(0);
    const t = JSON.parse(readFileSync(trace, 'utf8')) as { traceEvents: { ph: string; pid: number }[] };
    const report = readJson<{ tree: { pid: number }[] }>(join(commandHang, 'command-hang.json'));
    expect(new Set(t.traceEvents.filter((e) => e.ph === 'M').map((e) => e.pid))).toEqual(new Set(report.tree.map((p) => p.pid)));
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/no trace was recorded/);
    expect(page).toContain('data-kind="deadlock-cycle"');
  });
});

describe('diff', () => {
  it('says plainly that a soaked command’s hang cannot be compared with a run, nor an untraced one with anything', async () => {
    const r = await cli(['diff', hang50, commandHang]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/runs of mvar-repro with each other, or iterations of one soaked program with each other, not both/);
    const untraced = await cli(['diff', commandHang, commandHang]);
    expect(untraced.code).toBe(2);
    expect(untraced.stderr).toMatch(/recorded without --trace: there is no trace to compare/);
  });
});
