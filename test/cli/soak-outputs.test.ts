// soak's outputs for CI: which reports a long soak keeps, JUnit messages CI
// can group, valid XML whatever a program prints, a soak that survives any
// exit timing, output files that cannot be written, and an interrupted soak.
import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SoakSummary } from '../../src/core/report/types.js';
import { cli, readJson, ROOT, smallTmpfs, tmp, until } from '../helpers.js';
import { junitCases, xmlProblems } from '../junit-xml.js';

describe('soak: what a long soak keeps and says', () => {
  it('30 hangs: at most 10 report folders (the first 9 and the last), the summary says how many were kept; every JUnit message short and the same', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '30', '--parallel', '3', '--timeout', '300ms', '--stacks', '0', '--summary', join(dir, 's.json'), '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'r'), '--', 'sleep', '5']);
    expect(r.code, r.stderr).toBe(1);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    expect(s).toMatchObject({ iterations: 30, hangs: 30, reportsKept: { kept: 10, of: 30, limit: 9 } });
    expect(readdirSync(join(dir, 'r'))).toHaveLength(10);
    expect(s.reports).toHaveLength(10);
    expect(r.stdout).toMatch(/reports: kept 10 of 30/);
    // The last iteration's report is among those kept.
    const last = Math.max(...junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).flatMap((c) => (c.systemOut.startsWith('report: ') ? [Number(/iteration (\d+)/.exec(c.name)![1])] : [])));
    expect(last).toBe(30);
    const hangs = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).filter((c) => c.result?.type === 'hang');
    expect(hangs).toHaveLength(30);
    expect(new Set(hangs.map((c) => c.result!.message)).size).toBe(1);
    expect(hangs[0]!.result!.message.length).toBeLessThanOrEqual(200);
  }, 120_000);

  it('a deadlock on mutexes at new addresses each run (ASLR): one JUnit message, naming the kind of object, no address', async () => {
    const dir = tmp();
    const waits = join(tmp(), 'waits');
    await execa('cc', ['-O2', '-o', waits, join(ROOT, 'test', 'c', 'waits.c'), '-lpthread', '-lrt']);
    const r = await cli(['soak', '--iterations', '3', '--parallel', '3', '--timeout', '5s', '--stacks', '0', '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'r'), '--', waits, 'handler-beside-deadlock']);
    expect(r.code, r.stderr).toBe(1);
    const hangs = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).filter((c) => c.result?.type === 'hang');
    expect(hangs).toHaveLength(3);
    expect([...new Set(hangs.map((c) => c.result!.message))]).toEqual(['hang proven: deadlock-cycle (futex wait on mutex)']);
  }, 60_000);

  it('a program that exits in the instant of its deadline: every iteration is counted, the summary and the JUnit file are whole (never an abort)', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '24', '--parallel', '3', '--timeout', '100ms', '--stacks', '0', '--json', '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'r'), '--', 'sleep', '0.1']);
    expect([0, 1, 4], r.stderr).toContain(r.code);
    const s = JSON.parse(r.stdout) as SoakSummary;
    expect(s.iterations).toBe(24);
    expect(s.hangs + s.passes + s.failures).toBe(24);
    const cases = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8'));
    expect(cases.filter((c) => c.name.startsWith('iteration '))).toHaveLength(24);
    expect(cases.some((c) => c.name === 'soak')).toBe(false);
  }, 120_000);

  it('whatever a program prints, the JUnit file is valid XML 1.0', async () => {
    const dir = tmp();
    // U+FFFE, U+FFFF, C0 controls, an escape sequence, a lone surrogate as CESU-8 bytes, invalid UTF-8, markup.
    const noise = String.raw`printf '\357\277\276 \357\277\277 \001\002\013\014 \033[31m \355\240\200 \377\376 <x a="1"> ]]> & \n' | tee /dev/stderr; exit 3`;
    const r = await cli(['soak', '--iterations', '2', '--junit', join(dir, 'j.xml'), '--', 'sh', '-c', noise]);
    expect(r.code).toBe(4);
    const xml = readFileSync(join(dir, 'j.xml'), 'utf8');
    expect(xmlProblems(xml)).toEqual([]);
    const failed = junitCases(xml).filter((c) => c.result?.type === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed[0]!.result!.message).toBe('exited 3');
    expect(failed[0]!.result!.body).toContain('<x a="1"> ]]> &');
  });
});

describe('soak: output files that cannot be written', () => {
  it('--junit or --summary into a missing directory is refused before the run: exit 2, one line', async () => {
    for (const flag of ['--junit', '--summary']) {
      const r = await cli(['soak', '--iterations', '1', flag, '/no/such/dir/out.xml', '--', 'true']);
      expect(r.code, flag).toBe(2);
      expect(r.stderr.trim()).toBe(`mvar-repro: ${flag} /no/such/dir/out.xml: cannot write in /no/such/dir: no such file or directory (ENOENT)`);
    }
  });

  it('--junit on a full disk: the summary still comes, one line says so, no temporary file is left', async (ctx) => {
    const m = await smallTmpfs('size=4k');
    if ('skip' in m) return ctx.skip(m.skip);
    try {
      writeFileSync(join(m.dir, 'filler'), Buffer.alloc(4096)); // the file system is full from here on
      const r = await cli(['soak', '--iterations', '3', '--junit', join(m.dir, 'j.xml'), '--', 'true']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^soak: 3 iterations, 0 hangs/m);
      expect(r.stderr.trim().split('\n')).toEqual([`mvar-repro: cannot write ${join(m.dir, 'j.xml')}: no space left on device (ENOSPC)`]);
      expect(readdirSync(m.dir)).toEqual(['filler']);
    } finally {
      await m.unmount();
    }
  });
});

describe('interrupted soak', () => {
  it('Ctrl-C: exit 130 and a complete JUnit file with the iterations that ran, marked interrupted', async () => {
    const dir = tmp();
    const junit = join(dir, 'j.xml');
    const sub = execa(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'soak', '--duration', '1m', '--junit', junit, '--', 'sleep', '0.2'], {
      reject: false,
      forceKillAfterDelay: false, // however slow the machine, the exit code is the CLI's own
    });
    // Interrupted once iterations have run (the file is rewritten about once a second): a loaded machine starts slowly.
    const ran = () => {
      try {
        return junitCases(readFileSync(junit, 'utf8')).filter((c) => c.name.startsWith('iteration ')).length;
      } catch {
        return 0;
      }
    };
    expect(await until(() => ran() >= 2, 60_000, 50)).toBe(true);
    sub.kill('SIGINT');
    const r = await sub;
    expect(r.exitCode).toBe(130);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.startsWith('<?xml')).toBe(true);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
    const cases = junitCases(xml);
    expect(cases.filter((c) => /^iteration \d+$/.test(c.name)).length).toBeGreaterThanOrEqual(2);
    expect(xml).toContain(`tests="${cases.length}"`);
    // Cut short is not a pass: the soak itself is an error testcase.
    expect(cases.at(-1)).toMatchObject({ name: 'soak', result: { kind: 'error', type: 'interrupted' } });
  });
});
