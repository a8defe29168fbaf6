// Builds the native core with node-gyp, quietly: gyp's ~60 lines of progress
// are kept and shown only when the build fails, so an install says one line.
//   node scripts/build-native.mjs install   what `npm install`/`npm ci` runs: a clean
//                                           build of what the commands need (TOOL_TARGETS)
//   node scripts/build-native.mjs build     what `npm run build` runs: an incremental
//                                           build of every target (the bench's too)
// Offline by construction: when the running Node's own headers are on this
// machine (a distribution's nodejs, /usr/include/node), node-gyp is pointed at
// them instead of downloading a header tarball.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the commands load or start (src/core/system/paths.ts): the addon, the
 * worker and fork server, and the preload library of check/soak --trace.
 * The bench's programs (mvar-launcher, mvar-lockbench, mvar-tracebench) are
 * built by `npm run build` only.
 */
export const TOOL_TARGETS = ['mvar_repro', 'mvar-worker', 'mvar-preload'];

/** The running Node's headers when this machine has them and they are its version; else null (node-gyp's own lookup). */
export function localNodeDir() {
  if (process.env.npm_config_nodedir) return null;
  for (const dir of [resolve(dirname(process.execPath), '..'), process.config.variables.node_prefix].filter(Boolean)) {
    const h = join(dir, 'include', 'node', 'node_version.h');
    if (!existsSync(h)) continue;
    const text = readFileSync(h, 'utf8');
    const part = (n) => text.match(new RegExp(`#define NODE_${n}_VERSION (\\d+)`))?.[1];
    if (`v${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}` === process.version) return dir;
  }
  return null;
}

/** node-gyp as npm provides it to install scripts, else the project's own (a devDependency), else the one on PATH. */
function nodeGyp(args) {
  const script = [process.env.npm_config_node_gyp, join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')].find((f) => f && existsSync(f));
  const [cmd, argv] = script ? [process.execPath, [script, ...args]] : ['node-gyp', args];
  return spawnSync(cmd, argv, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
}

function step(args, log) {
  const r = nodeGyp(args);
  log.push(`$ node-gyp ${args.join(' ')}`, r.stdout ?? '', r.stderr ?? '');
  if (r.error) log.push(String(r.error.message));
  return r.status === 0;
}

function main(mode) {
  const nodedir = localNodeDir();
  const configureArgs = ['configure', ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const log = [];
  const ok =
    mode === 'install'
      ? step(['clean'], log) && step(configureArgs, log) && step(['build', ...TOOL_TARGETS], log)
      : (existsSync(join(root, 'build', 'Makefile')) || step(configureArgs, log)) && step(['build'], log);
  if (!ok) {
    process.stderr.write(`${log.join('\n')}\n`);
    process.stderr.write('mvar-repro: building the native core failed (the output of node-gyp is above); it needs python3, make and a C/C++ compiler, and Node\'s headers (a distribution\'s nodejs-dev, or --nodedir)\n');
    process.exit(1);
  }
  if (mode === 'install') process.stdout.write(`mvar-repro: built the native core (${TOOL_TARGETS.join(', ')}) in build/Release\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== 'install' && mode !== 'build') {
    process.stderr.write('usage: node scripts/build-native.mjs install|build\n');
    process.exit(2);
  }
  main(mode);
}
