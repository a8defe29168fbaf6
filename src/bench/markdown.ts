// BENCHMARKS.md, written by the bench from one run's figures (never by hand).
import type { ScaleRow } from './sections/scale.js';
import type { Target } from './targets.js';

export interface Machine {
  cpus: number;
  model: string;
  kernel: string;
  glibc: string;
  node: string;
}

export function markdown(r: { date: string; machine: Machine; scale: { rows: ScaleRow[] } }, targets: Target[]): string {
  const m = r.machine;
  return `# Benchmarks

Latest \`npm run bench\` (${r.date.slice(0, 10)}), on ${m.cpus} cpus (${m.model}), kernel ${m.kernel}, glibc ${m.glibc}, node ${m.node}.
Every figure is a ratio or a time measured in the same run as its floor; these shared
machines move from run to run, so compare ratios, not absolute times.

| measure | result | target | met |
|---|---|---|---|
${targets.map((t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`).join('\n')}

## Scale (native slaves, fixed)

| N | ms / iteration | ms / slave | peak PSS of the tree | RSS summed over the tree |
|---|---|---|---|---|
${r.scale.rows.map((x) => `| ${x.n} | ${x.wallMs} | ${x.perSlaveMs} | ${x.peakPssMb} MB | ${x.peakRssSumMb} MB |`).join('\n')}

How each figure is taken: \`src/bench/\` (one file per section in \`src/bench/sections/\`). The floor for iterations is
\`mvar-launcher\` (native/launcher.c): a C program that creates the segment,
forks 1 + 50 workers running the same protocol on the same core, waits and
unlinks, with no watching and no report. Iteration times of ours are the gaps
between consecutive completions in a loop (segment, spawn, watch, reap,
report), the first iteration of each loop excluded.
`;
}
