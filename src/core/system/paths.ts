// Where the package's own files are, from the compiled module's location
// (dist/core/system/paths.js): nothing depends on the current directory.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function packageRoot(): string {
  return resolve(here, '..', '..', '..');
}

export function buildDir(): string {
  return process.env.MVAR_REPRO_BUILD_DIR ?? resolve(packageRoot(), 'build', 'Release');
}

/** The preload library of `check` (native/preload/). */
export function preloadPath(): string {
  return resolve(buildDir(), 'mvar-preload.so');
}

export function workerPath(): string {
  return resolve(buildDir(), 'mvar-worker');
}

/** The Node worker entry, compiled (also when this module runs from src/ under the tests). */
export function nodeWorkerPath(): string {
  return resolve(packageRoot(), 'dist', 'core', 'native', 'node-worker.js');
}

let version: string | undefined;
export function toolVersion(): string {
  if (!version) {
    const pkg = JSON.parse(readFileSync(resolve(packageRoot(), 'package.json'), 'utf8')) as { version: string };
    version = pkg.version;
  }
  return version;
}
