// The preload library's cost (--trace): lock-heavy C programs
// (native/lockbench.c) untraced, traced, and with the library loaded but
// everything off, interleaved; every ratio is taken per round.
import { execa } from 'execa';
import { PreloadSession } from '../../core/preload/session.js';
import { preloadPath } from '../../core/system/paths.js';
import { benchProgram } from '../native.js';
import { figure, log, quick, ratios } from '../measure.js';

/** Arithmetic rounds before each pair in the lock-heavy program that computes: about 0.2 us (lockbench prints the measured figure). */
const WORK_ROUNDS = 128;

export async function preloadOverhead() {
  const bin = await benchProgram('mvar-lockbench');
  const calls = quick ? 500_000 : 2_000_000;
  const heavy = quick ? 100_000 : 300_000;
  const rounds = quick ? 3 : 7;
  log(
    `preload library (--trace): ${calls} uncontended lock/unlock pairs; lock-heavy programs of 2 processes x 2 threads x ${heavy} pairs on one mutex, ` +
      `with nothing but locking and with ${WORK_ROUNDS} arithmetic rounds before each pair, and a token handed between 2 processes through a mutex and condvar; ` +
      `untraced, traced, and (lock-only) with the library loaded but everything off; interleaved ${rounds}x`,
  );
  const session = PreloadSession.open({ check: false, trace: 'shared', threads: rounds * 16 });
  try {
    // The library straight into the program (no exec shim), with the session's segment.
    const traced = { ...session.env(), LD_PRELOAD: preloadPath() };
    // Loaded, nothing enabled: what interposing alone costs, the floor any traced figure stands on.
    const off = { LD_PRELOAD: preloadPath() };
    const sizes = { calls, heavy, work: heavy, handoff: quick ? 5_000 : 10_000 };
    const one = async (mode: keyof typeof sizes, env?: Record<string, string>) => {
      const args = [mode, String(sizes[mode]), ...(mode === 'work' ? [String(WORK_ROUNDS)] : [])];
      const r = await execa(bin, args, env ? { env } : {});
      return JSON.parse(r.stdout) as { nsPerPair?: number; wallMs?: number; workNsPerPair?: number };
    };
    const s: Record<string, number[]> = {};
    const add = (k: string, v: number | undefined) => (s[k] ??= []).push(v!);
    for (let i = 0; i < rounds; i++) {
      for (const [name, env] of [['Plain', undefined], ['Traced', traced], ['Off', off]] as const) {
        add(`calls${name}`, (await one('calls', env)).nsPerPair);
        add(`heavy${name}`, (await one('heavy', env)).wallMs);
        if (name === 'Off') continue;
        const w = await one('work', env);
        add(`work${name}`, w.wallMs);
        add('workNs', w.workNsPerPair);
        add(`handoff${name}`, (await one('handoff', env)).wallMs);
      }
    }
    const f = (k: string) => figure(s[k]!);
    const per = (a: string, b: string) => ratios(s[a]!, s[b]!);
    const events = session.collect().trace!;
    return {
      // A pair is two intercepted calls: lock (locked, or enter and locked) and unlock (unlocked); per round, then the median.
      preloadNsPerCall: figure(s.callsTraced!.map((t, i) => (t - s.callsPlain![i]!) / 2)),
      lockPairNsPlain: f('callsPlain'),
      lockPairNsTraced: f('callsTraced'),
      lockPairNsOff: f('callsOff'),
      lockHeavyPlainMs: f('heavyPlain'),
      lockHeavyTracedMs: f('heavyTraced'),
      lockHeavyRatio: per('heavyTraced', 'heavyPlain'),
      lockHeavyOffMs: f('heavyOff'),
      lockHeavyOffRatio: per('heavyOff', 'heavyPlain'),
      workNsPerPair: f('workNs'),
      workPlainMs: f('workPlain'),
      workTracedMs: f('workTraced'),
      workRatio: per('workTraced', 'workPlain'),
      handoffPlainMs: f('handoffPlain'),
      handoffTracedMs: f('handoffTraced'),
      handoffRatio: per('handoffTraced', 'handoffPlain'),
      lockHeavyTracedThreads: events.threads.length,
    };
  } finally {
    session.close();
  }
}
