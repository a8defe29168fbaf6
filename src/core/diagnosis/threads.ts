// One thread's facts, from its /proc samples: its state, the system call it
// sleeps in, for a futex the word's object, field and value, what it waits on
// and who could end the wait (waits/), and what it did while sampled. Built in
// two passes over every thread (facts.ts): first each futex word is located
// and its primitive decoded, then the waits are judged, so a wait module can
// use what other threads' words showed (who owns which PI mutex).
import { parseStat, parseStatus, parseSyscall, stateName, type MapEntry } from '../procfs/decode.js';
import type { ProcRaw } from '../procfs/capture.js';
import { hex } from '../system/hex.js';
import { formatFutex, type FutexDecode } from './futex.js';
import type { GraphThread } from './graph.js';
import type { FutexLocation, PrimitiveRef } from './primitives.js';
import type { Probe } from './probe/probe.js';
import { syscallName, waitShape, type WaitShape } from './syscalls.js';
import type { FutexCall, ThreadActivity, ThreadReport } from './types.js';
import { waitOf } from './waits/index.js';
import type { FutexContext } from './waits/futex.js';

export interface ThreadFacts extends GraphThread {
  report: ThreadReport;
  futex: FutexDecode | null;
  mapping: MapEntry | null;
  /** Our segment's primitive this futex belongs to (e.g. "mutex"), or a guessed one. */
  primitive: PrimitiveRef | null;
  /** Nothing that could wake it can ever run. */
  stuck: boolean;
}

/** A thread after the first pass: everything but its wait. */
export interface ThreadDraft {
  pid: number;
  tid: number;
  state: string;
  sc: ReturnType<typeof parseSyscall>;
  shape: WaitShape | null;
  text: string;
  futex: FutexDecode | null;
  where: FutexLocation | null;
  call: FutexCall | null;
  word: number | null;
  moved: boolean;
  same: boolean;
  wakeups: number;
  wchan: string | null;
}

/** The samples of one process: samples[k] is its capture in sample k (the first has maps and descriptors). */
export interface ProcSamples {
  first: ProcRaw;
  all: (ProcRaw | undefined)[];
}

const switches = (status: string | null | undefined) => Number(parseStatus(status ?? null).voluntary_ctxt_switches ?? NaN);

/** Pass one: state, call and futex location of one thread, as its last sample shows it. */
export function draftThread(p: ProcSamples, t: ProcRaw['tasks'][number], probe: Probe, locate: (f: FutexDecode) => FutexLocation): ThreadDraft {
  const st = parseStat(t.stat);
  const sc = parseSyscall(t.syscall);
  const firstTask = p.first.tasks.find((x) => x.tid === t.tid);
  const same = p.all.every((s) => s?.tasks.find((x) => x.tid === t.tid)?.syscall === t.syscall);
  const wakeups = p.all.length > 1 ? switches(t.status) - switches(firstTask?.status) : NaN;
  let futex: FutexDecode | null = null;
  let where: FutexLocation | null = null;
  let call: FutexCall | null = null;
  let word: number | null = null;
  let shape: WaitShape | null = null;
  let text = sc.kind === 'running' ? 'running' : sc.kind === 'no-syscall' ? 'not in a system call' : sc.kind === 'unreadable' ? 'unreadable' : '';
  if (sc.kind === 'syscall') {
    text = `${syscallName(sc.nr)}(${sc.args.slice(0, 4).map(hex).join(', ')}, …)`;
    shape = waitShape(sc.nr, sc.args);
    if (shape.kind === 'futex') {
      futex = shape.futex;
      text = formatFutex(futex);
      where = locate(futex);
      const bytes = probe.readMemory(p.first.pid, futex.addr, 4);
      word = bytes ? bytes.readUInt32LE(0) : null;
      call = {
        addr: hex(futex.addr),
        op: futex.op,
        command: futex.command,
        private: futex.private,
        clockRealtime: futex.clockRealtime,
        expected: futex.expected,
        timed: futex.timed,
        mapping: where.ref,
        field: where.field,
        fieldSource: where.fieldSource,
        identification: where.identity ? { confidence: where.identity.confidence, checks: where.identity.checks, alternatives: where.identity.alternatives } : null,
        word,
      };
    }
  }
  const moved = p.all.length > 1 && (!same || (Number.isFinite(wakeups) && wakeups > 0));
  return { pid: p.first.pid, tid: t.tid, state: st?.state ?? '?', sc, shape, text, futex, where, call, word, moved, same, wakeups, wchan: t.wchan };
}

/** Pass two: what the thread waits on and who could end it, and what it does. */
export function finishThread(d: ThreadDraft, raw: ProcRaw, ctx: FutexContext): ThreadFacts {
  const wait =
    d.sc.kind === 'syscall' && d.shape ? waitOf(ctx, { raw, tid: d.tid, nr: d.sc.nr, args: d.sc.args, sp: d.sc.sp }, d.shape, d.where ? { where: d.where, word: d.word } : null) : null;
  const activity: ThreadActivity =
    d.state === 'Z' || d.state === 'X'
      ? 'dead'
      : d.state === 'T' || d.state === 't'
        ? 'stopped'
        : d.sc.kind === 'unreadable'
          ? 'unreadable'
          : d.sc.kind !== 'syscall' || d.state === 'R' || !wait
            ? 'runs'
            : d.moved
              ? 'moving'
              : wait.timed
                ? 'timed'
                : 'blocked';
  return {
    pid: d.pid,
    tid: d.tid,
    activity,
    wait,
    stuck: false,
    report: {
      tid: d.tid,
      state: d.state,
      stateName: stateName(d.state),
      wchan: d.wchan,
      syscall: d.text,
      syscallNr: d.sc.kind === 'syscall' ? d.sc.nr : null,
      futex: d.call,
      wakeupsWhileSampled: Number.isNaN(d.wakeups) ? null : d.wakeups,
      sameCallInEverySample: d.same,
      activity,
      wait: wait ? { ...wait, stuckForGood: false } : null,
    },
    futex: d.futex,
    mapping: d.where?.mapping ?? null,
    primitive: d.where?.primitive ?? null,
  };
}

/** PI mutexes (by name) that some thread waits for with FUTEX_LOCK_PI, by the tid that owns each. */
export function piOwners(drafts: ThreadDraft[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const d of drafts) {
    const m = d.where?.primitive?.mutex;
    if (!d.futex || !d.futex.command.startsWith('LOCK_PI') || !m?.locked || !m.ownerTid) continue;
    const name = d.where!.primitive!.name;
    out.set(m.ownerTid, [...new Set([...(out.get(m.ownerTid) ?? []), name])]);
  }
  return out;
}
