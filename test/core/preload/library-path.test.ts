// LD_PRELOAD splits on spaces and colons: a library under such a folder is
// not loaded by its path (the control below shows it), and is by the path
// loadablePreloadPath gives.
import { execa } from 'execa';
import { closeSync, copyFileSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadablePreloadPath } from '../../../src/core/preload/library-path.js';
import { preloadPath } from '../../../src/core/system/paths.js';
import { tmp } from '../../helpers.js';

/** Did the library get into /bin/true, named in LD_PRELOAD as `value`? (It writes a "loaded" line.) */
async function loads(value: string, dir: string): Promise<boolean> {
  const file = join(dir, `loaded-${Math.random().toString(36).slice(2)}.ndjson`);
  closeSync(openSync(file, 'w'));
  await execa('/bin/true', [], { env: { LD_PRELOAD: value, MVAR_REPRO_CHECK_FILE: file }, reject: false });
  return readFileSync(file, 'utf8').includes('"event":"loaded"');
}

describe('the preload library’s path', () => {
  it('a path with a space and a colon is given through a descriptor, and loads; the plain path does not', async () => {
    const dir = join(tmp(), 'with space:and colon');
    mkdirSync(dir);
    const lib = join(dir, 'mvar-preload.so');
    copyFileSync(preloadPath(), lib);
    const loadable = loadablePreloadPath(lib);
    expect(loadable).toMatch(new RegExp(`^/proc/${process.pid}/fd/\\d+$`));
    expect(await loads(lib, dir)).toBe(false);
    expect(await loads(loadable, dir)).toBe(true);
    expect(loadablePreloadPath(lib)).toBe(loadable); // one descriptor, however often asked
  });

  it('a plain path is given as it is', () => {
    expect(loadablePreloadPath('/opt/x/mvar-preload.so')).toBe('/opt/x/mvar-preload.so');
  });
});
