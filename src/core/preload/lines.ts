// The lines the preload library writes to the check's file (native/preload/
// emit.h): one JSON object each, from every process of the program. The
// file is the program's to write, so nothing in it is trusted: it is read up
// to a bound, a line cut by a killed process or of the wrong shape is
// skipped (and counted), and every value is checked for its type here,
// once, so the analysis works on typed lines only.

/** A return address in an object file, as the library gives it: the object's own (link-time) address. */
export interface CodeSite {
  module: string;
  /** Hex, the return address minus the object's load bias. */
  addr: string;
  /** dladdr's nearest exported symbol, "name+0x1c", when there is one. */
  sym?: string;
}

export interface LoadedLine {
  event: 'loaded';
  pid: number;
  ppid: number;
  exe: string;
}

export interface FindingLine {
  event: 'finding';
  kind: string;
  primitive: string;
  pid: number;
  tid: number;
  addr: string;
  path: string;
  offset: number;
  /** The object's inode (two objects may share a name in /proc/PID/maps). */
  inode: number;
  site: CodeSite | null;
  /** The functions above the call site, innermost first (at most 2). */
  callers: CodeSite[];
  detail: string;
  /** The thread __owner named (unlock-not-owner, destroy-locked-mutex), 0 for none. */
  owner: number;
}

/** A lock as one process saw it at its first use: its id (the same in every process) and where it lives. */
export interface LockLine {
  event: 'lock';
  pid: number;
  id: string;
  /** mutex, cond, sem, rwlock; file locks: fcntl, ofd, flock. */
  kind: string;
  path: string;
  offset: number;
  /** The object's inode: tells apart two objects /proc/PID/maps names alike ("/dev/zero (deleted)"). */
  inode: number;
}

export interface EdgeLine {
  event: 'edge';
  pid: number;
  from: string;
  to: string;
  fromSite: CodeSite;
  toSite: CodeSite;
  /** The functions above toSite when this line was written, innermost first (at most 2). */
  toCallers: CodeSite[];
  fromMode: 'read' | 'write';
  toMode: 'read' | 'write';
  timed: boolean;
  fromProcessOwned: boolean;
  toProcessOwned: boolean;
  /** [pid, tid] of every thread seen taking this edge (at most 4 a line). */
  threads: [number, number][];
  /** Exclusive locks held every time this edge was taken, besides its two ends. */
  gates: string[];
}

export interface CondMutexLine {
  event: 'condmutex';
  pid: number;
  tid: number;
  cond: string;
  mutex: string;
  site: CodeSite | null;
}

export interface SemPostLine {
  event: 'sempost';
  pid: number;
  tid: number;
  sem: string;
  /** Posted by a thread that had taken it (and not posted it since). */
  holder: boolean;
  site: CodeSite | null;
}

export interface LibraryLines {
  loaded: LoadedLine[];
  findings: FindingLine[];
  locks: LockLine[];
  edges: EdgeLine[];
  condMutex: CondMutexLine[];
  semPosts: SemPostLine[];
  /** Processes whose edge table filled up (their further edges were not recorded). */
  edgesDropped: number[];
  /** Lines skipped: cut by a killed process, or not what the library writes. */
  skipped: number;
}

type Json = Record<string, unknown>;

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: unknown): v is string => typeof v === 'string';
const bool = (v: unknown): v is boolean => typeof v === 'boolean';
const ID = /^[0-9a-f]{16}$/;
const id = (v: unknown): v is string => str(v) && ID.test(v);

const sites = (v: unknown): CodeSite[] => (Array.isArray(v) ? v.map(site).filter((s): s is CodeSite => s !== null).slice(0, 4) : []);

function site(v: unknown): CodeSite | null {
  if (!v || typeof v !== 'object') return null;
  const s = v as Json;
  if (!str(s.module) || !str(s.addr) || !/^0x[0-9a-f]+$/.test(s.addr)) return null;
  return { module: s.module, addr: s.addr, ...(str(s.sym) ? { sym: s.sym } : {}) };
}

