// `npm run bench`: performance as ratios measured in one run, each against a
// floor measured beside it on the same machine, because these shared 2-core
// machines move from run to run. Every figure is the median of several
// interleaved repetitions with its spread (measure.ts). Prints a table (and
// with --json, one JSON object as the last line) and rewrites BENCHMARKS.md,
// which is never edited by hand. Each section is a file in sections/, its
// measure beside the floor it is divided by; targets.ts holds every figure
// to its target, markdown.ts writes the document.
//
//   npm run bench [-- --quick] [-- --json]
//   npm run bench -- --only SECTION     one section's figures as JSON (BENCHMARKS.md left alone)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { environment } from '../core/system/environment.js';
import { packageRoot } from '../core/system/paths.js';
import { markdown, type Machine } from './markdown.js';
import { show } from './measure.js';
import { chaosRates } from './sections/chaos.js';
import { detection } from './sections/detection.js';
import { diagnoseMany } from './sections/diagnose.js';
import { diff } from './sections/diff.js';
import { early } from './sections/early.js';
import { iteration } from './sections/iteration.js';
import { preloadOverhead } from './sections/preload.js';
import { scale } from './sections/scale.js';
import { reproduction, soakRate } from './sections/soak.js';
import { soakLoop } from './sections/soak-loop.js';
import { trace } from './sections/trace.js';
import { targets, type Figures } from './targets.js';

const json = process.argv.includes('--json');

/** Every section, in the order a full run takes them; --only names one. */
const SECTIONS = {
  trace,
  preload: preloadOverhead,
  iteration,
  detection,
  early,
  chaos: chaosRates,
  scale,
  soak: soakRate,
  'soak-loop': soakLoop,
  reproduction,
  diff,
  diagnose: diagnoseMany,
} as const;

async function only(name: string, tmp: string): Promise<void> {
  const section = (SECTIONS as Record<string, (tmp: string) => Promise<object>>)[name];
  if (!section) throw new Error(`--only takes one of ${Object.keys(SECTIONS).join(', ')}`);
  console.log(JSON.stringify(await section(tmp), null, 2));
}

async function all(tmp: string): Promise<void> {
  const started = new Date();
  const figures: Figures = {
    t: await SECTIONS.trace(),
    pre: await SECTIONS.preload(tmp),
    it: await SECTIONS.iteration(tmp),
    d: await SECTIONS.detection(tmp),
    e: await SECTIONS.early(tmp),
    ch: await SECTIONS.chaos(tmp),
    sc: await SECTIONS.scale(tmp),
    so: await SECTIONS.soak(tmp),
    sl: await SECTIONS['soak-loop'](),
    rep: await SECTIONS.reproduction(tmp),
    df: await SECTIONS.diff(tmp),
    dg: await SECTIONS.diagnose(tmp),
  };
  const env = environment();
  const machine: Machine = { cpus: env.cpus, kernel: env.kernel, glibc: env.glibc, node: env.node, model: os.cpus()[0]?.model ?? 'unknown', load: os.loadavg()[0]! };
  const verdicts = targets(figures);
  const result = { date: started.toISOString(), machine, ...figures, targets: verdicts };
  writeFileSync(resolve(packageRoot(), 'BENCHMARKS.md'), markdown(result, verdicts));
  if (json) return void process.stdout.write(`${JSON.stringify(result)}\n`);
  const lines = [
    `machine: ${machine.cpus} cpus (${machine.model}), kernel ${machine.kernel}, glibc ${machine.glibc}, node ${machine.node}, load ${machine.load.toFixed(2)}; ${result.date}`,
    '',
    ...verdicts.map((x) => `${x.met ? 'met    ' : 'NOT MET'}  ${x.name}: ${x.value}  [target ${x.target}]`),
    '',
    'scale:',
    ...figures.sc.rows.map((r) => `  N=${String(r.n).padEnd(5)} ${show(r.wallMs, ' ms').padStart(28)}/iteration  ${String(r.perSlaveMs).padStart(6)} ms/slave  peak PSS ${r.peakPssMb} MB (RSS summed ${r.peakRssSumMb} MB)`),
  ];
  for (const l of lines) process.stdout.write(`${l}\n`);
}

async function main() {
  const tmp = mkdtempSync(join(os.tmpdir(), 'mvar-repro-bench-'));
  const at = process.argv.indexOf('--only');
  try {
    if (at > 0) await only(process.argv[at + 1] ?? '', tmp);
    else await all(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
