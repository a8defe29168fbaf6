// The one writer of single files: atomic through an unpredictable temporary
// name, straight into FIFOs and devices, symlinks followed only when ours,
// nothing left behind when the write fails — on real files, real FIFOs, a
// real full tmpfs, and a real other user racing to plant a symlink.
import { execa } from 'execa';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputFile, planOutput, writeFileAtomic, writeFileAtomicSync } from '../../../src/core/report/write-file.js';
import { EnvironmentError, UsageError } from '../../../src/core/system/errors.js';
import { smallTmpfs, tmp } from '../../helpers.js';

describe('writeFileAtomic', () => {
  it('creates or replaces a regular file whole, and leaves no temporary name beside it', async () => {
    const d = tmp();
    const f = join(d, 'out.json');
    await writeFileAtomic(f, 'one');
    writeFileAtomicSync(f, 'two');
    expect(readFileSync(f, 'utf8')).toBe('two');
    expect(readdirSync(d)).toEqual(['out.json']);
  });

  it('a name planted where the temporary file would go changes nothing: the temporary name cannot be guessed', async () => {
    const d = tmp();
    // Every name an attacker could know in advance: the old ".tmp-NAME" scheme and its pid form.
    for (const n of ['.tmp-out.json', `out.json.tmp-${process.pid}`, '.out.json.tmp']) symlinkSync('/etc/passwd', join(d, n));
    const before = readFileSync('/etc/passwd', 'utf8');
    await writeFileAtomic(join(d, 'out.json'), 'mine');
    expect(readFileSync('/etc/passwd', 'utf8')).toBe(before);
    expect(readFileSync(join(d, 'out.json'), 'utf8')).toBe('mine');
  });

  it('a full disk: one EnvironmentError line, the old file intact, no temporary file left', async (ctx) => {
    const fs = await smallTmpfs('size=64k');
    if ('skip' in fs) return ctx.skip(fs.skip);
    try {
      const f = join(fs.dir, 'out.json');
      writeFileSync(f, 'old');
      const err = await writeFileAtomic(f, 'x'.repeat(1 << 20)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect((err as Error).message).toMatch(/^cannot write .*out\.json: no space left on device \(ENOSPC\)$/);
      expect(readFileSync(f, 'utf8')).toBe('old');
      expect(readdirSync(fs.dir)).toEqual(['out.json']);
    } finally {
      await fs.unmount();
    }
  });

  it('a FIFO nobody reads: an EnvironmentError at once, sync or not, and the FIFO stays', async () => {
    const f = join(tmp(), 'fifo');
    await execa('mkfifo', [f]);
    await expect(writeFileAtomic(f, 'x')).rejects.toThrow(/fifo: a FIFO that nobody reads$/);
    expect(() => writeFileAtomicSync(f, 'x')).toThrow(EnvironmentError);
    expect(lstatSync(f).isFIFO()).toBe(true);
  });

  it('a FIFO whose reader stops reading: gives up after its stall bound instead of hanging', async () => {
    const f = join(tmp(), 'fifo');
    await execa('mkfifo', [f]);
    // A reader that holds the FIFO open and never reads: ours, non-blocking, on the same FIFO.
    const fd = openSync(f, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const t0 = performance.now();
      await expect(writeFileAtomic(f, Buffer.alloc(4 << 20))).rejects.toThrow(/nothing was read from it for 10s$/);
      expect(performance.now() - t0).toBeLessThan(60_000);
    } finally {
      closeSync(fd);
    }
  }, 70_000);

  it('refuses a directory, a link to nothing and a link to a directory, in one UsageError line', () => {
    const d = tmp();
    mkdirSync(join(d, 'sub'));
    symlinkSync(join(d, 'none'), join(d, 'dangling'));
    symlinkSync(join(d, 'sub'), join(d, 'to-dir'));
    expect(() => planOutput(join(d, 'sub'))).toThrow(/sub: is a directory$/);
    expect(() => checkOutputFile(join(d, 'dangling'), '--junit')).toThrow(/^--junit .*dangling: a symbolic link to nothing: not followed/);
    expect(() => planOutput(join(d, 'to-dir'))).toThrow(UsageError);
    expect(() => checkOutputFile('/proc/self/x.xml', '--junit')).toThrow(/^--junit \/proc\/self\/x\.xml: on proc, a kernel file system/);
  });
});

describe.skipIf(process.getuid?.() !== 0)('as root, beside another user', () => {
  it('in a sticky folder another user writes in, their racing symlink never makes root write through it', async (ctx) => {
    // Outside the suite's folder (only root can enter it): the other user must reach this one.
    const d = mkdtempSync(join(tmpdir(), 'race-'));
    ctx.onTestFinished(() => rmSync(d, { recursive: true, force: true }));
    const shared = join(d, 'shared');
    mkdirSync(shared);
    await execa('chmod', ['1777', shared]);
    await execa('chmod', ['755', d]);
    const target = join(d, 'precious');
    writeFileSync(target, 'keep');
    // The other user plants and removes a symlink at the output name as fast as it can.
    const loop = `while :; do ln -sfn ${target} ${shared}/out.json 2>/dev/null; rm -f ${shared}/out.json; done`;
    const probe = await execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', `touch ${shared}/probe`], { reject: false });
    if (probe.exitCode !== 0) return ctx.skip(`cannot act as nobody here: ${String(probe.stderr).trim()}`);
    const attacker = execa('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', 'sh', '-c', loop], { reject: false });
    try {
      let written = 0;
      let refused = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 1500) {
        try {
          await writeFileAtomic(join(shared, 'out.json'), 'report');
          written++;
        } catch (e) {
          expect(e).toBeInstanceOf(UsageError); // their link, seen and refused
          refused++;
        }
      }
      expect(written + refused).toBeGreaterThan(0);
    } finally {
      attacker.kill('SIGKILL');
      await attacker;
    }
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(existsSync(join(shared, 'probe'))).toBe(true);
  });
});
