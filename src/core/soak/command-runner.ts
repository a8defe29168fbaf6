// A soak of any program (`soak -- COMMAND`): every iteration runs the
// command through one command server (native/commands.c) that lives as long
// as the soak, so an iteration costs the program and a few small forks,
// never a process started from Node.
import { basename } from 'node:path';
import { findingSummary, groupFindings } from '../preload/findings.js';
import { iterationSeed } from '../run/chaos.js';
import { runCommandIteration, type CommandResult } from './command-iteration.js';
import { saveCommandReport, type CommandReportContext } from './command-report.js';
import { CommandServer } from './command/server.js';
import type { SoakObserver, SoakOptions } from './options.js';
import type { SoakIteration, SoakRunner } from './runner.js';
import { seedOf } from './shards.js';

/** Output kept in a JUnit body: the end of each tail (the report keeps 16 KiB of each). */
const JUNIT_TAIL = 2000;
/** /dev/shm objects named on the summary line; the report names them all. */
const LEFT_NAMED = 5;

export class CommandRunner implements SoakRunner {
  readonly suite: string;
  private readonly server = new CommandServer();
  private readonly ctx: CommandReportContext;

  constructor(
    private readonly opts: SoakOptions,
    private readonly observer: SoakObserver,
  ) {
    const command = opts.command!;
    const chaos = opts.config.chaos ? ` (chaos: seed ${opts.config.chaos.seed}, intensity ${opts.config.chaos.intensity})` : '';
    this.suite = `soak ${basename(command[0]!)}${chaos}`;
    this.ctx = { command, shard: opts.shard, timeoutMs: opts.config.timeoutMs, preload: opts.preload ?? null };
  }

  async run(index: number): Promise<SoakIteration | null> {
    const r = await runCommandIteration(this.spec(index), this.opts.signal, this.server);
    if (r.verdict === 'interrupted') return null;
    if (r.verdict === 'hang') this.observer.hangDetected?.(index, { lateByMs: r.lateByMs, ...(r.proof ? { proof: r.proof } : {}) });
    const checks = this.opts.preload?.check ? groupFindings(r.preload?.findings ?? []) : [];
    const findings = [...(r.diagnosis?.findings ?? []), ...checks.map((g) => ({ kind: g.kind, summary: findingSummary(g) }))];
    const output = [r.stdoutTail && `stdout (tail):\n${r.stdoutTail.slice(-JUNIT_TAIL)}`, r.stderrTail && `stderr (tail):\n${r.stderrTail.slice(-JUNIT_TAIL)}`].filter(Boolean).join('\n');
    return {
      outcome: {
        index,
        verdict: r.verdict,
        wallMs: r.wallMs,
        lateByMs: r.lateByMs,
        proof: r.proof,
        summary: summaryOf(r),
        findingKinds: findings.map((f) => f.kind),
        findingSummaries: findings.map((f) => f.summary),
        incomplete: [...(r.diagnosis?.incomplete ?? []), ...r.incomplete],
        reportPath: null,
        saveError: null,
      },
      junit: { diagnosis: r.diagnosis, failedAs: exitOf(r), extra: r.verdict === 'completed' ? '' : output },
      // A hang is always worth its report; with --trace --save-all, every traced iteration: the good runs `diff` compares a hang with.
      worth: r.verdict === 'hang' ? 'problem' : r.preload?.trace ? 'any' : 'none',
      save: () => saveCommandReport(r, this.ctx, this.opts.reportDir),
      checkFindings: checks,
      // A static or set-user-ID program: the library never got in, so the iteration ran untraced and unchecked.
      unpreloaded: Boolean(r.preload && !r.preload.loaded.includes(r.rootPid)),
    };
  }

  private spec(index: number) {
    const { config, shard, stacks, preload } = this.opts;
    return {
      index,
      command: this.ctx.command,
      timeoutMs: config.timeoutMs,
      stacks,
      early: config.early === true,
      chaos: config.chaos ? { settings: config.chaos, seed: iterationSeed(config.chaos, index, shard?.index ?? 1) } : null,
      preload: preload ?? null,
      env: {
        MVAR_REPRO_ITERATION: String(index),
        MVAR_REPRO_SHARD: String(shard?.index ?? 1),
        MVAR_REPRO_SHARDS: String(shard?.count ?? 1),
        MVAR_REPRO_SEED: String(seedOf(shard, index)),
      },
    };
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** How the command ended, in the same words every time (no pid, no time): a failure's JUnit message. */
function exitOf(r: CommandResult): string {
  return r.signal ? `killed by ${r.signal}` : `exited ${r.exitCode ?? '?'}`;
}

/** The iteration's line: how it ended, and what it left in /dev/shm. */
function summaryOf(r: CommandResult): string {
  const more = r.leftBehind.length > LEFT_NAMED ? ` and ${r.leftBehind.length - LEFT_NAMED} more` : '';
  const left = r.leftBehind.length ? `; left behind in /dev/shm: ${r.leftBehind.slice(0, LEFT_NAMED).join(', ')}${more}` : '';
  return `${verdictOf(r)}${left}`;
}

function verdictOf(r: CommandResult): string {
  if (r.verdict === 'completed') return `exited 0 in ${Math.round(r.wallMs)} ms`;
  if (r.verdict === 'failed') {
    const last = r.stderrTail.trim().split('\n').at(-1);
    return `${exitOf(r)}${last ? ` (${last.slice(0, 200)})` : ''}`;
  }
  return r.proof ? `hang: proven after ${Math.round(r.proof.provenAtMs)} ms; ${r.tree.length} process(es) in the tree` : `hang: ${r.tree.length} process(es) still running at the deadline`;
}
