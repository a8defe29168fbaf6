// When the addon is missing, the one line says what builds it where the tool is.
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { CLI, ROOT, tmp } from '../../helpers.js';

describe('a missing addon', () => {
  it('in a checkout: names npm install / npm run build and the folder', async () => {
    const r = await execa(process.execPath, [CLI, 'run', '2'], { reject: false, env: { MVAR_REPRO_BUILD_DIR: tmp() } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`native addon not loadable .*run 'npm install' \\(or 'npm run build'\\) in ${ROOT}`));
  });

  it('in an installed package whose install script was skipped: names npm rebuild mvar-repro', async () => {
    // The package as npm installs it (dist, package.json), without the build/ that its install script makes.
    const nm = join(tmp(), 'node_modules');
    const pkg = join(nm, 'mvar-repro');
    mkdirSync(pkg, { recursive: true });
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    for (const dep of readdirSync(join(ROOT, 'node_modules'))) if (!dep.startsWith('.')) symlinkSync(join(ROOT, 'node_modules', dep), join(nm, dep));
    const r = await execa(process.execPath, [join(pkg, 'dist', 'cli', 'main.js'), 'run', '2'], { reject: false });
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/install script, which was skipped .*run 'npm rebuild mvar-repro'/);
  });
});
