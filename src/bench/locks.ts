// `npm run bench -- --only locks`: what the preload library costs a
// lock-heavy program, traced (soak --trace) and checked (check), beside
// ThreadSanitizer and Helgrind on the same program in the same run.
//
// The program is native/lockbench.c: `heavy` (2 processes x 2 threads doing
// nothing but lock/unlock of one process-shared mutex: the worst case for
// any tool that watches locks), `handoff` (a producer/consumer: a token
// handed between 2 processes through the mutex and a condvar) and `calls`
// (one thread, uncontended pairs: the cost of one pair). Each figure is the
// median over interleaved rounds of the ratio within a round (tool / plain,
// run back to back), with the spread of those ratios (min-max), because
// these shared machines change speed from minute to minute.
import { execa } from 'execa';
import { join } from 'node:path';
import { PreloadSession } from '../core/preload/session.js';
import { loadablePreloadPath } from '../core/preload/library-path.js';
import { packageRoot } from '../core/system/paths.js';
import { benchProgram } from './native.js';

type Mode = 'calls' | 'heavy' | 'handoff';

export interface Ratio {
  /** Median over the rounds of tool / plain within each round. */
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export interface LockBenchResult {
  /** Untraced medians: ms for heavy and handoff, ns per pair for calls. */
  plain: Record<Mode, number>;
  traced: Record<Mode, Ratio>;
  checked: Record<Mode, Ratio>;
  /** ThreadSanitizer on heavy (null: no compiler support); Helgrind on a shorter heavy (null: no valgrind). */
  tsanHeavy: Ratio | null;
  helgrindHeavy: Ratio | null;
  helgrindPairs: number;
  /** Traced handoff: how far a cheap (TSC) stamp came out after the exact stamp that followed it in its thread, at worst (ns), over how many such pairs. */
  stampInversionMaxNs: number;
  stampPairs: number;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function ratio(tool: number[], plain: number[]): Ratio {
  const rs = tool.map((t, i) => t / plain[i]!).sort((a, b) => a - b);
  const mid = rs.length % 2 ? rs[(rs.length - 1) / 2]! : (rs[rs.length / 2 - 1]! + rs[rs.length / 2]!) / 2;
  return { median: r2(mid), min: r2(rs[0]!), max: r2(rs.at(-1)!), rounds: rs.length };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** One run of the program: its own figure (wall ms, or ns per pair for calls). */
async function once(bin: string[], mode: Mode, n: number, env?: Record<string, string>): Promise<number> {
  const r = await execa(bin[0]!, [...bin.slice(1), mode, String(n)], { env: env ?? {}, reject: false });
  const line = String(r.stdout).split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${bin.join(' ')} ${mode} ${n}: no figure (exit ${r.exitCode}): ${String(r.stderr).slice(-300)}`);
  const j = JSON.parse(line) as { nsPerPair?: number; wallMs?: number };
  return (mode === 'calls' ? j.nsPerPair : j.wallMs)!;
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

export async function lockBench(tmp: string, quick = false, log: (s: string) => void = () => {}): Promise<LockBenchResult> {
  const bin = [await benchProgram('mvar-lockbench')];
  const sizes: Record<Mode, number> = { calls: quick ? 500_000 : 2_000_000, heavy: quick ? 100_000 : 300_000, handoff: quick ? 5_000 : 10_000 };
  const rounds = quick ? 3 : 7;
  // Helgrind runs ~100-500x slower: fewer pairs, still long enough (tens of ms untraced) to time.
  const helgrindPairs = quick ? 50_000 : 100_000;
  const tsan = await tsanBuild(tmp);
  const valgrind = await hasValgrind();
  log(
    `locks: lockbench calls ${sizes.calls}, heavy ${sizes.heavy} (2 processes x 2 threads), handoff ${sizes.handoff}; plain, traced, checked${tsan ? ', TSan' : ''}${valgrind ? `, Helgrind (heavy ${helgrindPairs})` : ''}; ${rounds} interleaved rounds`,
  );
  const trace = PreloadSession.open({ check: false, trace: 'shared', threads: rounds * 16 });
  const check = PreloadSession.open({ check: true, trace: 'off' });
  try {
    const lib = { LD_PRELOAD: loadablePreloadPath() };
    const envs = { plain: undefined, traced: { ...trace.env(), ...lib }, checked: { ...check.env(), ...lib } };
    const s: Record<string, number[]> = {};
    const add = (k: string, v: number) => (s[k] ??= []).push(v);
    for (let i = 0; i < rounds; i++) {
      for (const mode of ['calls', 'heavy', 'handoff'] as const)
        for (const [name, env] of Object.entries(envs)) add(`${mode}.${name}`, await once(bin, mode, sizes[mode], env));
      if (tsan) {
        add('tsan.plain', await once(bin, 'heavy', sizes.heavy));
        add('tsan', await once([tsan], 'heavy', sizes.heavy, { TSAN_OPTIONS: 'report_bugs=0 exitcode=0' }));
      }
      if (valgrind && i < Math.min(rounds, 3)) {
        add('helgrind.plain', await once(bin, 'heavy', helgrindPairs));
        add('helgrind', await once(['valgrind', '--tool=helgrind', '-q', '--log-file=/dev/null', ...bin], 'heavy', helgrindPairs));
      }
    }
    const per = (name: string) => Object.fromEntries((['calls', 'heavy', 'handoff'] as const).map((m) => [m, ratio(s[`${m}.${name}`]!, s[`${m}.plain`]!)])) as Record<Mode, Ratio>;
    const stamps = stampInversions(trace.collect().trace?.events ?? []);
    return {
      plain: { calls: r2(median(s['calls.plain']!)), heavy: r2(median(s['heavy.plain']!)), handoff: r2(median(s['handoff.plain']!)) },
      traced: per('traced'),
      checked: per('checked'),
      tsanHeavy: tsan ? ratio(s.tsan!, s['tsan.plain']!) : null,
      helgrindHeavy: valgrind ? ratio(s.helgrind!, s['helgrind.plain']!) : null,
      helgrindPairs,
      stampInversionMaxNs: stamps.max,
      stampPairs: stamps.pairs,
    };
  } finally {
    trace.close();
    check.close();
  }
}

const fmt = (r: Ratio) => `${r.median}x (${r.min}-${r.max} over ${r.rounds} rounds)`;

/** The rows this bench adds to the targets table: {name, value, target, met}. */
export function lockTargets(r: LockBenchResult): { name: string; value: string; target: string; met: boolean }[] {
  return [
    { name: 'lock-only loop (2 processes x 2 threads), traced / untraced', value: `${fmt(r.traced.heavy)}; untraced ${r.plain.heavy} ms`, target: '<= 3x', met: r.traced.heavy.median <= 3 },
    { name: 'producer/consumer (token handoff), traced / untraced', value: `${fmt(r.traced.handoff)}; untraced ${r.plain.handoff} ms`, target: '<= 1.1x', met: r.traced.handoff.median <= 1.1 },
    {
      name: 'lock-only loop, `check` / untraced',
      value: `${fmt(r.checked.heavy)}; ThreadSanitizer ${r.tsanHeavy ? fmt(r.tsanHeavy) : 'not built here'}; Helgrind (${r.helgrindPairs} pairs) ${r.helgrindHeavy ? fmt(r.helgrindHeavy) : 'not installed'}`,
      target: '<= 3x',
      met: r.checked.heavy.median <= 3,
    },
    { name: 'producer/consumer, `check` / untraced', value: fmt(r.checked.handoff), target: 'reported', met: true },
    { name: 'one uncontended lock/unlock pair, traced and checked / untraced', value: `traced ${fmt(r.traced.calls)}, checked ${fmt(r.checked.calls)}; untraced ${r.plain.calls} ns`, target: 'reported', met: true },
    {
      name: 'TSC stamps against the exact stamp after them (same thread)',
      value: `${r.stampInversionMaxNs <= 0 ? 'never later' : `at worst ${r.stampInversionMaxNs} ns later`} over ${r.stampPairs} pairs`,
      target: 'reported',
      met: true,
    },
  ];
}
