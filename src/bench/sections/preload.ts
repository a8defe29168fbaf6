// What the preload library costs a lock-heavy program (native/lockbench.c),
// traced (soak --trace) and checked (check), beside ThreadSanitizer and
// Helgrind on the same program in the same run, and with the library loaded
// but everything off (the floor any interposer stands on).
//
//   calls    one thread, uncontended lock/unlock pairs: the cost of one pair
//   heavy    2 processes x 2 threads doing nothing but lock/unlock of one
//            process-shared mutex: the worst case for a tool that watches locks
//   work     the same with WORK_ROUNDS of arithmetic before each pair
//   handoff  a producer/consumer: a token handed between 2 processes through
//            the mutex and a condvar
// Every arm runs once per round, in turn; each ratio is taken within a round
// (tool / plain, back to back), then the median over rounds with its spread.
import { execa } from 'execa';
import { join } from 'node:path';
import { loadablePreloadPath } from '../../core/preload/library-path.js';
import { PreloadSession } from '../../core/preload/session.js';
import { packageRoot } from '../../core/system/paths.js';
import { figure, log, quick, ratios } from '../measure.js';
import { benchProgram } from '../native.js';

/** Arithmetic rounds before each pair in the program that computes: about 0.2 us (lockbench prints the measured figure). */
const WORK_ROUNDS = 128;

type Mode = 'calls' | 'heavy' | 'work' | 'handoff';

interface Sample {
  nsPerPair?: number;
  wallMs?: number;
  workNsPerPair?: number;
}

