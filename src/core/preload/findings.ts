// What the check found, as findings: built from the library's lines (the
// lock-order cycles of lock-graph.ts, the misuses the library wrote, a
// condvar used with two mutexes across processes), each call site named as
// function and file:line (system/symbols.ts), then grouped: the same
// primitive (object and offset in every process) or the same cycle of locks
// is one finding, with every process and caller that showed it. Shared by
// `check` and `soak --check`; a group's `kind` is short and stable, its
// `where` names the primitive or the locks, its `callers` the functions.
import { CHECK_FINDING_KINDS } from '../system/exit-codes.js';
import { hex } from '../system/hex.js';
import { chainText, describeAddresses, type CodeAddress } from '../system/symbols.js';
import type { CodeSite, LibraryLines, LockLine } from './lines.js';
import { lockCycles, lockPlaces, type LockCycle } from './lock-graph.js';

export type CheckFindingKind = (typeof CHECK_FINDING_KINDS)[number];
/** The primitives a check finding is about: a file lock of any kind is 'file'. */
const CHECK_PRIMITIVES = ['mutex', 'cond', 'sem', 'rwlock', 'file'] as const;
export type CheckPrimitive = (typeof CHECK_PRIMITIVES)[number];

/** One thread's order of an inversion: holding `held` (taken at heldAt), it took `wants` (at wantsAt). */
export interface LockOrder {
  /** "lockorder (pid 812, child of 811), thread 812". */
  thread: string;
  pid: number;
  tid: number;
  held: string;
  heldAt: string;
  wants: string;
  wantsAt: string;
  /** The wait for `wants` had a deadline: it gives up instead of deadlocking for ever. */
  timed: boolean;
}

export interface PreloadFinding {
  kind: CheckFindingKind;
  primitive: CheckPrimitive;
  pid: number;
  tid: number;
  addr: string;
  /** The mapping it lies in ("/dev/shm/x", "/dev/zero (deleted)"), and its offset there. */
  path: string;
  offset: number;
  /** The object's inode, when known: two objects named alike ("/dev/zero (deleted)") are two primitives. */
  inode?: number;
  /** The call, as "function (file.c:41) in /path/to/object", or object+offset when it cannot be named. */
  caller: string;
  detail: string;
  /** lock-order-inversion: each thread's order, in cycle order. */
  orders?: LockOrder[];
}

export interface FindingGroup {
  kind: CheckFindingKind;
  primitive: CheckPrimitive;
  /** "/dev/shm/x+0x40"; the address when it lies in no named mapping; for an inversion its locks, "A ⇄ B". */
  where: string;
  detail: string;
  pids: number[];
  callers: string[];
  /** lock-order-inversion: the orders side by side. */
  orders?: LockOrder[];
}

const KINDS = new Set<string>(CHECK_FINDING_KINDS);
const PRIMITIVES = new Set<string>(CHECK_PRIMITIVES);

/** A lock as a person finds it: "/dev/shm/x+0x40", "/tmp/f byte 0 (fcntl)". */
function plainName(place: LockLine): string {
  if (place.kind === 'flock') return `${place.path} (flock)`;
  if (place.kind === 'fcntl' || place.kind === 'ofd') return `${place.path} byte ${place.offset} (${place.kind === 'ofd' ? 'OFD lock' : 'fcntl'})`;
  return `${place.path}+${hex(place.offset)}`;
}

/** Every lock's name; two locks named alike (two anonymous shared mappings are both "/dev/zero (deleted)") also say their inode. */
function lockNamer(places: Map<string, LockLine>): (id: string) => string {
  const byName = new Map<string, Set<number>>();
  for (const p of places.values()) byName.set(plainName(p), (byName.get(plainName(p)) ?? new Set()).add(p.inode));
  return (id) => {
    const p = places.get(id);
    if (!p) return `lock ${id}`;
    const name = plainName(p);
    return byName.get(name)!.size > 1 ? `${name} (inode ${p.inode})` : name;
  };
}

const primitiveOf = (kind: string | undefined): CheckPrimitive => (kind !== undefined && PRIMITIVES.has(kind) ? (kind as CheckPrimitive) : 'file');

