// The program given to soak/check is refused before anything runs when it
// cannot run: real files, real folders, real permissions.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand, findExecutable } from '../../../src/core/system/command.js';
import { UsageError } from '../../../src/core/system/errors.js';
import { cli, tmp } from '../../helpers.js';

describe('checkCommand', () => {
  it('takes a program on PATH or an executable file by its path', () => {
    expect(() => checkCommand(['sh', '-c', 'true'], 'soak')).not.toThrow();
    expect(() => checkCommand(['/bin/sh'], 'check')).not.toThrow();
  });

  it("refuses an empty name, a folder, a file that cannot be executed and a name not on PATH, in one line", () => {
    const d = tmp();
    const plain = join(d, 'plain.sh');
    writeFileSync(plain, 'echo hi\n');
    chmodSync(plain, 0o644);
    const cases: [string[], RegExp][] = [
      [[], /^soak needs a program/],
      [[''], /^cannot run '': an empty command name$/],
      [['  '], /an empty command name/],
      [['/tmp'], /^cannot run '\/tmp': a directory, not a program$/],
      [[d + '/'], /a directory, not a program$/],
      [[plain], /plain\.sh': not executable \(no permission to run it\)$/],
      [[join(d, 'missing')], /missing': no such file or directory \(ENOENT\)$/],
      [['no-such-command-mvar-repro-test'], /not found on PATH$/],
      [['/dev/null'], /a character device, not a program$/],
    ];
    for (const [argv, re] of cases) {
      expect(() => checkCommand(argv, 'soak'), JSON.stringify(argv)).toThrow(UsageError);
      expect(() => checkCommand(argv, 'soak'), JSON.stringify(argv)).toThrow(re);
    }
  });

  it('a folder on PATH named like the command is skipped, as execvp skips it', () => {
    const d = tmp();
    const saved = process.env.PATH;
    try {
      process.env.PATH = `${d}:${saved}`;
      mkdirSync(join(d, 'sh'));
      writeFileSync(join(d, 'x-mvar-repro-test'), '');
      expect(findExecutable('sh')).not.toBe(join(d, 'sh'));
      expect(findExecutable('sh')).toMatch(/\/sh$/);
      expect(findExecutable('x-mvar-repro-test')).toBeNull();
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe('soak -- COMMAND and check -- COMMAND', () => {
  it('refuse what cannot run before anything runs: exit 2, one line', async () => {
    const rs = await Promise.all([
      cli(['soak', '--iterations', '1', '--', '']),
      cli(['soak', '--iterations', '1', '--', '/tmp']),
      cli(['check', '--', '/tmp']),
      cli(['check', '--', '']),
      cli(['check', '--', 'no-such-command-mvar-repro-test']),
    ]);
    for (const r of rs) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^mvar-repro: cannot run '/);
      expect(r.stdout).toBe('');
    }
  });
});
