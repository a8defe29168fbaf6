// The preload library as LD_PRELOAD can name it. ld.so splits LD_PRELOAD on
// spaces and colons, so a library under a folder whose name holds either
// (a checkout in "~/My Projects") cannot be given by its path. Such a
// library is given as /proc/<this CLI's pid>/fd/<n> instead: a descriptor of
// it that the CLI opens once and keeps for its life. The loader opens that
// path like any other (the link leads to the file, whatever its name), any
// process of the same user may follow it while the CLI lives, and every
// program the CLI runs dies with it. A path without a space or a colon is
// given as it is.
import { openSync } from 'node:fs';
import { preloadPath } from '../system/paths.js';

const opened = new Map<string, string>();

/** path (default: the built library) as LD_PRELOAD can hold it. */
export function loadablePreloadPath(path = preloadPath()): string {
  if (!/[\s:]/.test(path)) return path;
  let p = opened.get(path);
  if (!p) {
    p = `/proc/${process.pid}/fd/${openSync(path, 'r')}`;
    opened.set(path, p);
  }
  return p;
}