/** "lockorder (pid 812, child of 811)", from the loaded lines. */
function processNamer(lines: LibraryLines): (pid: number) => string {
  const loaded = new Map(lines.loaded.map((l) => [l.pid, l]));
  return (pid) => {
    const l = loaded.get(pid);
    const exe = l?.exe ? l.exe.split('/').pop()! : 'process';
    return `${exe} (pid ${pid}${l && loaded.has(l.ppid) ? `, child of ${l.ppid}` : ''})`;
  };
}

function inversion(c: LockCycle, places: Map<string, LockLine>, lockName: (id: string) => string, named: (pid: number) => string, site: (s: CodeSite[]) => string): PreloadFinding {
  const orders = c.hops.map((h) => ({
    thread: `${named(h.pid)}, ${h.tid === h.pid ? 'main thread' : `thread ${h.tid}`}`,
    pid: h.pid,
    tid: h.tid,
    held: `${lockName(h.held)}${h.heldMode === 'read' ? ' for reading' : ''}`,
    heldAt: site([h.heldAt]),
    wants: `${lockName(h.wants)}${h.wantsMode === 'read' ? ' for reading' : ''}`,
    wantsAt: site(h.wantsAt),
    timed: h.timed,
  }));
  const first = places.get(c.locks[0]!);
  const timed = orders.some((o) => o.timed);
  return {
    kind: 'lock-order-inversion',
    primitive: primitiveOf(first?.kind),
    pid: orders[0]!.pid,
    tid: orders[0]!.tid,
    addr: '',
    path: first?.path ?? '',
    offset: first?.offset ?? 0,
    caller: orders[0]!.wantsAt,
    detail: `${c.locks.length} locks taken in a cycle of orders by ${orders.length} threads, with no lock held around every order${timed ? '; a timed wait in it gives up at its deadline instead of waiting for ever' : ''}`,
    orders,
  };
}

/** A condvar waited with two different mutexes (in one process or across processes). */
function condTwoMutexes(lines: LibraryLines, places: Map<string, LockLine>, lockName: (id: string) => string, site: (s: CodeSite[]) => string): PreloadFinding[] {
  const byCond = new Map<string, typeof lines.condMutex>();
  for (const l of lines.condMutex) byCond.set(l.cond, [...(byCond.get(l.cond) ?? []), l]);
  return [...byCond.entries()].flatMap(([cond, uses]) => {
    const mutexes = [...new Set(uses.map((u) => u.mutex))];
    if (mutexes.length < 2) return [];
    const place = places.get(cond);
    const second = uses.find((u) => u.mutex !== uses[0]!.mutex)!;
    return [uses[0]!, second].map((u) => ({
      kind: 'cond-two-mutexes' as const,
      primitive: 'cond' as const,
      pid: u.pid,
      tid: u.tid,
      addr: '',
      path: place?.path ?? '',
      offset: place?.offset ?? 0,
      ...(place ? { inode: place.inode } : {}),
      caller: u.site ? site([u.site]) : '',
      detail: `waited on with ${mutexes.map(lockName).join(' and ')}`,
    }));
  });
}

/** Every finding of the check in the library's lines, call sites named; `notes` says once when they could not be. */
export function checkFindings(lines: LibraryLines): { findings: PreloadFinding[]; notes: string[] } {
  const places = lockPlaces(lines.locks);
  const lockName = lockNamer(places);
  const cycles = lockCycles(lines);
  const sites: CodeAddress[] = [
    ...lines.findings.flatMap((f) => (f.site ? [f.site, ...f.callers] : [])),
    ...cycles.flatMap((c) => c.hops.flatMap((h) => [h.heldAt, ...h.wantsAt])),
    ...lines.condMutex.flatMap((l) => (l.site ? [l.site] : [])),
  ];
  const { described, notes: siteNotes } = describeAddresses(sites);
  const site = (chain: CodeSite[]) => chainText(described, chain);
  const named = processNamer(lines);
  const misuse = lines.findings.flatMap((f): PreloadFinding[] =>
    KINDS.has(f.kind) && PRIMITIVES.has(f.primitive)
      ? [{
          kind: f.kind as CheckFindingKind,
          primitive: f.primitive as CheckPrimitive,
          pid: f.pid,
          tid: f.tid,
          addr: f.addr,
          path: f.path,
          offset: f.offset,
          inode: f.inode,
          caller: f.site ? site([f.site, ...f.callers]) : '',
          detail: f.owner ? `${f.detail}: thread ${f.owner}${lines.loaded.some((l) => l.pid === f.owner) ? `, the main thread of ${named(f.owner)}` : ''}` : f.detail,
        }]
      : [],
  );
  const notes = [
    ...siteNotes,
    ...(lines.edgesDropped.length ? [`${lines.edgesDropped.length} process(es) took more distinct lock orders than the library keeps (1024): some orders were not checked`] : []),
  ];
  return { findings: [...misuse, ...cycles.map((c) => inversion(c, places, lockName, named, site)), ...condTwoMutexes(lines, places, lockName, site)], notes };
}

