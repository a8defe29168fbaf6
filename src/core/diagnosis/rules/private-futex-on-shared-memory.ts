// private-futex-on-shared-memory: threads wait with FUTEX_PRIVATE_FLAG on a
// word inside a MAP_SHARED mapping that other live processes map. A private
// futex is keyed by the waiter's address space, so a wake from any other
// process can never reach it. One finding per mapped object; waiters on one
// word are counted together, so the sentence stays short at any N. Untimed
// waits never return; timed ones are named apart: they move on by timing out.
// Only where it is in play: a thread stuck for good on it, one waiting for a
// mutex another process holds, one whose word changed under it without waking
// it (a wake was sent and never arrived), or (our runs) a process that stalled.
import { formatMapLine } from '../../procfs/decode.js';
import { futexOpName } from '../futex.js';
import type { ProcFacts, ThreadFacts } from '../facts.js';
import { hex } from '../../system/hex.js';
import type { Rule } from './rule.js';

export const privateFutexOnSharedMemory: Rule = (facts, explained) => {
  const byObject = new Map<string, { path: string; entries: { p: ProcFacts; t: ThreadFacts }[] }>();
  for (const p of facts.procs.filter((x) => facts.relevant(x) && !explained.has(x.pid))) {
    for (const t of facts.privateShared(p)) {
      const obj = `${t.mapping!.dev}:${t.mapping!.inode}`;
      const g = byObject.get(obj) ?? { path: t.mapping!.path, entries: [] };
      g.entries.push({ p, t });
      byObject.set(obj, g);
    }
  }
  // A finding needs a thread it leaves stuck for good, one waiting for a mutex another process holds (whose
  // unlock will not reach it), or (our runs) processes the watchdog saw stall: a private futex in memory another
  // process maps is harmless while only its own threads use it.
  const otherOwner = (e: { p: ProcFacts; t: ThreadFacts }) => {
    const h = e.t.primitive ? facts.holders.get(e.t.primitive.name) : undefined;
    return h !== undefined && h.ownerPid !== null && h.ownerPid !== e.p.pid;
  };
  // The word no longer holds the value the thread went to sleep on, and it slept through every sample: whoever changed
  // it woke the futex from their own address space (glibc stores, then wakes), which never reaches a private waiter.
  const wakeLost = (e: { t: ThreadFacts }) => {
    const f = e.t.report.futex;
    return e.t.activity === 'blocked' && !e.t.futex!.timed && f !== undefined && f !== null && f.word !== null && f.expected !== null && f.word !== f.expected;
  };
  const matters = (g: { entries: { p: ProcFacts; t: ThreadFacts }[] }) => g.entries.some((e) => e.t.stuck || e.p.run !== undefined || otherOwner(e) || wakeLost(e));
  return [...byObject.values()].filter(matters).map((g) => {
    const fields = new Map<string, { n: number; untimed: number; op: string; pids: number[] }>();
    for (const { p, t } of g.entries) {
      const k = t.report.futex!.field ?? `+${hex(t.report.futex!.mapping!.offset)}`;
      const f = fields.get(k) ?? { n: 0, untimed: 0, op: futexOpName(t.futex!), pids: [] };
      f.n++;
      if (!t.futex!.timed) f.untimed++;
      if (!f.pids.includes(p.pid)) f.pids.push(p.pid);
      fields.set(k, f);
    }
    const stuckPids = [...new Set(g.entries.filter((e) => !e.t.futex!.timed).map((e) => e.p.pid))];
    const timedPids = [...new Set(g.entries.filter((e) => e.t.futex!.timed).map((e) => e.p.pid))].filter((p) => !stuckPids.includes(p));
    const untimed = g.entries.filter((e) => !e.t.futex!.timed).length;
    const timed = g.entries.length - untimed;
    const prims = [...facts.primitives.values()].filter((d) => !d.pshared && [...fields.keys()].some((k) => k === d.name || k.startsWith(`${d.name}.`)));
    const what = prims.length ? prims.map((d) => d.name).join(', ') : 'the primitive';
    const words = [...fields].map(([k, f]) => `${k}${f.pids.length > 1 ? ` ×${f.pids.length}` : ''}`);
    const wordList = words.length > 3 ? `${words.slice(0, 3).join(', ')} and ${words.length - 3} more` : words.join(', ');
    const who = (n: number) => `${n} process${n === 1 ? '' : 'es'}`;
    const head = stuckPids.length
      ? `${who(stuckPids.length)} wait${stuckPids.length === 1 ? 's' : ''} without a timeout on process-private futexes inside shared memory ${g.path || '(anonymous)'}`
      : `${who(timedPids.length)} wait${timedPids.length === 1 ? 's' : ''} on process-private futexes inside shared memory ${g.path || '(anonymous)'}`;
    const tail = stuckPids.length
      ? `: ${untimed} wait(s) that never return${timed ? `; ${timed} more wait(s) there have a timeout and only move on by timing out` : ''}`
      : `: every wait there has a timeout, so they only move on by timing out`;
    const stuckThreads = g.entries.filter((e) => e.t.stuck).length;
    return {
      kind: 'private-futex-on-shared-memory',
      ...(stuckThreads
        ? { proof: `${stuckThreads} thread(s) wait without a timeout on a private futex in shared memory, and no thread that could wake them can run or reach them` }
        : {}),
      summary: `${head} (${wordList}): ${what} ${prims.length === 1 || !prims.length ? 'is' : 'are'} not process-shared${prims.some((d) => d.guess) ? ' (decoded from the bytes: a guess)' : ''}, so a wake from another process never reaches ${stuckPids.length + timedPids.length === 1 ? 'it' : 'them'}${tail}.`,
      pids: [...stuckPids, ...timedPids],
      threads: g.entries.map(({ t }) => ({ pid: t.pid, tid: t.tid })),
      evidence: [
        ...[...fields].map(([k, f]) => `${k}: ${f.n} thread(s) in ${f.op}, ${f.untimed} untimed; pids ${f.pids.slice(0, 20).join(' ')}${f.pids.length > 20 ? ` … (${f.pids.length})` : ''}`),
        ...prims.flatMap((d) => d.lines.map((l) => `${d.name}: ${l}`)),
        ...g.entries.slice(0, 5).map(({ p, t }) => facts.threadLine(p, t)),
        ...g.entries
          .filter(wakeLost)
          .slice(0, 3)
          .map(({ t }) => `tid ${t.tid}: the word is now ${t.report.futex!.word}, not the ${t.report.futex!.expected} it went to sleep on, and it slept through every sample: a wake was sent and did not reach it`),
        `mapping: ${formatMapLine(g.entries[0]!.t.mapping!)} (shared)`,
      ],
    };
  });
};
