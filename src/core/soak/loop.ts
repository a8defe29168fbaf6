// The soak's one loop, which owns its state (as Go's `stress` does): the
// outcomes, which reports are kept, the JUnit file, the --check findings and
// the counts the summary is made of. Each iteration is three named steps:
// start it (the runner runs and watches it until it has a verdict), keep its
// report if it is worth one, and record it (JUnit, observer). Nothing climbs
// back out of a runner: runners report, the loop decides.
import type { FindingGroup } from '../preload/findings.js';
import type { SoakSummary } from '../report/types.js';
import { saveOrSay } from '../run/loop.js';
import { repeat } from '../system/repeat.js';
import { JUnitFile, type JUnitCase } from './junit.js';
import { checkCase, interruptedCase, iterationCase, stableWhere } from './junit-cases.js';
import { DEFAULT_KEEP_REPORTS, ReportKeeper } from './keep.js';
import type { SoakObserver, SoakOptions } from './options.js';
import type { SoakIteration, SoakRunner } from './runner.js';
import { soakSummary, type SoakOutcome } from './summary.js';

/** An iteration as the loop holds it: its JUnit testcase, once recorded, is amended when a held report is saved or dropped. */
type Held = SoakIteration & { testcase?: JUnitCase };

interface CheckSeen {
  group: FindingGroup;
  iterations: number[];
  report: string | null;
}

export class SoakLoop {
  private readonly t0 = performance.now();
  private readonly outcomes: SoakOutcome[] = [];
  private readonly keeper: ReportKeeper;
  private junit: JUnitFile | null = null;
  /** --check findings over the whole soak, one per primitive (the grouping of preload/findings.ts). */
  private readonly checks = new Map<string, CheckSeen>();
  /** Problem reports kept, in the order they were saved. */
  private readonly reports: string[] = [];
  private readonly saveErrors: string[] = [];
  private unpreloaded = 0;
  private interrupted = false;

  constructor(
    private readonly opts: SoakOptions,
    private readonly runner: SoakRunner,
    private readonly observer: SoakObserver,
  ) {
    this.keeper = new ReportKeeper(opts.keepReports ?? DEFAULT_KEEP_REPORTS);
  }

  async run(): Promise<SoakSummary> {
    const { iterations, durationMs, parallel, signal, junit } = this.opts;
    try {
      if (junit) this.junit = await JUnitFile.open(junit, this.runner.suite);
      await repeat({ iterations, durationMs, parallel, signal }, (index) => this.iteration(index));
      await this.keeper.flush();
    } finally {
      await this.runner.close();
      await this.junit?.close(this.finalCases());
    }
    return this.summary();
  }

  private async iteration(index: number): Promise<'stop' | void> {
    this.observer.iterationStarted?.(index);
    const it = await this.runner.run(index);
    if (!it) {
      this.interrupted = true;
      return 'stop';
    }
    await this.keep(it);
    this.record(it);
    return this.opts.untilHang && it.outcome.verdict === 'hang' ? 'stop' : undefined;
  }

  /** Saves its report if it is worth one: --save-all, or a hang, a failure or a first --check finding, within the cap. */
  private async keep(it: Held): Promise<void> {
    const fresh = this.noteChecks(it);
    const problem = it.worth === 'problem' || fresh.length > 0;
    if (!problem && !(it.worth === 'any' && this.opts.saveAll)) return;
    const settle = (saved: { path: string | null; error: string | null } | 'dropped') => {
      if (saved === 'dropped') {
        if (it.testcase) it.testcase.systemOut = 'report not kept: a soak keeps the first and the last reports (--keep-reports)';
        return;
      }
      if (it.testcase && saved.path) it.testcase.systemOut = `report: ${saved.path}`;
      it.outcome.reportPath = saved.path;
      it.outcome.saveError = saved.error;
      if (saved.error) this.saveErrors.push(saved.error);
      if (saved.path && problem) this.reports.push(saved.path);
      for (const g of fresh) this.checks.get(checkKey(g))!.report ??= saved.path;
    };
    const k = { save: () => saveOrSay(it.save), settle };
    if (this.opts.saveAll) settle(await k.save());
    else await this.keeper.offer(k);
  }

  /** Records the check's findings; returns those no iteration had before. */
  private noteChecks(it: SoakIteration): FindingGroup[] {
    const fresh: FindingGroup[] = [];
    for (const g of it.checkFindings) {
      const seen = this.checks.get(checkKey(g));
      if (seen) seen.iterations.push(it.outcome.index);
      else {
        this.checks.set(checkKey(g), { group: g, iterations: [it.outcome.index], report: null });
        fresh.push(g);
      }
    }
    return fresh;
  }

  private record(it: Held): void {
    this.outcomes.push(it.outcome);
    if (it.unpreloaded) this.unpreloaded++;
    it.testcase = iterationCase({ outcome: it.outcome, shard: this.opts.shard, ...it.junit });
    this.junit?.add(it.testcase);
    this.observer.iterationDone?.(it.outcome);
  }

  /** The soak-wide testcases: one per distinct --check finding, and the interruption. */
  private finalCases(): JUnitCase[] {
    const checks = [...this.checks.values()].map((c) => checkCase(c.group, c.iterations, c.report));
    return [...checks, ...(this.interrupted || this.opts.signal.aborted ? [interruptedCase(this.outcomes.length, this.opts.iterations)] : [])];
  }

  private summary(): SoakSummary {
    const { command, config, shard, expect, preload } = this.opts;
    const saveErrors = [...this.saveErrors, ...(this.junit?.error ? [this.junit.error] : [])];
    return soakSummary(
      [...this.outcomes].sort((a, b) => a.index - b.index),
      {
        shard,
        command,
        config: command ? { timeoutMs: config.timeoutMs, chaos: config.chaos ?? null } : config,
        expect,
        wallMs: performance.now() - this.t0,
        interrupted: this.interrupted || this.opts.signal.aborted,
        reports: this.reports,
        reportsKept: this.keeper.counts(),
        ...(saveErrors.length ? { saveErrors } : {}),
        ...(preload ? { unpreloaded: this.unpreloaded } : {}),
      },
    );
  }
}

/** One --check finding over the whole soak: findings.ts's grouping, with the place made the same in every iteration. */
const checkKey = (g: FindingGroup) => `${g.kind}|${g.primitive}|${stableWhere(g.where)}`;