/** One line, typed; null when it is not a line the library writes. */
function typed(l: Json): Partial<Record<keyof LibraryLines, unknown>> | null {
  if (!num(l.pid)) return null;
  switch (l.event) {
    case 'loaded':
      return { loaded: { event: 'loaded', pid: l.pid, ppid: num(l.ppid) ? l.ppid : 0, exe: str(l.exe) ? l.exe : '' } satisfies LoadedLine };
    case 'finding': {
      if (!str(l.kind) || !str(l.primitive) || !str(l.detail)) return null;
      return {
        findings: {
          event: 'finding', kind: l.kind, primitive: l.primitive, pid: l.pid, tid: num(l.tid) ? l.tid : 0, addr: str(l.addr) ? l.addr : '',
          path: str(l.path) ? l.path : '', offset: num(l.offset) ? l.offset : 0, inode: num(l.inode) ? l.inode : 0, site: site(l.site), callers: sites(l.callers), detail: l.detail, owner: num(l.owner) ? l.owner : 0,
        } satisfies FindingLine,
      };
    }
    case 'lock':
      if (!id(l.id) || !str(l.kind) || !str(l.path) || !num(l.offset)) return null;
      return { locks: { event: 'lock', pid: l.pid, id: l.id, kind: l.kind, path: l.path, offset: l.offset, inode: num(l.inode) ? l.inode : 0 } satisfies LockLine };
    case 'edge': {
      const fromSite = site(l.fromSite), toSite = site(l.toSite);
      const threads = Array.isArray(l.threads) ? l.threads.filter((t): t is [number, number] => Array.isArray(t) && t.length === 2 && num(t[0]) && num(t[1])) : [];
      if (!id(l.from) || !id(l.to) || !fromSite || !toSite || !threads.length || !Array.isArray(l.gates)) return null;
      return {
        edges: {
          event: 'edge', pid: l.pid, from: l.from, to: l.to, fromSite, toSite, toCallers: sites(l.toCallers),
          fromMode: l.fromMode === 'read' ? 'read' : 'write', toMode: l.toMode === 'read' ? 'read' : 'write',
          timed: l.timed === true, fromProcessOwned: l.fromProcessOwned === true, toProcessOwned: l.toProcessOwned === true,
          threads, gates: l.gates.filter(id),
        } satisfies EdgeLine,
      };
    }
    case 'condmutex':
      if (!id(l.cond) || !id(l.mutex)) return null;
      return { condMutex: { event: 'condmutex', pid: l.pid, tid: num(l.tid) ? l.tid : 0, cond: l.cond, mutex: l.mutex, site: site(l.site) } satisfies CondMutexLine };
    case 'sempost':
      if (!id(l.sem) || !bool(l.holder)) return null;
      return { semPosts: { event: 'sempost', pid: l.pid, tid: num(l.tid) ? l.tid : 0, sem: l.sem, holder: l.holder, site: site(l.site) } satisfies SemPostLine };
    case 'edges-dropped':
      return { edgesDropped: l.pid };
    default:
      return null;
  }
}

/** The library's lines from the file's text (what was read of it, up to its bound). */
export function parseLibraryLines(text: string): LibraryLines {
  const out: LibraryLines = { loaded: [], findings: [], locks: [], edges: [], condMutex: [], semPosts: [], edgesDropped: [], skipped: 0 };
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    let l: unknown;
    try {
      l = JSON.parse(raw);
    } catch {
      out.skipped++;
      continue;
    }
    const t = l && typeof l === 'object' && !Array.isArray(l) ? typed(l as Json) : null;
    if (!t) {
      out.skipped++;
      continue;
    }
    for (const [k, v] of Object.entries(t)) (out[k as keyof LibraryLines] as unknown[]).push(v);
  }
  return out;
}