/** One run of a program; its figure line is the JSON one. */
async function once(bin: string[], mode: Mode, n: number, env?: Record<string, string>): Promise<Sample> {
  const args = [...bin.slice(1), mode, String(n), ...(mode === 'work' ? [String(WORK_ROUNDS)] : [])];
  const r = await execa(bin[0]!, args, { env: env ?? {}, reject: false });
  const line = String(r.stdout).split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${bin.join(' ')} ${mode} ${n}: no figure (exit ${r.exitCode}): ${String(r.stderr).slice(-300)}`);
  return JSON.parse(line) as Sample;
}

/** lockbench built with -fsanitize=thread, or null where the compiler cannot. */
async function tsanBuild(dir: string): Promise<string | null> {
  const out = join(dir, 'lockbench-tsan');
  const src = join(packageRoot(), 'native');
  const r = await execa('cc', ['-O2', '-fsanitize=thread', '-I', src, '-o', out, join(src, 'lockbench.c'), '-lpthread'], { reject: false });
  return r.exitCode === 0 ? out : null;
}

async function hasValgrind(): Promise<boolean> {
  return (await execa('valgrind', ['--version'], { reject: false }).catch(() => ({ exitCode: 1 }))).exitCode === 0;
}

/** Stamps a thread takes exactly (stamp.h): the phases that wait, and a lock's `locked` right after its `enter`. */
function stampInversions(events: { tid: number; pid: number; phase: string; tNs: number }[]): { max: number; pairs: number } {
  const byThread = new Map<string, typeof events>();
  for (const e of events) byThread.set(`${e.pid}:${e.tid}`, [...(byThread.get(`${e.pid}:${e.tid}`) ?? []), e]);
  const exact = new Set(['enter', 'wait-begin', 'wait-end', 'wait-timeout', 'owner-died', 'error']);
  let max = 0;
  let pairs = 0;
  for (const evs of byThread.values()) {
    const isExact = (i: number) => exact.has(evs[i]!.phase) || (evs[i]!.phase === 'locked' && evs[i - 1]?.phase === 'enter');
    for (let i = 1; i < evs.length; i++) {
      if (isExact(i - 1) || !isExact(i)) continue;
      pairs++;
      max = Math.max(max, evs[i - 1]!.tNs - evs[i]!.tNs);
    }
  }
  return { max, pairs };
}

export async function preloadOverhead(tmp: string) {
  const bin = [await benchProgram('mvar-lockbench')];
  const sizes: Record<Mode, number> = { calls: quick ? 500_000 : 2_000_000, heavy: quick ? 100_000 : 300_000, work: quick ? 100_000 : 300_000, handoff: quick ? 5_000 : 10_000 };
  const rounds = quick ? 3 : 7;
  // Helgrind runs some 100-900x slower: fewer pairs, in 3 rounds, still long enough (tens of ms untraced) to time.
  const helgrindPairs = quick ? 50_000 : 100_000;
  const tsan = await tsanBuild(tmp);
  const valgrind = await hasValgrind();
  log(
    `preload library: lockbench calls ${sizes.calls}, heavy and work ${sizes.heavy} pairs (2 processes x 2 threads), handoff ${sizes.handoff}; plain, traced, checked, loaded-but-off${tsan ? ', TSan' : ''}${valgrind ? `, Helgrind (heavy ${helgrindPairs})` : ''}; ${rounds} interleaved rounds`,
  );
  const trace = PreloadSession.open({ check: false, trace: 'shared', threads: rounds * 32 });
  const check = PreloadSession.open({ check: true, trace: 'off' });
  try {
    const lib = { LD_PRELOAD: loadablePreloadPath() };
    const envs = { plain: undefined, traced: { ...trace.env(), ...lib }, checked: { ...check.env(), ...lib }, off: lib };
    const s: Record<string, number[]> = {};
    const add = (k: string, v: number | undefined) => (s[k] ??= []).push(v ?? NaN);
    for (let i = 0; i < rounds; i++) {
      for (const mode of ['calls', 'heavy', 'work', 'handoff'] as const)
        for (const [name, env] of Object.entries(envs)) {
          if (name === 'off' && (mode === 'work' || mode === 'handoff')) continue;
          const r = await once(bin, mode, sizes[mode], env);
          add(`${mode}.${name}`, mode === 'calls' ? r.nsPerPair : r.wallMs);
          if (mode === 'work') add('workNs', r.workNsPerPair);
        }
      if (tsan) {
        add('tsan.plain', (await once(bin, 'heavy', sizes.heavy)).wallMs);
        add('tsan', (await once([tsan], 'heavy', sizes.heavy, { TSAN_OPTIONS: 'report_bugs=0 exitcode=0' })).wallMs);
      }
      if (valgrind && i < 3) {
        add('helgrind.plain', (await once(bin, 'heavy', helgrindPairs)).wallMs);
        add('helgrind', (await once(['valgrind', '--tool=helgrind', '-q', '--log-file=/dev/null', ...bin], 'heavy', helgrindPairs)).wallMs);
      }
    }
    const f = (k: string) => figure(s[k]!);
    const per = (a: string, b: string) => ratios(s[a]!, s[b]!);
    const events = trace.collect().trace?.events ?? [];
    const stamps = stampInversions(events);
    return {
      // A pair is two intercepted calls: lock and unlock; per round, then the median.
      preloadNsPerCall: figure(s['calls.traced']!.map((t, i) => (t - s['calls.plain']![i]!) / 2)),
      lockPairNsPlain: f('calls.plain'),
      lockPairNsTraced: f('calls.traced'),
      lockPairNsChecked: f('calls.checked'),
      lockPairNsOff: f('calls.off'),
      lockHeavyPlainMs: f('heavy.plain'),
      lockHeavyRatio: per('heavy.traced', 'heavy.plain'),
      lockHeavyCheckedRatio: per('heavy.checked', 'heavy.plain'),
      lockHeavyOffRatio: per('heavy.off', 'heavy.plain'),
      tsanRatio: tsan ? per('tsan', 'tsan.plain') : null,
      helgrindRatio: valgrind ? per('helgrind', 'helgrind.plain') : null,
      helgrindPairs,
      workNsPerPair: f('workNs'),
      workRatio: per('work.traced', 'work.plain'),
      workCheckedRatio: per('work.checked', 'work.plain'),
      handoffPlainMs: f('handoff.plain'),
      handoffRatio: per('handoff.traced', 'handoff.plain'),
      handoffCheckedRatio: per('handoff.checked', 'handoff.plain'),
      stampInversionMaxNs: stamps.max,
      stampPairs: stamps.pairs,
    };
  } finally {
    trace.close();
    check.close();
  }
}
