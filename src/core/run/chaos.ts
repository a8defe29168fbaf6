// --chaos: beside each iteration, `mvar-worker chaos` freezes random processes
// for short random times, moves them between CPUs and changes their nice
// values (native/chaos.c), from a recorded seed, so that rare interleavings
// become common without recording anything. Stopped before any evidence is
// gathered: it continues every process it froze on the way out, and the
// orchestrator continues them again in case it could not, so no process is
// ever reported `stopped` because of chaos.
import { execaModule } from '../system/lazy.js';
import type { ChaosRecord, ChaosSettings } from '../report/types.js';
import { workerPath } from '../system/paths.js';

/** The seed of one iteration: the run's seed, moved on by the iteration (and shard), so no two iterations repeat. */
export function iterationSeed(settings: ChaosSettings, index: number, shard = 1): number {
  return (settings.seed + index * 7919 + (shard - 1) * 1_000_003) >>> 0;
}

export class Chaos {
  private constructor(
    private readonly end: () => Promise<ChaosRecord['actions']>,
    private readonly record: Omit<ChaosRecord, 'actions'>,
    private readonly targets: () => number[],
  ) {}

  /** Chaos the launcher already runs beside the processes (the fork server's chaos child). */
  static within(settings: ChaosSettings, seed: number, pids: number[], stop: () => Promise<ChaosRecord['actions']>, jitter: boolean): Chaos {
    return new Chaos(stop, { ...settings, iterationSeed: seed, jitter }, () => pids);
  }

  /** Targets: the run's processes, or (a soaked command) every process of the tree under a root. */
  static start(settings: ChaosSettings, seed: number, targets: { pids: number[] } | { tree: number }, jitter = false): Chaos {
    const which = 'pids' in targets ? ['--pids', targets.pids.join(',')] : ['--tree', String(targets.tree)];
    const sub = execaModule().execa(workerPath(), ['chaos', '--seed', String(seed), '--intensity', String(settings.intensity), '--parent', String(process.pid), ...which], {
      reject: false,
      stdin: 'ignore',
      buffer: true,
    });
    const end = async (): Promise<ChaosRecord['actions']> => {
      sub.kill('SIGTERM');
      const r = await sub;
      try {
        return JSON.parse(String(r.stdout).trim().split('\n').at(-1) ?? '') as ChaosRecord['actions'];
      } catch {
        return null; // it did not say: the record says so
      }
    };
    return new Chaos(end, { ...settings, iterationSeed: seed, jitter }, () => ('pids' in targets ? targets.pids : [targets.tree]));
  }

  /** Stops perturbing, continues everything, and says what was done. */
  async stop(): Promise<ChaosRecord> {
    const actions = await this.end();
    // Belt and braces: a chaos process that died on the way must not leave anyone frozen.
    for (const pid of this.targets())
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    return { ...this.record, actions };
  }
}
