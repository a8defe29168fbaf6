// `npm run bench`: performance as ratios measured in one run, each against a
// floor measured beside it on the same machine, because these shared 2-core
// machines move from run to run. Prints a table (and with --json, one JSON
// object as the last line) and rewrites BENCHMARKS.md. Each section is a file
// in sections/, its measure beside the floor it is divided by; targets.ts
// holds every figure to its target, markdown.ts writes the document.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { environment } from '../core/system/environment.js';
import { packageRoot } from '../core/system/paths.js';
import { markdown } from './markdown.js';
import { chaosRates } from './sections/chaos.js';
import { detection } from './sections/detection.js';
import { diff } from './sections/diff.js';
import { early } from './sections/early.js';
import { iteration } from './sections/iteration.js';
import { preloadOverhead } from './sections/preload.js';
import { scale } from './sections/scale.js';
import { reproduction, soakRate } from './sections/soak.js';
import { trace } from './sections/trace.js';
import { targets } from './targets.js';

const json = process.argv.includes('--json');

/** `npm run bench -- --only preload|chaos`: one section's figures, as JSON (BENCHMARKS.md is left alone). */
const SECTIONS: Record<string, (tmp: string) => Promise<object>> = { preload: () => preloadOverhead(), chaos: (tmp) => chaosRates(tmp) };

async function only(name: string, tmp: string): Promise<void> {
  const section = SECTIONS[name];
  if (!section) throw new Error(`--only takes one of ${Object.keys(SECTIONS).join(', ')}`);
  console.log(JSON.stringify(await section(tmp), null, 2));
}

async function all(tmp: string): Promise<void> {
  const started = new Date();
  const figures = {
    t: await trace(),
    pre: await preloadOverhead(),
    it: await iteration(tmp),
    d: await detection(tmp),
    e: await early(tmp),
    ch: await chaosRates(tmp),
    sc: await scale(tmp),
    so: await soakRate(tmp),
    rep: await reproduction(tmp),
    df: await diff(tmp),
  };
  const env = environment();
  const verdicts = targets(figures);
  const { t, pre, it, d, e, ch, sc, so, rep, df } = figures;
  const result = {
    date: started.toISOString(),
    machine: { cpus: env.cpus, kernel: env.kernel, glibc: env.glibc, node: env.node, model: os.cpus()[0]?.model ?? 'unknown' },
    ...t,
    ...pre,
    ...it,
    ...d,
    ...e,
    ...ch,
    scale: sc,
    ...so,
    ...rep,
    ...df,
    targets: verdicts,
  };
  const lines = [
    `machine: ${env.cpus} cpus (${result.machine.model}), kernel ${env.kernel}, glibc ${env.glibc}, node ${env.node}; ${started.toISOString()}`,
    '',
    ...verdicts.map((x) => `${x.met ? 'met    ' : 'NOT MET'}  ${x.name}: ${x.value}  [target ${x.target}]`),
    '',
    'scale:',
    ...sc.rows.map((r) => `  N=${String(r.n).padEnd(5)} ${String(r.wallMs).padStart(9)} ms/iteration  ${String(r.perSlaveMs).padStart(6)} ms/slave  peak PSS ${r.peakPssMb} MB (RSS summed ${r.peakRssSumMb} MB)`),
  ];
  writeFileSync(resolve(packageRoot(), 'BENCHMARKS.md'), markdown(result, verdicts));
  if (!json) for (const l of lines) process.stdout.write(`${l}\n`);
  else process.stdout.write(`${JSON.stringify(result)}\n`);
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