/** The primitive, or an inversion's locks: "A ⇄ B" (sorted), "A → B → C → A" (from the smallest name), the same in every run. */
function whereOf(f: PreloadFinding): string {
  if (!f.orders) return f.path ? `${f.path}+${hex(f.offset)}` : f.addr;
  const names = f.orders.map((o) => o.held);
  if (names.length === 2) return [...names].sort().join(' ⇄ ');
  const start = names.indexOf([...names].sort()[0]!);
  const from = [...names.slice(start), ...names.slice(0, start)];
  return [...from, from[0]].join(' → ');
}

export function groupFindings(findings: PreloadFinding[]): FindingGroup[] {
  const byKey = new Map<string, FindingGroup>();
  for (const f of findings) {
    const where = whereOf(f);
    const key = `${f.kind}|${f.primitive}|${where}|${f.inode ?? ''}`;
    const g = byKey.get(key) ?? { kind: f.kind, primitive: f.primitive, where, detail: f.detail, pids: [], callers: [], ...(f.orders ? { orders: f.orders } : {}) };
    for (const pid of f.orders ? f.orders.map((o) => o.pid) : [f.pid]) if (!g.pids.includes(pid)) g.pids.push(pid);
    for (const c of f.orders ? f.orders.map((o) => o.wantsAt) : [f.caller]) if (c && !g.callers.includes(c)) g.callers.push(c);
    byKey.set(key, g);
  }
  return [...byKey.values()];
}

const WHAT: Record<CheckFindingKind, (g: FindingGroup) => string> = {
  'private-primitive-in-shared-memory': (g) => `${g.primitive} in shared memory is not process-shared`,
  'condvar-deadline-on-another-clock': () => 'condvar deadline from another clock',
  'lock-order-inversion': () => 'locks taken in opposite orders (a deadlock this run did not hit)',
  'unlock-not-owner': (g) => `${g.primitive} unlocked by a thread that does not hold it`,
  'relock-held-mutex': (g) => `${g.primitive === 'rwlock' ? 'rwlock' : 'non-recursive mutex'} locked again by the thread that holds it`,
  'owner-died-not-consistent': () => 'robust mutex taken with EOWNERDEAD and never made consistent',
  'destroy-locked-mutex': () => 'mutex destroyed while locked',
  'destroy-cond-with-waiters': () => 'condvar destroyed while threads wait on it',
  'cond-two-mutexes': () => 'condvar waited on with two different mutexes',
};

/** What is wrong and where, without the callers: the heading above an inversion's orders shown side by side. */
export function findingHeadline(g: FindingGroup): string {
  return `${WHAT[g.kind](g)}: ${g.where} (${g.detail})`;
}

/** One line: what is wrong, where, and from which function(s) (what a line-oriented reader, JUnit or a log, gets). */
export function findingSummary(g: FindingGroup): string {
  if (g.orders)
    return `${WHAT[g.kind](g)}: ${g.where}: ${g.orders.map((o) => `${o.thread} holds ${o.held} (taken in ${o.heldAt}) and takes ${o.wants} in ${o.wantsAt}`).join('; ')}`;
  const from = g.kind === 'private-primitive-in-shared-memory' ? 'first used from' : 'in';
  return `${WHAT[g.kind](g)}: ${g.where} (${g.detail}), ${from} ${g.callers[0] ?? 'an unknown caller'}`;
}
