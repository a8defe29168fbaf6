// One execa child per process. Each child is a session leader (detached), so
// a Ctrl-C at the terminal reaches only the CLI, which then kills the
// children itself; each child also dies with the CLI (PR_SET_PDEATHSIG).
import type { ResultPromise } from 'execa';
import { execaModule } from '../../system/lazy.js';
import { EnvironmentError } from '../../system/errors.js';
import type { ExitInfo, Launched, Launcher, ProcessSpec } from './launcher.js';
import { nodeWorkerPath, preloadPath, workerPath } from '../../system/paths.js';
import { loadablePreloadPath } from '../../preload/library-path.js';
import { existsSync } from 'node:fs';
import type { Runtime, SlaveThread } from '../../native/vocabulary.js';

export interface ExecaLauncherOptions {
  /** Runtime of the slaves; the master is always native. */
  runtime: Runtime;
  slaveThread: SlaveThread;
}

function tail(s: string, lines = 5): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n');
}

export class ExecaLauncher implements Launcher {
  readonly kind = 'execa';
  private readonly live = new Set<ResultPromise>();

  constructor(private readonly opts: ExecaLauncherOptions) {}

  private command(segment: string, p: ProcessSpec): [string, string[]] {
    const common = ['--segment', segment, '--role', p.role, '--id', String(p.id), '--parent', String(process.pid)];
    if (p.role === 'slave' && this.opts.runtime === 'node')
      return [process.execPath, ['--no-warnings', nodeWorkerPath(), ...common, '--thread', this.opts.slaveThread]];
    return [workerPath(), common];
  }

  async launch(segment: string, procs: ProcessSpec[], chaos?: { seed: number; intensity: number }): Promise<Launched> {
    // --chaos: the processes jitter their own lock calls too, under the preload library.
    const jitter = chaos !== undefined && existsSync(preloadPath());
    const subs = procs.map((p) => {
      const [file, args] = this.command(segment, p);
      const sub = execaModule().execa(file, args, {
        ...(jitter ? { env: { LD_PRELOAD: loadablePreloadPath(), MVAR_REPRO_CHAOS: `${chaos!.seed}:${chaos!.intensity}` } } : {}),
        detached: true,
        stdin: 'ignore',
        stdout: 'ignore',
        stderr: 'pipe',
        reject: false,
        cleanup: false,
        maxBuffer: 64 * 1024,
      });
      this.live.add(sub);
      return sub;
    });
    const exits = subs.map(async (sub): Promise<ExitInfo> => {
      const r = await sub;
      this.live.delete(sub);
      return {
        code: r.signal ? null : (r.exitCode ?? null),
        signal: (r.signal as NodeJS.Signals | undefined) ?? null,
        atMs: performance.now(),
        stderr: tail(typeof r.stderr === 'string' ? r.stderr : ''),
      };
    });
    const missing = subs.findIndex((s) => s.pid === undefined);
    if (missing >= 0) {
      for (const s of subs) if (s.pid !== undefined) kill(s);
      const r = await exits[missing]!;
      await Promise.all(exits);
      throw new EnvironmentError(`cannot start ${this.command(segment, procs[missing]!)[0]}: ${r.stderr || 'spawn failed'}`);
    }
    return {
      pids: subs.map((s) => s.pid as number),
      exits,
      killAll: () => subs.forEach(kill),
      jitter,
    };
  }

  async close(): Promise<void> {
    const pending = [...this.live];
    pending.forEach(kill);
    await Promise.allSettled(pending);
  }
}

function kill(sub: ResultPromise): void {
  if (sub.pid === undefined || sub.exitCode !== null || sub.signalCode !== null) return;
  try {
    process.kill(-sub.pid, 'SIGKILL'); // its whole group
  } catch {
    try {
      sub.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
