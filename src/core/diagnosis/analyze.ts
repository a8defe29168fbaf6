// The diagnosis proper: from /proc captures, a probe of memory and thread
// liveness, and (for our own runs) what the watchdog saw, name why each stuck
// process is stuck. Pure given its inputs, so recorded captures replay.
import type { Layout, SegmentHeader } from '../native/layout.js';
import type { ProcRaw } from '../procfs/capture.js';
import type { Classification } from '../run/watchdog.js';
import type { Op, Phase } from '../native/vocabulary.js';
import { decodeFutex, formatFutex, futexOpName, SYS_FUTEX, syscallName, type FutexDecode } from './futex.js';
import {
  ASSUMED_GLIBC,
  condOffsets,
  describeCond,
  describeMutex,
  looksLikeCond,
  looksLikeMutex,
  mutexOffsets,
  readCond,
  readMutex,
  type MutexView,
} from './glibc.js';
import type { Probe } from './probe.js';
import { findMapping, formatMapLine, parseMaps, parseStat, parseStatus, parseSyscall, stateName, type MapEntry } from '../procfs/decode.js';
import type { Diagnosis, Finding, FutexCall, MappingRef, PrimitiveDecode, ProcessDiagnosis, ThreadReport } from './types.js';
import { glibcHasLostWakeupBug } from '../system/environment.js';

/** One process of our run, as the watchdog saw it at the hang. */
export interface RunProcess {
  pid: number;
  role: 'master' | 'slave';
  id: number;
  classification: Classification;
  exit: { code: number | null; signal: string | null } | null;
  /** Its slot says it finished its protocol (it may not have exited yet). */
  finished: boolean;
  curOp: Op;
  curOpId: number;
  opsDone: number;
  lastPhase: Phase | null;
  lastOp: Op | null;
  /** aux of the last event (abba: the aux mutex it asked for). */
  lastAux: number;
  takes: number;
  puts: number;
  waitTimeouts: number;
  lockTimeouts: number;
  sinceLastEventMs: number | null;
}

export interface RunContext {
  segmentName: string;
  header: SegmentHeader;
  /** Hex bytes of each primitive at the hang (the segment snapshot). */
  primitives: Record<string, string>;
  processes: RunProcess[];
  /** tid -> pid from the trace, dead processes included. */
  tids: Record<number, number>;
  expiredWithConditionTrue: number;
}

export interface AnalysisInput {
  layout: Layout;
  glibcVersion: string;
  /** samples[k] holds one capture per inspected process; samples[0] has the maps. */
  samples: ProcRaw[][];
  probe: Probe;
  run?: RunContext;
}

const hex = (v: bigint | number) => `0x${v.toString(16)}`;
const PRIMITIVES = ['mutex', 'canPut', 'canTake', 'aux[0]', 'aux[1]'] as const;
type PrimName = (typeof PRIMITIVES)[number];
const isMutexName = (n: string) => n === 'mutex' || n.startsWith('aux');

interface ThreadFacts {
  report: ThreadReport;
  futex: FutexDecode | null;
  mapping: MapEntry | null;
  /** Our segment's primitive this futex belongs to (e.g. "mutex"), or a guessed one. */
  primitive: { name: string; type: 'mutex' | 'cond'; mutex?: MutexView; guess: boolean; field?: string } | null;
}

interface ProcFacts {
  pid: number;
  raw: ProcRaw;
  comm: string;
  state: string;
  threads: ThreadFacts[];
  maps: MapEntry[];
  run: RunProcess | undefined;
}

interface Segmentish {
  header: SegmentHeader;
  /** Start address of the mapping in a given process. */
  base: Map<number, bigint>;
}

