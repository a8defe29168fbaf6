// The CLI's one terminal sanitizer: nothing from a program, a report or the
// system reaches the terminal as a control character — shown here with a
// real program whose name (its comm) carries escape sequences.
import { execa } from 'execa';
import { symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { terminalSafe, useColor } from '../../src/cli/output.js';
import { cli, tmp } from '../helpers.js';

/** Control characters a terminal may act on, bidi controls included. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it('writes every control character as a visible \\u escape, keeping tabs and text', () => {
    const s = terminalSafe('a\tb \u001b]0;title\u0007 \u009b2J \u202eevil \u0000', pipe);
    expect(s).not.toMatch(RAW);
    expect(s).toBe('a\tb \\u001b]0;title\\u0007 \\u009b2J \\u202eevil \\u0000');
  });

  it('on a colour terminal, lets through only the colour codes the tool paints', () => {
    const saved = process.env.NO_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect(terminalSafe('\u001b[31mHANG\u001b[39m \u001b[2J\u001b]8;;x\u0007', tty)).toBe('\u001b[31mHANG\u001b[39m \\u001b[2J\\u001b]8;;x\\u0007');
      // Off a terminal even those are escaped.
      expect(terminalSafe('\u001b[31mHANG\u001b[39m', pipe)).not.toMatch(RAW);
    } finally {
      if (saved !== undefined) process.env.NO_COLOR = saved;
    }
  });

  it('keeps JSON valid and its values unchanged', () => {
    const value = { s: 'x\u009by\u2028z\u202e' };
    expect(JSON.parse(terminalSafe(JSON.stringify(value), pipe))).toEqual(value);
  });
});

describe('a program named with escape sequences', () => {
  it('its hang is printed, shown and exported with them escaped', async () => {
    const d = tmp();
    const fifo = join(d, 'fifo');
    await execa('mkfifo', [fifo]);
    // A cat under a name that retitles the terminal and clears it: it blocks opening a FIFO nobody writes.
    const name = join(d, 'e\u001b]0;pwn\u0007\u001b[2Jx');
    symlinkSync('/bin/cat', name);
    const reports = join(d, 'r');
    const r = await cli(['soak', '--iterations', '1', '--timeout', '500ms', '--report-dir', reports, '--', name, fifo]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('e\\u001b]0;pwn\\u0007\\u001b[2Jx');
    expect(r.stdout + r.stderr).not.toMatch(RAW);
    const folder = /report: (\S+)/.exec(r.stdout)![1]!;
    const show = await cli(['report', 'show', '--all', resolve(folder)]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/e\\u001b\]0;pwn/);
    expect(show.stdout + show.stderr).not.toMatch(RAW);
  });
});

describe('a program named with a newline', () => {
  it('cannot start a line of the human output: the newline is written as \\u000a, inside its own line', async () => {
    const d = tmp();
    const fifo = join(d, 'fifo');
    await execa('mkfifo', [fifo]);
    const name = join(d, 'c\nno finding'); // its comm, the name diagnose prints
    symlinkSync('/bin/cat', name);
    const sub = execa(name, [fifo], { reject: false });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const r = await cli(['diagnose', String(sub.pid), '--samples', '2', '--interval', '100ms']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('c\\u000ano finding');
      expect(r.stdout).not.toMatch(/^no finding$/m);
      const json = await cli(['diagnose', String(sub.pid), '--samples', '2', '--interval', '100ms', '--json']);
      expect((JSON.parse(json.stdout) as { processes: { comm: string }[] }).processes[0]!.comm).toBe('c\nno finding');
    } finally {
      sub.kill('SIGKILL');
      await sub;
    }
  });
});

describe('useColor', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it('colours a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR colours a pipe and wins over NO_COLOR; FORCE_COLOR=0 turns it off', () => {
    expect(useColor(tty, {})).toBe(true);
    expect(useColor(pipe, {})).toBe(false);
    expect(useColor(tty, { NO_COLOR: '1' })).toBe(false);
    expect(useColor(tty, { NO_COLOR: '' })).toBe(true);
    expect(useColor(tty, { TERM: 'dumb' })).toBe(false);
    expect(useColor(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor(pipe, { FORCE_COLOR: '', NO_COLOR: '1' })).toBe(true);
    expect(useColor(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });

  it('FORCE_COLOR reaches a CI log: the final line of a run is painted off a terminal', async () => {
    const painted = await cli(['run', '2', '--variant', 'fixed', '--quiet'], { env: { FORCE_COLOR: '1' } });
    expect(painted.stdout).toMatch(/^\u001b\[32mrun: no hang/);
    const plain = await cli(['run', '2', '--variant', 'fixed', '--quiet']);
    expect(plain.stdout).not.toMatch(RAW);
  });
});
