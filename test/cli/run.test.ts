// `mvar-repro run` end to end: the CLI as a user runs it, real processes.
import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/core/report/types.js';
import { stuckCounts } from '../../src/core/diagnosis/verdict.js';
import { alive, cli, CLI, descendants, readJson, runFolders, shmEntries, smallTmpfs, tmp, until } from '../helpers.js';

const segmentsOf = (pid: number) => shmEntries().filter((n) => n.startsWith(`mvar-repro-${pid}-`));

describe('run: good runs', () => {
  it('run 20 --variant fixed --runtime native --iterations 3 exits 0 and saves three completed reports', async () => {
    const dir = tmp();
    const r = await cli(['run', '20', '--variant', 'fixed', '--runtime', 'native', '--iterations', '3', '--report-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run: no hang in 3 iterations \(/m);
    const folders = runFolders(dir);
    expect(folders).toHaveLength(3);
    for (const f of folders) {
      const rep = readJson<RunReport>(join(f, 'report.json'));
      expect(rep.schemaVersion).toBe(1);
      expect(rep.verdict).toBe('completed');
      expect(rep.processes).toHaveLength(21);
      expect(rep.environment.glibc).toMatch(/^\d+\.\d+/);
      expect(rep.events.count).toBeGreaterThan(21 * 6);
    }
  });

  it('run 8 --variant fixed --runtime node exits 0', async () => {
    const r = await cli(['run', '8', '--variant', 'fixed', '--runtime', 'node', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ command: 'run', iterations: 1, completed: 1, hangs: 0, exitCode: 0 });
    expect(j.config).toMatchObject({ runtime: 'node', spawner: 'execa', nslaves: 8 });
  });
});

describe('run: the original hang', () => {
  const checkHangReport = (rep: RunReport) => {
    expect(rep.verdict).toBe('hang');
    const stuck = rep.processes.filter((p) => p.classification === 'stuck');
    expect(stuck.length).toBeGreaterThan(0);
    for (const p of stuck) {
      expect(p.lastEvents.length).toBeGreaterThan(0);
      expect(p.lastEvents.every((e) => e.pid === p.pid)).toBe(true);
      expect(p.exit).toMatchObject({ signal: 'SIGKILL', killedByWatchdog: true });
    }
    // /proc of every live process was captured before the kill.
    expect(rep.procfs?.map((p) => p.pid).sort()).toEqual(
      rep.processes.filter((p) => p.exit?.killedByWatchdog).map((p) => p.pid).sort(),
    );
    expect(rep.procfs?.every((p) => p.tasks.every((t) => t.syscall !== null && t.wchan !== null))).toBe(true);
    for (const p of rep.processes) expect(alive(p.pid)).toBe(false);
  };

  it('run 50 on its defaults: the hang is proven before the deadline; the report says when, after what, and why', async () => {
    const dir = tmp();
    const r = await cli(['run', '50', '--report-dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    const folder = runFolders(dir)[0]!;
    const rep = readJson<RunReport>(join(folder, 'report.json'));
    checkHangReport(rep);
    // One count of stuck processes: the diagnosis's, in the HANG line, the report's summary and report show.
    const stuck = stuckCounts(rep.diagnosis!);
    expect(stuck.processes).toBeGreaterThan(0);
    const counted = `${stuck.processes} of 51 processes stuck for good`;
    expect(r.stdout).toMatch(new RegExp(`^HANG iteration 1: proven after \\d+(ms|\\.\\ds); ${counted}`, 'm'));
    expect(rep.summary).toContain(counted);
    const show = await cli(['report', 'show', folder]);
    expect(show.stdout).toContain(counted);
    const stuckRows = [...show.stdout.matchAll(/^ {2}(?:master|slave)[^\n]*?\((\d+)\)\s+stuck\s/gm)].map((m) => Number(m[1]));
    const single = show.stdout.match(/^ {2}(?:master|slave \d+) \(pid \d+\)\s+stuck\s/gm)?.length ?? 0;
    expect(stuckRows.reduce((a, b) => a + b, 0) + single).toBe(stuck.processes);
    // The last line: the outcome in words and the command to run next, with the report's real path.
    const last = r.stdout.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^run: hang reproduced in 1 of 1 iteration\b/);
    expect(last).toContain(`mvar-repro report show ${folder}`);
    expect(last).toContain(`mvar-repro report export ${folder} --format html`);
    const proof = rep.timing.proof!;
    expect(proof).toBeTruthy();
    expect(proof.provenAtMs).toBeLessThan(rep.config.timeoutMs);
    expect(proof.lastProgressAtMs).not.toBeNull();
    expect(proof.lastProgressAtMs!).toBeLessThanOrEqual(proof.provenAtMs);
    expect(proof.reason).toMatch(/private futex in shared memory/);
    expect(rep.timing.lateByMs).toBeNull();
    expect(rep.diagnosis!.proven).toBe(true);
  });

  it('run 50 --no-early --timeout 3s waits for the deadline and names the stuck processes with their last events', async () => {
    const dir = tmp();
    const r = await cli(['run', '50', '--variant', 'original', '--runtime', 'native', '--timeout', '3s', '--no-early', '--report-dir', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^HANG iteration 1: not complete after 3\.0s/m);
    const rep = readJson<RunReport>(join(runFolders(dir)[0]!, 'report.json'));
    expect(rep.timing.wallMs).toBeGreaterThanOrEqual(3000);
    expect(rep.timing.proof).toBeNull();
    expect(rep.config.early).toBe(false);
    checkHangReport(rep);
  });
});

describe('run: nothing outlives the CLI', () => {
  const startHung = async (extra: string[] = []) => {
    const sub = execa(process.execPath, [CLI, 'run', '50', '--timeout', '60s', '--report-dir', tmp(), ...extra], {
      reject: false,
      env: { NO_COLOR: '1' },
      // A loaded machine may take more than execa's 5 s to tear 51 processes down: never SIGKILL the CLI for it.
      forceKillAfterDelay: false,
    });
    // Wait until the processes are running (a few finish their protocol before the hang).
    expect(await until(() => descendants(sub.pid!).length >= 40, 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    return { sub, kids: descendants(sub.pid!) };
  };

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} mid-run exits ${code} and leaves no process and no segment`, async () => {
      const { sub, kids } = await startHung();
      sub.kill(signal);
      const r = await sub;
      expect(r.exitCode).toBe(code);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await until(() => kids.every((k) => !alive(k)), 5000)).toBe(true);
      expect(segmentsOf(sub.pid!)).toEqual([]);
    });
  }

  it('SIGKILL of the CLI takes every worker with it and leaves no segment', async () => {
    const { sub, kids } = await startHung();
    sub.kill('SIGKILL');
    await sub;
    expect(await until(() => kids.every((k) => !alive(k)), 5000)).toBe(true);
    expect(segmentsOf(sub.pid!)).toEqual([]);
  });

  it('SIGKILL at any moment of a busy loop (run 200, 100 iterations) never leaves a segment behind', async () => {
    // The segment's name is gone from /dev/shm from its first microsecond: check right after each kill.
    for (const delayMs of [20, 60, 120, 200, 300, 450]) {
      const sub = execa(process.execPath, [CLI, 'run', '200', '--variant', 'fixed', '--iterations', '100', '--report-dir', tmp()], { reject: false });
      await new Promise((r) => setTimeout(r, delayMs));
      const seen = segmentsOf(sub.pid!);
      sub.kill('SIGKILL');
      await sub;
      expect(seen, `while running, after ${delayMs} ms`).toEqual([]);
      expect(segmentsOf(sub.pid!), `after SIGKILL at ${delayMs} ms`).toEqual([]);
    }
  });

  it('a slave killed from outside is reported as killed, not by the watchdog, and nothing is left', async () => {
    const dir = tmp();
    const sub = execa(process.execPath, [CLI, 'run', '4', '--variant', 'fixed', '--rounds', '1000000', '--timeout', '4s', '--report-dir', dir], {
      reject: false,
    });
    // The fork server and the slaves (the master may already be done with its 4 puts).
    expect(await until(() => descendants(sub.pid!).some((k) => /mvar-slave-2/.test(procComm(k))), 15_000)).toBe(true);
    const kids = descendants(sub.pid!);
    const victim = kids.find((k) => /mvar-slave-2/.test(procComm(k)));
    expect(victim).toBeDefined();
    process.kill(victim!, 'SIGKILL');
    const r = await sub;
    expect([1, 4]).toContain(r.exitCode);
    const rep = readJson<RunReport>(join(runFolders(dir)[0]!, 'report.json'));
    const slave2 = rep.processes.find((p) => p.role === 'slave' && p.id === 2)!;
    expect(slave2.classification).toBe('killed');
    expect(slave2.exit).toEqual({ code: null, signal: 'SIGKILL', killedByWatchdog: false });
    expect(await until(() => kids.every((k) => !alive(k)), 5000)).toBe(true);
    expect(segmentsOf(sub.pid!)).toEqual([]);
  });
});

function procComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8');
  } catch {
    return '';
  }
}

describe('run: usage errors', () => {
  for (const args of [['0'], ['-3'], ['abc'], ['100000'], ['2', '--variant', 'nope'], ['2', '--timeout', 'soon'], ['2', '--bogus']]) {
    it(`run ${args.join(' ')} exits 2 with one line on stderr`, async () => {
      const r = await cli(['run', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^mvar-repro: /);
      expect(r.stdout).toBe('');
    });
  }
});

describe('run: --keep and output off a terminal', () => {
  it('--keep leaves the hung processes for a debugger until Ctrl-C, then cleans up', async () => {
    const sub = execa(process.execPath, [CLI, 'run', '4', '--fault', 'stop-slave', '--timeout', '1s', '--keep', '--report-dir', tmp()], {
      reject: false,
      env: { NO_COLOR: '1' },
      forceKillAfterDelay: false,
    });
    let stderr = '';
    sub.stderr!.on('data', (d) => (stderr += String(d)));
    // The block ends with the diagnose line: wait for all of it, not just its first line.
    expect(await until(() => /Ctrl-C kills it[^]*\n {2}diagnose: mvar-repro diagnose [\d ]+\n/.test(stderr), 15_000)).toBe(true);
    expect(stderr).toMatch(/^stopped: slave 1 \(pid \d+\) is stopped/m);
    expect(stderr).toMatch(/attach: {3}gdb -p \d+/);
    const kept = [...stderr.matchAll(/pid (\d+) +(stuck|starving|running)/g)].map((m) => Number(m[1]));
    expect(kept.length).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(kept.every(alive)).toBe(true);
    sub.kill('SIGINT');
    const r = await sub;
    expect(r.exitCode).toBe(1); // the hang was reproduced; Ctrl-C only released it
    expect(await until(() => kept.every((k) => !alive(k)), 5000)).toBe(true);
  });

  it('off a terminal: a plain status line every 5 s, one line per hang, no escape codes', async () => {
    const r = await cli(['run', '50', '--timeout', '6s', '--no-early', '--stacks', '0', '--report-dir', tmp()], { env: { NO_COLOR: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mvar-repro run: iteration 1\/1 · 0 hangs · 0 failed · 5\.\ds$/m);
    expect(r.stdout.match(/^HANG /gm)).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toMatch(/\x1b\[/);
  });
});

describe('run: every output named', () => {
  it('--save-all names the saved folders in the final line and in --json', async () => {
    const dir = tmp();
    const r = await cli(['run', '3', '--variant', 'fixed', '--iterations', '2', '--save-all', '--report-dir', dir]);
    expect(r.code).toBe(0);
    const folders = runFolders(dir);
    expect(folders).toHaveLength(2);
    for (const f of folders) expect(r.stdout).toContain(f.split('/').pop()!);
    const j = await cli(['run', '3', '--variant', 'fixed', '--save-all', '--json', '--report-dir', dir]);
    expect(JSON.parse(j.stdout).reports).toHaveLength(1);
  });

  it('--expect hang that did not reproduce says the expectation failed', async () => {
    const r = await cli(['run', '3', '--variant', 'fixed', '--expect', 'hang', '--report-dir', tmp()]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^run: no hang in 1 iteration, but one was expected \(--expect hang\): the reproducer stopped reproducing/);
  });

  it('help: each command its own exit codes; run names the node cap; merge documents no --expect option', async () => {
    const run = await cli(['run', '--help']);
    expect(run.stdout).toMatch(/at most 200 with --runtime node/);
    expect(run.stdout).not.toMatch(/equivalent|divergent/);
    const merge = await cli(['merge', '--help']);
    expect(merge.stdout).not.toMatch(/^\s+--expect\b/m);
    expect(merge.stdout).not.toMatch(/130/);
    const diff = await cli(['diff', '--help']);
    expect(diff.stdout).toMatch(/0 +equivalent/);
    expect(diff.stdout).not.toMatch(/hang reproduced/);
  });
});

describe('run: the verdict reaches the user when the report cannot be saved', () => {
  it('--report-dir that is a regular file is refused before the run: exit 2, one line', async () => {
    const file = join(tmp(), 'not-a-dir');
    writeFileSync(file, 'x');
    const r = await cli(['run', '2', '--report-dir', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`mvar-repro: --report-dir ${file}: a regular file, not a directory`]);
    expect(r.stdout).toBe('');
  });

  it('a read-only file system is refused before the run', async (ctx) => {
    const m = await smallTmpfs('ro,size=64k');
    if ('skip' in m) return ctx.skip(m.skip);
    try {
      const r = await cli(['run', '2', '--report-dir', m.dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`mvar-repro: --report-dir ${m.dir}: read-only file system (EROFS)`);
    } finally {
      await m.unmount();
    }
  });

  it('a full file system: the HANG line and findings still come, one line says the report was not saved, exit 1, nothing partial left', async (ctx) => {
    const m = await smallTmpfs('size=64k');
    if ('skip' in m) return ctx.skip(m.skip);
    try {
      const r = await cli(['run', '50', '--report-dir', m.dir, '--stacks', '0']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^HANG iteration 1: proven after /m);
      expect(r.stdout).toMatch(/^ {2}\d+ processes wait without a timeout on process-private futexes/m);
      expect(r.stdout.match(/^ {2}report not saved: cannot save a report in .*: no space left on device \(ENOSPC\)$/gm)).toHaveLength(1);
      expect(r.stdout).toMatch(/1 report not saved/);
      expect(readdirSync(m.dir)).toEqual([]);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    } finally {
      await m.unmount();
    }
  });

  it('a negative duration is one line, not a parse of short flags', async () => {
    const r = await cli(['run', '2', '--timeout', '-1s']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe("mvar-repro: --timeout: '-1s' is not a duration: a duration must be positive (e.g. 500ms, 5s, 10m)");
  });
});