export function analyze(input: AnalysisInput): Omit<Diagnosis, 'stacks'> {
  const { layout, probe, run } = input;
  const first = input.samples[0] ?? [];
  const last = input.samples[input.samples.length - 1] ?? first;
  const runByPid = new Map(run?.processes.map((p) => [p.pid, p]) ?? []);
  const mOff = mutexOffsets(layout);
  const cOff = condOffsets(layout);
  const magic = layout.raw.magic;
  const segments = new Map<string, Segmentish | null>();

  const label = (pid: number | null | undefined): string => {
    if (pid === null || pid === undefined) return 'an unknown process';
    const r = runByPid.get(pid);
    if (r) return `${r.role === 'master' ? 'master' : `slave ${r.id}`} (pid ${pid})`;
    const raw = first.find((p) => p.pid === pid);
    return raw?.comm ? `pid ${pid} (${raw.comm})` : `pid ${pid}`;
  };

  /** Is this mapping our segment? Read its header through the process's memory. */
  const segmentOf = (pid: number, m: MapEntry): Segmentish | null => {
    const key = `${m.dev}:${m.inode}`;
    if (!m.path.startsWith('/dev/shm/') || m.perms[3] !== 's') return null;
    let seg = segments.get(key);
    if (seg === undefined) {
      seg = null;
      const hdrSize = layout.size('header');
      const bytes = m.offset === 0n ? probe.readMemory(pid, m.start, hdrSize) : null;
      if (bytes) {
        const h = layout.decodeHeader(bytes);
        if (h.magic === magic && h.layoutVersion === layout.limits.layoutVersion) seg = { header: h, base: new Map() };
      } else if (run && m.path.replace(/ \(deleted\)$/, '') === `/dev/shm${run.segmentName}`) {
        seg = { header: run.header, base: new Map() };
      }
      segments.set(key, seg);
    }
    if (seg) seg.base.set(pid, m.start - m.offset);
    return seg;
  };

  const segmentField = (seg: Segmentish, offset: number): string | null => {
    const h = seg.header;
    const mvarSize = layout.size('mvar');
    if (offset >= h.mvarOffset && offset < h.mvarOffset + mvarSize) {
      const f = layout.fieldAt('mvar', offset - h.mvarOffset);
      return f ? `mvar.${f.name}` : 'mvar';
    }
    if (offset >= h.slotsOffset && offset < h.ringsOffset) {
      const slot = Math.floor((offset - h.slotsOffset) / layout.size('slot'));
      const f = layout.fieldAt('slot', (offset - h.slotsOffset) % layout.size('slot'));
      return `slots[${slot}]${f ? `.${f.name}` : ''}`;
    }
    if (offset >= h.ringsOffset) return `rings[${Math.floor((offset - h.ringsOffset) / h.ringSize)}]`;
    return 'header';
  };

  /** Bytes of one of our primitives: from a process's memory, else from the run's snapshot. */
  const primitiveBytes = (seg: Segmentish, name: PrimName): Buffer | null => {
    const f = layout.field('mvar', name);
    for (const [pid, base] of seg.base) {
      const b = probe.readMemory(pid, base + BigInt(seg.header.mvarOffset + f.offset), f.size);
      if (b) return b;
    }
    const h = run?.primitives[name];
    return h ? Buffer.from(h, 'hex') : null;
  };

  const decodedPrims = new Map<string, PrimitiveDecode>();
  const mutexViews = new Map<string, MutexView>();
  const ownerOf = (tid: number) => {
    const t = probe.thread(tid);
    const pid = t.alive ? t.pid : (run?.tids[tid] ?? t.pid);
    return { ...t, pid };
  };
  /** Records a decoded mutex, with its owner resolved to a live or dead thread. */
  const recordMutex = (name: string, v: MutexView, guess: boolean): void => {
    mutexViews.set(name, v);
    const owner = v.ownerTid ? ownerOf(v.ownerTid) : null;
    decodedPrims.set(name, {
      name,
      type: 'mutex',
      guess,
      lines: [...v.lines, ...(owner ? [`owner tid ${v.ownerTid}: ${owner.alive ? 'alive' : 'gone'}, ${label(owner.pid)}`] : [])],
      pshared: v.pshared,
      robust: v.robust,
      ownerTid: v.ownerTid,
      ownerAlive: owner?.alive ?? false,
      ownerPid: owner?.pid ?? null,
    });
  };
  const decodeOurPrimitive = (seg: Segmentish, name: PrimName): void => {
    if (decodedPrims.has(`mvar.${name}`)) return;
    const b = primitiveBytes(seg, name);
    if (!b) return;
    if (isMutexName(name)) {
      recordMutex(`mvar.${name}`, describeMutex(readMutex(b, 0, mOff)), false);
    } else {
      const v = describeCond(readCond(b, 0, cOff));
      decodedPrims.set(`mvar.${name}`, { name: `mvar.${name}`, type: 'cond', guess: false, lines: v.lines, pshared: v.pshared, clock: v.clock, waiters: v.waiterRefs });
    }
  };

  /** Reads the words around a foreign futex and decodes them as a mutex or condvar if the shape fits. */
  const guessPrimitive = (pid: number, f: FutexDecode): ThreadFacts['primitive'] => {
    const mutexSize = layout.field('mvar', 'mutex').size;
    const condSize = layout.field('mvar', 'canTake').size;
    const asMutex = probe.readMemory(pid, f.addr - BigInt(mOff.__lock ?? 0), mutexSize);
    if (asMutex && f.command === 'WAIT' && (f.expected === 2 || f.expected === 1)) {
      const m = readMutex(asMutex, 0, mOff);
      if (looksLikeMutex(m) && Boolean(m.kind & 128) !== f.private) {
        const v = describeMutex(m);
        const name = `mutex@${hex(f.addr - BigInt(mOff.__lock ?? 0))}`;
        recordMutex(name, v, true);
        return { name, type: 'mutex', mutex: v, guess: true, field: `${name}.__lock` };
      }
    }
    for (const field of ['__g_signals[0]', '__g_signals[1]', '__g1_orig_size', '__g_refs[0]', '__g_refs[1]']) {
      const off = cOff[field];
      if (off === undefined) continue;
      const b = probe.readMemory(pid, f.addr - BigInt(off), condSize);
      if (!b) continue;
      const c = readCond(b, 0, cOff);
      const v = describeCond(c);
      // The condvar's own pshared bit must agree with the futex's private flag.
      if (!looksLikeCond(c) || v.pshared === f.private) continue;
      const name = `cond@${hex(f.addr - BigInt(off))}`;
      decodedPrims.set(name, { name, type: 'cond', guess: true, lines: v.lines, pshared: v.pshared, clock: v.clock, waiters: v.waiterRefs });
      return { name, type: 'cond', guess: true, field: `${name}.${field}` };
    }
    return null;
  };

  // ---- per process, per thread facts ------------------------------------
  const procs: ProcFacts[] = first.map((raw, i) => {
    const lastRaw = last[i] ?? raw;
    const maps = parseMaps(raw.maps);
    const stat = parseStat(lastRaw.tasks[0]?.stat ?? null);
    const threads = lastRaw.tasks.map((t): ThreadFacts => {
      const st = parseStat(t.stat);
      const sc = parseSyscall(t.syscall);
      const firstTask = raw.tasks.find((x) => x.tid === t.tid);
      const same = input.samples.every((s) => s[i]?.tasks.find((x) => x.tid === t.tid)?.syscall === t.syscall);
      const sw = (task: typeof t | undefined) => Number(parseStatus(task?.status ?? null).voluntary_ctxt_switches ?? NaN);
      const wakeups = input.samples.length > 1 ? sw(t) - sw(firstTask) : NaN;
      let futex: FutexDecode | null = null;
      let mapping: MapEntry | null = null;
      let call: FutexCall | null = null;
      let primitive: ThreadFacts['primitive'] = null;
      let text = sc.kind === 'running' ? 'running' : sc.kind === 'no-syscall' ? 'not in a system call' : sc.kind === 'unreadable' ? 'unreadable' : '';
      if (sc.kind === 'syscall') {
        text = `${syscallName(sc.nr)}(${sc.args.slice(0, 4).map(hex).join(', ')}, …)`;
        if (sc.nr === SYS_FUTEX) {
          futex = decodeFutex(sc.args);
          text = formatFutex(futex);
          mapping = findMapping(maps, futex.addr) ?? null;
          let field: string | null = null;
          let fieldSource: FutexCall['fieldSource'] = null;
          let ref: MappingRef | null = null;
          if (mapping) {
            const offset = Number(futex.addr - mapping.start + mapping.offset);
            const shared = mapping.perms[3] === 's';
            ref = {
              path: mapping.path,
              shared,
              device: mapping.dev,
              inode: mapping.inode,
              offset,
              key: mapping.inode ? `${mapping.dev}:${mapping.inode}+${hex(offset)}` : `pid ${raw.pid}:${hex(futex.addr)}`,
            };
            const seg = segmentOf(raw.pid, mapping);
            if (seg) {
              field = segmentField(seg, offset);
              fieldSource = 'segment-layout';
              const prim = PRIMITIVES.find((p) => field === `mvar.${p}` || field?.startsWith(`mvar.${p}.`));
              if (prim) {
                decodeOurPrimitive(seg, prim);
                primitive = { name: `mvar.${prim}`, type: isMutexName(prim) ? 'mutex' : 'cond', mutex: mutexViews.get(`mvar.${prim}`), guess: false };
              }
            } else if (futex.waits && shared) {
              primitive = guessPrimitive(raw.pid, futex);
              if (primitive) {
                field = primitive.field ?? primitive.name;
                fieldSource = 'guess';
              }
            }
          }
          const word = probe.readMemory(raw.pid, futex.addr, 4);
          call = {
            addr: hex(futex.addr),
            op: futex.op,
            command: futex.command,
            private: futex.private,
            clockRealtime: futex.clockRealtime,
            expected: futex.expected,
            timed: futex.timed,
            mapping: ref,
            field,
            fieldSource,
            word: word ? word.readUInt32LE(0) : null,
          };
        }
      }
      const state = st?.state ?? '?';
      return {
        report: {
          tid: t.tid,
          state,
          stateName: stateName(state),
          wchan: t.wchan,
          syscall: text,
          syscallNr: sc.kind === 'syscall' ? sc.nr : null,
          futex: call,
          wakeupsWhileSampled: Number.isNaN(wakeups) ? null : wakeups,
          sameCallInEverySample: same,
        },
        futex,
        mapping,
        primitive,
      };
    });
    return { pid: raw.pid, raw, comm: raw.comm ?? stat?.comm ?? '?', state: stat?.state ?? '?', threads, maps, run: runByPid.get(raw.pid) };
  });

  // Our segment's primitives are worth decoding whenever the run is ours, waiters or not.
  if (run) {
    const seg = [...segments.values()].find((s) => s !== null) ?? { header: run.header, base: new Map() };
    for (const p of PRIMITIVES) if (!p.startsWith('aux') || run.header.fault === 'abba') decodeOurPrimitive(seg, p);
  }

  // ---- facts per process -------------------------------------------------
  const waiting = (t: ThreadFacts) => t.futex?.waits === true && t.report.state !== 'R';
  const stopped = (p: ProcFacts) => p.threads.some((t) => t.report.state === 'T' || t.report.state === 't') || p.state === 'T' || p.state === 't';
  const untimedBlocked = (p: ProcFacts) => stopped(p) || p.threads.some((t) => waiting(t) && !t.futex!.timed && t.mapping?.perms[3] === 's');
  const privateShared = (p: ProcFacts) =>
    p.threads.filter((t) => {
      if (!waiting(t) || !t.futex!.private || !t.mapping || t.mapping.perms[3] !== 's') return false;
      if (t.report.futex?.fieldSource === 'segment-layout') return true; // our segment is shared by design
      return probe.sharers(t.mapping.dev, t.mapping.inode).some((s) => s !== p.pid && probe.thread(s).alive);
    });

  /** The mutex a process waits for: from its futex wait, or (our runs) from its trace between retries. */
  const mutexWait = (p: ProcFacts): { name: string; view: MutexView | undefined; thread: ThreadFacts | null } | null => {
    const t = p.threads.find((x) => waiting(x) && x.primitive?.type === 'mutex' && x.report.futex?.field?.endsWith('__lock'));
    if (t?.primitive) return { name: t.primitive.name, view: t.primitive.mutex ?? mutexViews.get(t.primitive.name), thread: t };
    const r = p.run;
    if (r && r.curOp !== 'none' && (r.lastPhase === 'enter' || r.lastPhase === 'lock-timeout' || r.lastPhase === 'lock-begin')) {
      const name = r.lastOp === 'abba' ? `mvar.aux[${r.lastAux}]` : 'mvar.mutex';
      return { name, view: mutexViews.get(name), thread: null };
    }
    return null;
  };

  const boxWait = (p: ProcFacts): string | null => {
    const r = p.run;
    const t = p.threads.find((x) => waiting(x) && x.primitive?.type === 'cond');
    if (r && (r.curOp === 'take' || r.curOp === 'put') && r.lastPhase && ['signalled', 'wait-begin', 'wait-timeout', 'wait-end'].includes(r.lastPhase))
      return r.curOp === 'take' ? `waits for a value in take (op ${r.curOpId}, box empty)` : `waits for room in put (op ${r.curOpId}, box full)`;
    if (t) return `waits on ${t.report.futex?.field ?? t.report.futex?.addr}`;
    const shared = p.threads.find((x) => waiting(x) && !x.futex!.private && x.mapping?.perms[3] === 's');
    if (shared && !p.run) return `waits on a shared futex at ${shared.report.futex?.field ?? shared.report.futex?.addr}`;
    return null;
  };

  // ---- findings ----------------------------------------------------------
  const findings: Finding[] = [];
  const explained = new Map<number, string>();
  // In our runs the deadline has passed: every live process that has not
  // finished its protocol is part of the hang, whatever its stall class says.
  const relevant = (p: ProcFacts) => !p.run || (!p.run.exit && !p.run.finished);
  const explain = (pids: number[], kind: string) => pids.forEach((pid) => explained.has(pid) || explained.set(pid, kind));
  const threadLine = (p: ProcFacts, t: ThreadFacts) =>
    `${label(p.pid)} tid ${t.report.tid} [${t.report.state} ${t.report.wchan ?? ''}]: ${t.report.syscall}${t.report.futex?.field ? ` on ${t.report.futex.field}` : ''}${t.report.futex?.mapping ? ` in ${t.report.futex.mapping.path || 'anonymous memory'}+${hex(t.report.futex.mapping.offset)}` : ''}`;

  // Who holds which mutex: the owner recordMutex already resolved from its bytes.
  const holders = new Map<string, { view: MutexView; ownerPid: number | null; alive: boolean }>();
  for (const [name, view] of mutexViews) {
    const d = decodedPrims.get(name);
    if (!view.locked || !view.ownerTid || !d) continue;
    holders.set(name, { view, ownerPid: d.ownerPid ?? null, alive: d.ownerAlive ?? false });
  }

  // stopped
  for (const s of procs.filter(stopped)) {
    const held = [...holders].filter(([, h]) => h.ownerPid === s.pid).map(([n]) => n);
    const waiters = procs.filter((p) => p !== s && relevant(p) && held.includes(mutexWait(p)?.name ?? ''));
    const tracer = parseStatus(s.raw.status).TracerPid;
    const how = tracer && tracer !== '0' ? `traced by pid ${tracer}` : 'SIGSTOP';
    findings.push({
      kind: 'stopped',
      summary: `${label(s.pid)} is stopped (${how})${held.length ? ` while it holds ${held.join(', ')}` : ''}${waiters.length ? `; ${waiters.length} process(es) wait for it: ${waiters.map((w) => label(w.pid)).join(', ')}` : ''}.`,
      pids: [s.pid, ...waiters.map((w) => w.pid)],
      evidence: [
        ...s.threads.map((t) => threadLine(s, t)),
        ...held.flatMap((n) => (decodedPrims.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
        ...waiters.map((w) => {
          const mw = mutexWait(w)!;
          return mw.thread ? threadLine(w, mw.thread) : `${label(w.pid)}: last event ${w.run?.lastOp} ${w.run?.lastPhase} (acquiring ${mw.name}), ${w.run?.lockTimeouts} lock timeouts`;
        }),
      ],
    });
    explain([s.pid, ...waiters.map((w) => w.pid)], 'stopped');
  }

  // private futex in shared memory, grouped by mapped object
  const byObject = new Map<string, { path: string; entries: { p: ProcFacts; t: ThreadFacts }[] }>();
  for (const p of procs.filter((x) => relevant(x) && !explained.has(x.pid))) {
    for (const t of privateShared(p)) {
      const obj = `${t.mapping!.dev}:${t.mapping!.inode}`;
      const g = byObject.get(obj) ?? { path: t.mapping!.path, entries: [] };
      g.entries.push({ p, t });
      byObject.set(obj, g);
    }
  }
  for (const [, g] of byObject) {
    const pids = [...new Set(g.entries.map((e) => e.p.pid))];
    const fields = new Map<string, { n: number; untimed: number; op: string; pids: number[] }>();
    for (const { p, t } of g.entries) {
      const k = t.report.futex!.field ?? `+${hex(t.report.futex!.mapping!.offset)}`;
      const f = fields.get(k) ?? { n: 0, untimed: 0, op: futexOpName(t.futex!), pids: [] };
      f.n++;
      if (!t.futex!.timed) f.untimed++;
      f.pids.push(p.pid);
      fields.set(k, f);
    }
    const untimed = g.entries.filter((e) => !e.t.futex!.timed).length;
    const prims = [...decodedPrims.values()].filter(
      (d) => !d.pshared && [...fields.keys()].some((k) => k === d.name || k.startsWith(`${d.name}.`)),
    );
    const what = prims.length ? prims.map((d) => d.name).join(', ') : [...fields.keys()].join(', ');
    findings.push({
      kind: 'private-futex-on-shared-memory',
      summary: `${pids.length} process(es) wait on process-private futexes inside shared memory ${g.path || '(anonymous)'} (${[...fields.keys()].join(', ')}): ${what} ${prims.length === 1 ? 'is' : 'are'} not process-shared${prims.some((d) => d.guess) ? ' (decoded from the bytes: a guess)' : ''}, so a wake from another process can never reach ${pids.length === 1 ? 'it' : 'them'}${untimed ? `; ${untimed} of ${g.entries.length} wait(s) have no timeout and never return` : ''}.`,
      pids,
      evidence: [
        ...[...fields].map(([k, f]) => `${k}: ${f.n} thread(s) in ${f.op}, ${f.untimed} untimed; pids ${f.pids.slice(0, 20).join(' ')}${f.pids.length > 20 ? ' …' : ''}`),
        ...prims.flatMap((d) => d.lines.map((l) => `${d.name}: ${l}`)),
        ...g.entries.slice(0, 5).map(({ p, t }) => threadLine(p, t)),
        `mapping: ${formatMapLine(g.entries[0]!.t.mapping!)} (shared)`,
      ],
    });
    explain(pids, 'private-futex-on-shared-memory');
  }

  // owner died, grouped by mutex
  const deadOwners = new Map<string, ProcFacts[]>();
  for (const p of procs.filter((x) => relevant(x) && !explained.has(x.pid))) {
    const mw = mutexWait(p);
    const h = mw ? holders.get(mw.name) : undefined;
    if (mw && h && !h.alive) deadOwners.set(mw.name, [...(deadOwners.get(mw.name) ?? []), p]);
  }
  for (const [name, waiters] of deadOwners) {
    const h = holders.get(name)!;
    const owner = run?.processes.find((r) => r.pid === h.ownerPid);
    const how = owner?.exit ? (owner.exit.signal ? ` (killed by ${owner.exit.signal})` : ` (exited ${owner.exit.code})`) : '';
    findings.push({
      kind: 'owner-died',
      summary: `${name} is held by tid ${h.view.ownerTid}${h.ownerPid ? `, ${label(h.ownerPid)},` : ''} which no longer exists${how}; ${h.view.robust ? 'the mutex is robust but no waiter has recovered it' : 'the mutex is not robust, so no locker will ever get EOWNERDEAD'}: ${waiters.length} process(es) wait for an owner that will never unlock it.`,
      pids: waiters.map((w) => w.pid),
      evidence: [
        ...(decodedPrims.get(name)?.lines ?? h.view.lines).map((l) => `${name}: ${l}`),
        ...waiters.map((w) => {
          const mw = mutexWait(w)!;
          return mw.thread ? threadLine(w, mw.thread) : `${label(w.pid)}: last event ${w.run?.lastOp} ${w.run?.lastPhase}, ${w.run?.lockTimeouts} lock timeouts`;
        }),
      ],
    });
    explain(waiters.map((w) => w.pid), 'owner-died');
  }

  // deadlock cycles: P waits for a mutex whose live owner is Q
  const edge = new Map<number, { to: number; mutex: string }>();
  for (const p of procs) {
    const mw = mutexWait(p);
    const h = mw ? holders.get(mw.name) : undefined;
    if (mw && h?.alive && h.ownerPid !== null && h.ownerPid !== p.pid) edge.set(p.pid, { to: h.ownerPid, mutex: mw.name });
  }
  const seenCycle = new Set<string>();
  const inCycle = new Set<number>();
  for (const start of edge.keys()) {
    const path: number[] = [];
    let cur: number | undefined = start;
    while (cur !== undefined && !path.includes(cur)) {
      path.push(cur);
      cur = edge.get(cur)?.to;
    }
    if (cur === undefined) continue;
    const cycle = path.slice(path.indexOf(cur));
    const min = Math.min(...cycle);
    const ordered = [...cycle.slice(cycle.indexOf(min)), ...cycle.slice(0, cycle.indexOf(min))];
    const key = ordered.join(',');
    if (seenCycle.has(key)) continue;
    seenCycle.add(key);
    ordered.forEach((x) => inCycle.add(x));
    const steps = ordered.map((pid) => {
      const e = edge.get(pid)!;
      const holds = [...holders].filter(([, h]) => h.ownerPid === pid).map(([n]) => n);
      return `${label(pid)} holds ${holds.join(', ') || 'nothing known'} and waits for ${e.mutex}, held by ${label(e.to)}`;
    });
    findings.push({
      kind: 'deadlock-cycle',
      summary: `deadlock: ${ordered.map((pid) => `${label(pid)} waits for ${edge.get(pid)!.mutex} held by ${label(edge.get(pid)!.to)}`).join('; ')}.`,
      pids: ordered,
      evidence: [
        ...steps,
        ...ordered.flatMap((pid) => {
          const p = procs.find((x) => x.pid === pid);
          const t = p ? mutexWait(p)?.thread : null;
          return p && t ? [threadLine(p, t)] : [];
        }),
        ...[...new Set(ordered.map((pid) => edge.get(pid)!.mutex))].flatMap((n) => (decodedPrims.get(n)?.lines ?? []).map((l) => `${n}: ${l}`)),
      ],
    });
    explain(ordered, 'deadlock-cycle');
  }

  // no waker: nobody left who could change what the waiters wait for
  const boxOp = (p: ProcFacts | undefined) => {
    const r = p?.run;
    return r && (r.curOp === 'take' || r.curOp === 'put') && boxWait(p!) ? r.curOp : null;
  };
  const groups = new Map<string, { what: string; waiters: ProcFacts[]; others: Map<string, number[]> }>();
  for (const p of procs.filter((x) => relevant(x) && !explained.has(x.pid))) {
    const what = boxWait(p);
    if (!what) continue;
    const op = boxOp(p);
    let others: { pid: number; state: string }[];
    if (run) {
      others = run.processes
        .filter((r) => r.pid !== p.pid)
        .map((r) => {
          if (r.exit) {
            const short = r.role === 'slave' && r.exit.code === 0 && r.takes - r.puts !== 1;
            return { pid: r.pid, state: r.exit.signal ? `killed by ${r.exit.signal}` : `exited ${r.exit.code}${short ? ` after ${r.takes} take(s) and ${r.puts} put(s)` : ''}` };
          }
          const f = procs.find((x) => x.pid === r.pid);
          if (!f) return { pid: r.pid, state: 'running' };
          if (inCycle.has(r.pid)) return { pid: r.pid, state: 'blocked without timeout (deadlock-cycle)' };
          if (stopped(f)) return { pid: r.pid, state: 'stopped' };
          if (untimedBlocked(f)) return { pid: r.pid, state: 'blocked without timeout' };
          // A process waiting for the same change of the box cannot cause it.
          if (op && boxOp(f) === op) return { pid: r.pid, state: `waiting to ${op} as well` };
          return { pid: r.pid, state: 'running' };
        });
    } else {
      const t = p.threads.find((x) => waiting(x) && x.mapping?.perms[3] === 's');
      if (!t || !t.mapping) continue;
      others = probe
        .sharers(t.mapping.dev, t.mapping.inode)
        .filter((s) => s !== p.pid)
        .map((s) => {
          const f = procs.find((x) => x.pid === s);
          if (!probe.thread(s).alive) return { pid: s, state: 'exited' };
          if (f && (inCycle.has(s) || untimedBlocked(f))) return { pid: s, state: 'blocked without timeout' };
          return { pid: s, state: 'running' };
        });
    }
    if (others.some((o) => o.state === 'running')) continue;
    const key = op ?? what;
    const g: { what: string; waiters: ProcFacts[]; others: Map<string, number[]> } = groups.get(key) ?? { what: op ? (op === 'take' ? 'wait for a value (box empty)' : 'wait for room (box full)') : what, waiters: [], others: new Map() };
    g.waiters.push(p);
    for (const o of others) {
      if (g.waiters.some((w) => w.pid === o.pid)) continue;
      g.others.set(o.state, [...new Set([...(g.others.get(o.state) ?? []), o.pid])]);
    }
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const waiterPids = g.waiters.map((w) => w.pid);
    for (const [state, pids] of g.others) {
      const rest = pids.filter((x) => !waiterPids.includes(x));
      if (rest.length) g.others.set(state, rest);
      else g.others.delete(state);
    }
    const who = g.waiters.length === 1 ? `${label(g.waiters[0]!.pid)} ${boxWait(g.waiters[0]!)}` : `${g.waiters.length} processes ${g.what}: ${g.waiters.map((w) => label(w.pid)).join(', ')};`;
    const rest = [...g.others].map(([st, pids]) => `${pids.length <= 3 ? pids.map((x) => label(x)).join(', ') : `${pids.length} processes`} ${st}`);
    findings.push({
      kind: 'no-waker',
      summary: `${who}${g.waiters.length === 1 ? ',' : ''} but no process that could wake ${g.waiters.length === 1 ? 'it' : 'them'} can run: ${rest.length ? rest.join('; ') : 'no other process maps the memory'}.`,
      pids: waiterPids,
      evidence: [
        ...g.waiters.flatMap((w) => {
          const t = w.threads.find(waiting);
          return [
            ...(t ? [threadLine(w, t)] : []),
            ...(w.run ? [`${label(w.pid)}: ${w.run.waitTimeouts} wait timeouts, last event ${w.run.lastOp} ${w.run.lastPhase}`] : []),
          ];
        }),
        ...[...g.others].map(([st, pids]) => `${st}: ${pids.map((x) => label(x)).join(', ')}`),
      ],
    });
    explain(waiterPids, 'no-waker');
  }

  // starving and unknown: our runs only, where the watchdog says so
  for (const p of procs.filter((x) => x.run && !explained.has(x.pid))) {
    const r = p.run!;
    if (r.classification === 'starving') {
      findings.push({
        kind: 'starving',
        summary: `${label(p.pid)} keeps timing out and retrying in ${r.curOp} (op ${r.curOpId}) without completing: ${r.waitTimeouts} wait and ${r.lockTimeouts} lock timeouts so far.`,
        pids: [p.pid],
        evidence: p.threads.filter(waiting).map((t) => threadLine(p, t)),
      });
      explain([p.pid], 'starving');
    } else if (r.classification === 'stuck') {
      findings.push({
        kind: 'unknown',
        summary: `${label(p.pid)} is stuck (no event for ${Math.round((r.sinceLastEventMs ?? 0) / 1000)}s in ${r.curOp} op ${r.curOpId}, last ${r.lastPhase}) and no known cause fits; the raw evidence follows.`,
        pids: [p.pid],
        evidence: p.threads.map((t) => threadLine(p, t)),
      });
      explain([p.pid], 'unknown');
    }
  }

  const processes: ProcessDiagnosis[] = procs.map((p) => ({
    pid: p.pid,
    comm: p.comm,
    role: p.run?.role ?? null,
    id: p.run?.id ?? null,
    state: p.state,
    stateName: stateName(p.state),
    threads: p.threads.map((t) => t.report),
    errors: p.raw.errors,
    kind: explained.get(p.pid) ?? null,
  }));
  const bug = glibcHasLostWakeupBug(input.glibcVersion);
  return {
    glibc: {
      version: input.glibcVersion,
      assumes: ASSUMED_GLIBC,
      lostWakeupBug: bug,
      note: bug
        ? `glibc ${input.glibcVersion} has the condvar lost-wakeup bug (BZ #25847, 2.25 to 2.40 unless patched; fixed in 2.41): a timed wait may expire although it was signalled`
        : null,
    },
    processes,
    findings,
    primitives: [...decodedPrims.values()],
    expiredWithConditionTrue: run ? run.expiredWithConditionTrue : null,
  };
}
