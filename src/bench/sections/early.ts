// Early verdicts: from the last progress to the proven hang, end-to-end CLI
// walls, a soaked C program that deadlocks, and what early verdicts cost on
// good iterations (against --no-early, interleaved).
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../core/system/paths.js';
import { cliWall, config, figure, interleave, log, median, quick, ratios } from '../measure.js';
import { loopOurs, ourIterations } from '../loops.js';

export async function early(tmp: string) {
  log('early verdicts: run 50 --variant original, from the last progress to the proven hang');
  const toVerdict: number[] = [];
  await loopOurs(config({ variant: 'original', timeoutMs: 10_000 }), quick ? 3 : 6, tmp, {
    iterationDone: (o) => o.proof && toVerdict.push(o.proof.provenAtMs - (o.proof.lastProgressAtMs ?? 0)),
  });
  log('end to end: `mvar-repro run 50` on its defaults, and `soak 50 --variant original --iterations 3 --expect hang`, interleaved');
  const walls = await interleave(quick ? 2 : 3, {
    run: async () => (await cliWall(['run', '50', '--report-dir', tmp])).ms,
    soak: async () => (await cliWall(['soak', '50', '--variant', 'original', '--iterations', '3', '--expect', 'hang', '--report-dir', tmp])).ms,
  });
  log('a soaked C program that deadlocks (test/c/hangs.c thread-deadlock), --timeout 30s');
  const hangs = join(tmp, 'hangs');
  await execa('cc', ['-O2', '-o', hangs, resolve(packageRoot(), 'test', 'c', 'hangs.c'), '-lpthread']);
  const summary = join(tmp, 'command-soak.json');
  const cmd = await cliWall(['soak', '--iterations', '3', '--timeout', '30s', '--summary', summary, '--report-dir', tmp, '--', hangs, 'thread-deadlock']);
  const s = JSON.parse(readFileSync(summary, 'utf8')) as { hangs: number; provenHangs: number; reports: string[] };
  const cmdToVerdict = s.reports.map((r) => {
    const rep = JSON.parse(readFileSync(join(r, 'command-hang.json'), 'utf8')) as { proof: { provenAtMs: number; lastProgressAtMs: number | null } | null };
    return rep.proof ? rep.proof.provenAtMs - (rep.proof.lastProgressAtMs ?? 0) : NaN;
  });
  // 8 rounds of 10: the target is a 5 % difference, and with 4 rounds run-to-run noise alone crossed it (0.95x, then 1.06x).
  const rounds = quick ? 2 : 8;
  log(`cost when nothing is wrong: run 50 --variant fixed with early verdicts against --no-early, interleaved ${rounds}x`);
  const cost = await interleave(rounds, {
    off: async () => median((await ourIterations(config({ early: false }), 11, tmp)).slice(1)),
    on: async () => median((await ourIterations(config({ early: true }), 11, tmp)).slice(1)),
  });
  return {
    timeToVerdictMs: figure(toVerdict),
    provenOriginal: toVerdict.length,
    runDefaultsWallMs: figure(walls.run),
    soakOriginal3WallMs: figure(walls.soak),
    commandDeadlockTimeToVerdictMs: figure(cmdToVerdict),
    commandDeadlockSoak3WallMs: cmd.ms,
    commandDeadlockProven: `${s.provenHangs} of ${s.hangs}`,
    fixedEarlyOverNoEarly: ratios(cost.on, cost.off),
  };
}
