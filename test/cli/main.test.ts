// The command line as a new user meets it: help for a command, a suggestion
// for a mistyped flag, shell completion, exit codes in every command's help,
// and a schema version in every --json document.
import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/core/report/types.js';
import { cli } from '../helpers.js';

const COMMANDS = [['run'], ['soak'], ['diagnose'], ['diff'], ['merge'], ['check'], ['report'], ['report', 'show'], ['report', 'export']];

describe('help', () => {
  it('help COMMAND is COMMAND --help, help alone is --help', async () => {
    const [viaHelp, viaFlag, top] = await Promise.all([cli(['help', 'run']), cli(['run', '--help']), cli(['help'])]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toMatch(/^mvar-repro run \[N\]/);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/mvar-repro help \[command\.\.\]/);
    expect(top.stdout).toMatch(/mvar-repro completion/);
  });

  it('every command\'s help, subcommands included, lists its exit codes', async () => {
    const rs = await Promise.all(COMMANDS.map((c) => cli([...c, '--help'])));
    rs.forEach((r, i) => {
      expect(r.code, COMMANDS[i]!.join(' ')).toBe(0);
      expect(r.stdout, COMMANDS[i]!.join(' ')).toMatch(/^Exit codes:\n {2}0 {4}\S/m);
      expect(r.stdout, COMMANDS[i]!.join(' ')).toMatch(/^ {2}2 {4}usage error/m);
    });
  });

  it('a mistyped flag is refused with the nearest one (exit 2, one line)', async () => {
    const [one, two, none] = await Promise.all([
      cli(['run', '--iteration', '3']),
      cli(['soak', '--timout', '1s', '--iter', '2', '--', 'true']),
      cli(['run', '--zzzz']),
    ]);
    expect(one.code).toBe(2);
    expect(one.stderr.trim()).toBe('mvar-repro: unknown option --iteration (did you mean --iterations?) (see --help)');
    expect(two.stderr.trim()).toBe('mvar-repro: unknown options --timout (did you mean --timeout?), --iter (did you mean --iterations?) (see --help)');
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).not.toMatch(/did you mean/);
  });

  it('completion prints a shell script, and completes the options of a command', async () => {
    const script = await cli(['completion']);
    expect(script.code).toBe(0);
    expect(script.stdout).toMatch(/complete -o bashdefault -o default -F _mvar-repro_yargs_completions mvar-repro/);
    const words = await cli(['--get-yargs-completions', 'mvar-repro', 'run', '--it']);
    expect(words.stdout.split('\n')).toContain('--iterations');
  });
});

describe('options that do nothing', () => {
  it('--seed without --chaos: a one-line warning on stderr, and the run goes on', async () => {
    const r = await cli(['run', '2', '--variant', 'fixed', '--seed', '7', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('mvar-repro: warning: --seed has no effect without --chaos (it seeds the chaos decisions)');
    expect(r.stdout).toMatch(/^run: no hang in 1 iteration/);
  });
});

describe('--json', () => {
  it('every JSON document on stdout carries the one schema version', async () => {
    const rs = await Promise.all([
      cli(['run', '2', '--variant', 'fixed', '--json']),
      cli(['check', '--json', '--', 'true']),
      cli(['diagnose', String(process.pid), '--json', '--samples', '1', '--only']),
      cli(['diff', 'fixed-n20', 'fixed-n20', '--json']),
      cli(['soak', '--iterations', '1', '--json', '--', 'true']),
    ]);
    for (const r of rs) expect(JSON.parse(r.stdout).schemaVersion, r.stderr).toBe(SCHEMA_VERSION);
  });
});
