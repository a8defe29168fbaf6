// What the install builds and what the package ships agree with what the
// commands load: the targets the install script builds exist in binding.gyp,
// every source they compile is in the package, as are the baseline the docs
// use and the script itself; no source map points at sources the package
// lacks; node-gyp is pointed at this Node's own headers when they are here.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

const { TOOL_TARGETS, localNodeDir } = (await import(join(ROOT, 'scripts', 'build-native.mjs'))) as { TOOL_TARGETS: string[]; localNodeDir: () => string | null };
interface Target {
  target_name: string;
  sources?: string[];
  dependencies?: string[];
}
const gyp = JSON.parse(readFileSync(join(ROOT, 'binding.gyp'), 'utf8')) as { targets: Target[] };

/** A target's sources and those of the targets it depends on. */
function sourcesOf(name: string): string[] {
  const t = gyp.targets.find((x) => x.target_name === name);
  if (!t) throw new Error(`binding.gyp has no target ${name}`);
  return [...(t.sources ?? []), ...(t.dependencies ?? []).flatMap(sourcesOf)];
}

describe('install and package', () => {
  it('the install builds the addon, the worker and the preload library: targets binding.gyp has', () => {
    expect(TOOL_TARGETS).toEqual(['mvar_repro', 'mvar-worker', 'mvar-preload']);
    for (const t of TOOL_TARGETS) expect(sourcesOf(t).length, t).toBeGreaterThan(0);
  });

  it('npm pack holds every source the install compiles, the script, the baseline, and no source map', () => {
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as [{ files: { path: string }[] }];
    const files = new Set(pack.files.map((f) => f.path));
    for (const src of new Set(TOOL_TARGETS.flatMap(sourcesOf))) expect(files, src).toContain(src);
    for (const f of ['binding.gyp', 'scripts/build-native.mjs', 'reports/baselines/fixed-n20/report.json', 'reports/baselines/fixed-n20/events.ndjson', 'dist/cli/main.js', 'README.md', 'LICENSE'])
      expect(files, f).toContain(f);
    expect([...files].filter((f) => f.endsWith('.map'))).toEqual([]);
    expect([...files].filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('package.json names where the code and its issues live, and the platform the native core builds on', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.repository).toMatchObject({ type: 'git' });
    expect(pkg.bugs).toMatchObject({ url: expect.stringMatching(/^https:\/\//) });
    expect(pkg.os).toEqual(['linux']);
    expect(pkg.cpu).toEqual(['x64']);
  });

  it("node-gyp gets this Node's own headers when they are on this machine, of its exact version", () => {
    const dir = localNodeDir();
    if (process.env.npm_config_nodedir) expect(dir).toBeNull();
    else if (dir) {
      const h = readFileSync(join(dir, 'include', 'node', 'node_version.h'), 'utf8');
      expect(h).toContain(`#define NODE_MAJOR_VERSION ${process.versions.node.split('.')[0]}`);
    } else expect(existsSync(join(process.execPath, '..', '..', 'include', 'node', 'node_version.h'))).toBe(false);
  });
});
