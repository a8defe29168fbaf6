// Report folders: filled under a temporary name nobody can predict, renamed
// into place, nothing removed recursively; refused in one line on a kernel
// file system or, as root, where another user could change what we create —
// with a real other user racing symlinks where the tool writes.
import { execa } from 'execa';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportDir, writeFolder } from '../../../src/core/report/write.js';
import { EnvironmentError, UsageError } from '../../../src/core/system/errors.js';
import { cli, tmp, until } from '../../helpers.js';

describe('writeFolder', () => {
  it('fills a folder only we can enter, under a name that differs every time, then renames it into place', async () => {
    const dir = tmp();
    const seen: string[] = [];
    for (const name of ['a', 'b']) {
      const final = await writeFolder(dir, name, async (t) => {
        seen.push(t);
        expect(statSync(t).mode & 0o777).toBe(0o700);
        writeFileSync(join(t, 'report.json'), '{}');
      });
      expect(readFileSync(join(final, 'report.json'), 'utf8')).toBe('{}');
    }
    expect(seen[0]).toMatch(/\/\.tmp-a-[A-Za-z0-9]{6}$/);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });

  it('a failure leaves no temporary folder and says one line', async () => {
    const dir = tmp();
    const e = await writeFolder(dir, 'x', async () => {
      throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EnvironmentError);
    expect((e as Error).message).toBe(`cannot save a report in ${dir}: no space left on device (ENOSPC)`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replacing a folder never deletes through a symlink or into a folder put inside it', async () => {
    const dir = tmp();
    const outside = tmp();
    writeFileSync(join(outside, 'keep'), 'keep');
    mkdirSync(join(dir, 'base'));
    symlinkSync(outside, join(dir, 'base', 'link'));
    mkdirSync(join(dir, 'base', 'sub'));
    writeFileSync(join(dir, 'base', 'sub', 'keep'), 'keep');
    await writeFolder(dir, 'base', async (t) => writeFileSync(join(t, 'report.json'), '{}'), true);
    expect(readdirSync(join(dir, 'base'))).toEqual(['report.json']);
    expect(readFileSync(join(outside, 'keep'), 'utf8')).toBe('keep');
    // The folder someone put inside stays, aside, with its content.
    const aside = readdirSync(dir).filter((n) => n.startsWith('.old-base-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!, 'sub', 'keep'), 'utf8')).toBe('keep');
  });
});

describe('checkReportDir', () => {
  it('refuses a kernel file system, a FIFO and a path through a file, without creating anything', async () => {
    expect(() => checkReportDir('/proc/sys/mvar-repro-x/y', '--report-dir')).toThrow(/^--report-dir \/proc\/sys\/mvar-repro-x\/y: on proc, a kernel file system/);
    expect(() => checkReportDir('/sys/mvar-repro-x', '--report-dir')).toThrow(/on sysfs/);
    const d = tmp();
    await execa('mkfifo', [join(d, 'fifo')]);
    writeFileSync(join(d, 'file'), '');
    expect(() => checkReportDir(join(d, 'fifo'), '--report-dir')).toThrow(/fifo: a FIFO, not a directory$/);
    expect(() => checkReportDir(join(d, 'file', 'r'), '--report-dir')).toThrow(/a part of the path is not a directory \(ENOTDIR\)$/);
    checkReportDir(join(d, 'new', 'deeper'), '--report-dir');
    expect(statSync(join(d, 'new', 'deeper')).isDirectory()).toBe(true);
  });
});

describe.skipIf(process.getuid?.() !== 0)('as root', () => {
  it('refuses a report folder another user can change, or one reached through it; a sticky folder is fine when the entry is ours', () => {
    const d = tmp();
    const open = join(d, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(() => checkReportDir(open, '--report-dir')).toThrow(UsageError);
    expect(() => checkReportDir(open, '--report-dir')).toThrow(/can be changed by another user \(owner uid 0, group \d+, mode 0777\): as root, mvar-repro writes only where no other user can/);
    expect(() => checkReportDir(join(open, 'inside'), '--report-dir')).toThrow(/open can be changed by another user/);
    const theirs = join(d, 'theirs');
    mkdirSync(theirs);
    chownSync(theirs, 65534, 65534);
    expect(() => checkReportDir(theirs, '--report-dir')).toThrow(/owner uid 65534/);
    const sticky = join(d, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    checkReportDir(sticky, '--report-dir');
    checkReportDir(join(sticky, 'ours'), '--report-dir');
    mkdirSync(join(sticky, 'planted'));
    chownSync(join(sticky, 'planted'), 65534, 65534);
    expect(() => checkReportDir(join(sticky, 'planted'), '--report-dir')).toThrow(/planted belongs to uid 65534/);
  });

  it('run with such a report folder: one line, exit 2, before anything runs', async () => {
    const open = join(tmp(), 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const r = await cli(['run', '2', '--variant', 'fixed', '--report-dir', open]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--report-dir .*open: .*can be changed by another user/);
    expect(readdirSync(open)).toEqual([]);
  });

  it("another user planting symlinks at every temporary name they can know never gets root's reports written or deleted elsewhere", async (ctx) => {
    // Outside the suite's folder (only root can enter it): the other user must reach this one.
    const d = mkdtempSync(join(tmpdir(), 'race-'));
    ctx.onTestFinished(() => rmSync(d, { recursive: true, force: true }));
    chmodSync(d, 0o755);
    const shared = join(d, 'reports');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const victim = join(d, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep'), 'keep');
    const names = Array.from({ length: 20 }, (_, i) => `r${i}`);
    // The names the tool used to use: .tmp-NAME for the folder, .old-NAME-… for a replaced one.
    const plant = names.map((n) => `ln -sfn ${victim} ${shared}/.tmp-${n} 2>/dev/null`).join('; ');
    const probe = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', `touch ${shared}/probe`], { reject: false });
    if (probe.exitCode !== 0) return ctx.skip(`cannot act as nobody here: ${String(probe.stderr).trim()}`);
    const attacker = execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', `while :; do ${plant}; done`], { reject: false });
    try {
      expect(await until(() => names.every((n) => existsSync(join(shared, `.tmp-${n}`))), 10_000)).toBe(true);
      for (const n of names) await writeFolder(shared, n, async (t) => writeFileSync(join(t, 'report.json'), '{}'));
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
    }
    expect(readdirSync(victim)).toEqual(['keep']);
    for (const n of names) expect(existsSync(join(shared, n, 'report.json'))).toBe(true);
  });
});
