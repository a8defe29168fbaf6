// One table of exit codes: the loops' decision, each command's help, and
// the README's table all come from (or are held to) it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES, ExitCode, exitCodeHelp, loopExitCode } from '../../../src/core/system/exit-codes.js';
import { ROOT } from '../../helpers.js';

describe('loopExitCode', () => {
  it('hang beats failure; --expect hang inverts only the hang question', () => {
    expect(loopExitCode({ hangs: 0, failures: 0 }, false)).toBe(ExitCode.Ok);
    expect(loopExitCode({ hangs: 1, failures: 3 }, false)).toBe(ExitCode.Found);
    expect(loopExitCode({ hangs: 0, failures: 2 }, false)).toBe(ExitCode.Failed);
    expect(loopExitCode({ hangs: 2, failures: 0 }, true)).toBe(ExitCode.Ok);
    expect(loopExitCode({ hangs: 0, failures: 0 }, true)).toBe(ExitCode.Found);
  });
});

describe('exit code help', () => {
  it('each command lists only the codes it can exit with', () => {
    expect(exitCodeHelp('diff')).toMatch(/0 +equivalent/);
    expect(exitCodeHelp('diff')).not.toMatch(/\b130\b/);
    expect(exitCodeHelp('diagnose')).toMatch(/3 +nothing at all could be read/);
    expect(exitCodeHelp('run')).toMatch(/4 +a process failed/);
  });

  it("the README's exit-code table holds every code with its general meaning", () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Exit codes'));
    for (const e of EXIT_CODES) expect(section).toContain(`| ${e.code} | ${e.general} |`);
  });
});
