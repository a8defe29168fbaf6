// `mvar-repro diagnose PID...`: why are these processes stuck?
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { diagnose } from '../../core/diagnosis/engine.js';
import { MAX_FOLLOWED } from '../../core/diagnosis/follow.js';
import { parseDuration } from '../../core/system/duration.js';
import { EnvironmentError, UsageError } from '../../core/system/errors.js';
import { ExitCode, exitCodeHelp } from '../../core/system/exit-codes.js';
import { processesNamed } from '../../core/procfs/capture.js';
import { diagnoseFinalLine, diagnosisLines } from '../format/diagnosis.js';
import { out, outJson } from '../output.js';
import { parseCount } from '../run-options.js';

interface Args {
  pids: string[];
  json?: boolean;
  stacks?: boolean;
  samples: string;
  interval: string;
  only?: boolean;
}

export const diagnoseCli: CommandModule<object, Args> = {
  command: 'diagnose <pids...>',
  describe: 'say why processes (any, not only ours) are stuck, with evidence from /proc and shared memory',
  builder: (y: Argv) =>
    y
      .positional('pids', { type: 'string', array: true, describe: 'process ids' })
      .option('json', { type: 'boolean', describe: '{ processes, findings, ... } on stdout' })
      .option('stacks', {
        type: 'boolean',
        describe: 'also capture native backtraces (eu-stack or gdb), after the /proc evidence; an attach restarts blocked futex waits and can wake a thread a lost wake-up left asleep',
      })
      .option('only', {
        type: 'boolean',
        describe: `inspect only the given processes; by default the waits are followed to the processes that could end them (the child waited for, a pipe's other end, a lock's owner; at most ${MAX_FOLLOWED} added, each with its reason)`,
      })
      .option('samples', { type: 'string', default: '3', describe: 'how many /proc samples to compare' })
      .option('interval', { type: 'string', default: '200ms', describe: 'time between samples' })
      .epilog(exitCodeHelp('diagnose')) as unknown as Argv<Args>,
  handler: async (argv: ArgumentsCamelCase<Args>) => {
    const pids = argv.pids.map((p) => {
      if (!/^\d+$/.test(String(p)) || Number(p) < 1) throw new UsageError(`'${p}' is not a process id`);
      return Number(p);
    });
    const samples = parseCount(argv.samples, '--samples', 1, 100);
    const intervalMs = parseDuration(argv.interval, '--interval');
    const { pids: present, gone, threads } = processesNamed(pids);
    if (present.length === 0) throw new EnvironmentError(`cannot inspect ${pids.join(', ')}: no such process`);
    const { diagnosis } = await diagnose(present, { samples, intervalMs, stacks: argv.stacks ? present.length : 0, stackTimeoutMs: 30_000, follow: !argv.only });
    if (argv.json) outJson({ ...diagnosis, missing: gone });
    else {
      for (const p of gone) out(`pid ${p}: no such process`);
      for (const t of threads) out(`${t.tid}: a thread of pid ${t.pid}, diagnosed as that process`);
      for (const l of diagnosisLines(diagnosis)) out(l);
      out();
      out(diagnoseFinalLine(diagnosis, present, Boolean(argv.stacks)));
    }
    process.exitCode = diagnosis.findings.length ? ExitCode.Found : ExitCode.Ok;
  },
};
