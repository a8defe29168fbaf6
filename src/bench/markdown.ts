// BENCHMARKS.md, written by the bench from one run's figures (never by hand):
// the machine, the date, and every figure with its spread.
import { show } from './measure.js';
import type { ScaleRow } from './sections/scale.js';
import type { Target } from './targets.js';

export interface Machine {
  cpus: number;
  model: string;
  kernel: string;
  glibc: string;
  node: string;
  /** The 1-minute load average when the run ended: a loaded machine widens every spread. */
  load: number;
}

export function markdown(r: { date: string; machine: Machine; sc: { rows: ScaleRow[] } }, targets: Target[]): string {
  const m = r.machine;
  return `# Benchmarks

Written by \`npm run bench\` on ${r.date.slice(0, 10)} (${r.date}); do not edit by hand, run it again.
Machine: ${m.cpus} cpus (${m.model}), kernel ${m.kernel}, glibc ${m.glibc}, node ${m.node}; load average ${m.load.toFixed(2)} at the end of the run.

Every figure is the median of several repetitions, followed by its spread:
"1.37x (1.30-1.45x over 5)" is the median of 5 repetitions, the lowest and
the highest. A ratio is taken per repetition between arms run in turn on the
same machine, so a machine's drift during the run lands on both. These shared
machines move from run to run: compare ratios, not absolute times, and expect
a second run to fall within the spreads printed here. Hang rates are counts
with their 95 % interval instead.

| measure | result | target | met |
|---|---|---|---|
${targets.map((t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`).join('\n')}

## Scale (native slaves, fixed)

| N | ms / iteration | ms / slave | peak PSS of the tree | RSS summed over the tree |
|---|---|---|---|---|
${r.sc.rows.map((x) => `| ${x.n} | ${show(x.wallMs)} | ${x.perSlaveMs} | ${x.peakPssMb} MB | ${x.peakRssSumMb} MB |`).join('\n')}

How each figure is taken: \`src/bench/\` (one file per section in \`src/bench/sections/\`; \`npm run bench -- --only SECTION\` runs one). The floor for iterations is
\`mvar-launcher\` (native/launcher.c, compiled by the bench): a C program that creates the segment,
forks 1 + 50 workers running the same protocol on the same core, waits and
unlinks, with no watching and no report. Iteration times of ours are the gaps
between consecutive completions in a loop (segment, spawn, watch, reap,
report), the first iteration of each loop excluded. The soak loop is timed
against a bash loop of \`timeout 10 /bin/true\` (and Go's \`stress\` where it is
installed) in the same run; its own rate comes from the soak's summary (the
loop alone), its end-to-end time includes Node's start.
`;
}
