// A soak of mvar-repro's own protocol: each iteration is a `run` iteration
// (run/loop.ts's ProtocolIterations: the fork server, the watchdog, the
// evidence of a hang), reported for the soak loop to record.
import { processLabelWithPid } from '../report/labels.js';
import { writeRunFolder } from '../report/write.js';
import { gatherEvidence } from '../run/evidence.js';
import { outcomeOf, ProtocolIterations } from '../run/loop.js';
import type { SoakObserver, SoakOptions } from './options.js';
import type { SoakIteration, SoakRunner } from './runner.js';

export class ProtocolRunner implements SoakRunner {
  readonly suite: string;
  private readonly iterations: ProtocolIterations;

  constructor(
    private readonly opts: SoakOptions,
    observer: SoakObserver,
  ) {
    const chaos = opts.config.chaos ? ` (chaos: seed ${opts.config.chaos.seed}, intensity ${opts.config.chaos.intensity})` : '';
    this.suite = `mvar-repro soak${chaos}`;
    this.iterations = new ProtocolIterations({
      config: opts.config,
      shard: opts.shard,
      inspect: (ctx) => gatherEvidence(ctx, { stacks: opts.stacks, keep: false }),
      signal: opts.signal,
      ...(observer.hangDetected ? { hangDetected: observer.hangDetected } : {}),
    });
  }

  async run(index: number): Promise<SoakIteration | null> {
    const it = await this.iterations.run(index);
    if (!it) return null;
    const { report, events } = it;
    // Keep the outcome, not the whole report: a long soak holds thousands (the held last report aside).
    const { report: _dropped, ...outcome } = outcomeOf(it, { path: null, error: null });
    const stuck = report.processes.filter((p) => p.classification === 'stuck').map(processLabelWithPid);
    const failed = report.processes.filter((p) => p.exit && !p.exit.killedByWatchdog && (p.exit.code !== 0 || p.exit.signal));
    return {
      outcome,
      junit: {
        diagnosis: report.diagnosis,
        failedAs: `failed: ${failed.length ? [...new Set(failed.map((p) => (p.exit!.signal ? `${p.role} killed by ${p.exit!.signal}` : `${p.role} exited ${p.exit!.code}`)))].join(', ') : 'a process failed'}`,
        extra: stuck.length ? `stuck: ${stuck.join(', ')}` : '',
      },
      worth: report.verdict !== 'completed' ? 'problem' : 'any',
      save: () => writeRunFolder(this.opts.reportDir, report, events),
      checkFindings: [],
      unpreloaded: false,
    };
  }

  close(): Promise<void> {
    return this.iterations.close();
  }
}
