// The soak loop against a shell loop running the same command, in one run:
// `soak --iterations N -- /bin/true` (the loop alone, from its own summary,
// and end to end with Node's start), a bash loop of `timeout 10 /bin/true`,
// Go's `stress` when it is installed, and `--parallel 2` against 1 (does it
// scale with cores?). Interleaved, so each repetition's ratios compare arms
// that met the same machine.
import { execa } from 'execa';
import { resolve } from 'node:path';
import { findOnPath } from '../../core/system/tools.js';
import { packageRoot } from '../../core/system/paths.js';
import { figure, interleave, log, quick, ratios } from '../measure.js';

/** /bin/true does nothing: what is measured is the loop around it. */
const COMMAND = '/bin/true';

async function wall(file: string, args: string[]): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const r = await execa(file, args);
  return { ms: performance.now() - t0, stdout: String(r.stdout) };
}

/** Go's stress, if it is on PATH and can stop after a count (-count). */
async function stressPath(): Promise<string | null> {
  const p = findOnPath('stress');
  if (!p) return null;
  const help = await execa(p, ['-h'], { reject: false });
  return /-count/.test(`${help.stdout}${help.stderr}`) ? p : null;
}

export async function soakLoop() {
  const n = quick ? 100 : 300;
  const reps = quick ? 3 : 5;
  const stress = await stressPath();
  log(`soak loop: soak --iterations ${n} -- ${COMMAND} against a bash loop of timeout 10 ${COMMAND}${stress ? ' and Go stress' : ''}, and --parallel 2 against 1; interleaved ${reps}x`);
  const cli = resolve(packageRoot(), 'dist', 'cli', 'main.js');
  const loopMs: Record<'p1' | 'p2', number[]> = { p1: [], p2: [] };
  const soakCli = (parallel: number) => async () => {
    const r = await wall(process.execPath, [cli, 'soak', '--iterations', String(n * parallel), '--parallel', String(parallel), '--json', '--', COMMAND]);
    const s = JSON.parse(r.stdout) as { wallMs: number; passes: number };
    if (s.passes !== n * parallel) throw new Error(`soak of ${COMMAND} did not pass every iteration: ${r.stdout}`);
    loopMs[parallel === 1 ? 'p1' : 'p2'].push(s.wallMs / parallel);
    return r.ms;
  };
  const arms: Record<string, () => Promise<number>> = {
    soak: soakCli(1),
    bash: async () => (await wall('bash', ['-c', `for i in $(seq ${n}); do timeout 10 ${COMMAND}; done`])).ms,
    soakP2: soakCli(2),
  };
  if (stress) arms.stress = async () => (await wall(stress, ['-p', '1', '-count', String(n), COMMAND])).ms;
  const t = await interleave(reps, arms);
  const perSecond = (ms: number[]) => figure(ms.map((m) => (n / m) * 1000));
  return {
    soakLoopIterations: n,
    // Iterations a second: the soak's loop (its summary's wall), end to end (Node's start included), the shell loop, stress.
    soakLoopPerSecond: perSecond(loopMs.p1),
    soakCliPerSecond: perSecond(t.soak!),
    bashLoopPerSecond: perSecond(t.bash!),
    stressPerSecond: t.stress ? perSecond(t.stress) : null,
    // Per repetition: the soak's time over the shell loop's (<= 1: no slower).
    soakLoopOverBash: ratios(loopMs.p1, t.bash!),
    soakCliOverBash: ratios(t.soak!, t.bash!),
    soakLoopOverStress: t.stress ? ratios(loopMs.p1, t.stress) : null,
    // --parallel 2 runs twice the iterations: the rate it reaches over --parallel 1's (2: twice the rate, on 2 cores or more).
    parallel2Speedup: ratios(loopMs.p1, loopMs.p2),
  };
}
