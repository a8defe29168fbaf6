// A file the CLI rewrites while it runs (the soak's JUnit XML) goes through
// a temporary file that is renamed over it; a CLI killed by SIGKILL between
// the two would leave that temporary behind. `mvar-worker guard`
// (native/guard.c) outlives the CLI by a moment and removes it: whatever
// temporaries of the file appeared while the guard watched, once the CLI is
// gone. Closed normally, the guard leaves without touching anything.
import type { ResultPromise } from 'execa';
import { execaModule } from '../system/lazy.js';
import { lstatSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { workerPath } from '../system/paths.js';

export class WriteGuard {
  private constructor(private readonly proc: ResultPromise) {}

  /** Watches the temporaries of `path`; null when there is nothing to guard (a FIFO or a device is written straight). */
  static async start(path: string): Promise<WriteGuard | null> {
    const abs = resolve(path);
    try {
      if (!lstatSync(abs).isFile()) return null;
    } catch {
      // not there yet: it will be created atomically
    }
    const proc = execaModule().execa(workerPath(), ['guard', '--parent', String(process.pid), '--dir', dirname(abs), '--name', basename(abs)], {
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'ignore',
      reject: false,
      detached: true,
      cleanup: false,
    });
    // Ready once it has noted what the folder held before our first write.
    const ready = await new Promise<boolean>((r) => {
      proc.stdout!.once('data', () => r(true));
      void proc.then(() => r(false));
    });
    return ready ? new WriteGuard(proc) : null;
  }

  /** The file is written for the last time: nothing to remove. */
  async close(): Promise<void> {
    this.proc.stdin?.end('quit\n');
    await this.proc;
  }
}
