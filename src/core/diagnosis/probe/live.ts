// The probe on the running system (see probe.ts). Whole-system scans (who
// maps an object, who holds which descriptor, the socket tables, the process
// tree) are made at most once per diagnosis and only when a question needs
// them; a process that cannot be read (gone, another user's) is skipped, so
// the answers are "of what we may read" — the callers say so.
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { addon } from '../../native/addon.js';
import { AddressSpaces } from './address-spaces.js';
import { allPids, liveProcesses } from '../../procfs/capture.js';
import { parseStatus } from '../../procfs/decode.js';
import { eventfdId, fdLocks } from '../../procfs/fdinfo.js';
import { parseInet, type InetSocket } from '../../procfs/net.js';
import type { FdHolder, MsgQueue, Probe, SemSet, ThreadInfo } from './probe.js';

/** fdinfo is a few lines; an epoll's can be long, but only its flags and lock lines are read here. */
const FDINFO_MAX = 4096;

function readBounded(path: string, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(max);
    const n = readSync(fd, b, 0, max, null);
    return b.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The holder-table key of one descriptor (see Probe.fdHolders), with its fdinfo text when read. */
function holderKey(pid: number, fd: string): { key: string; info: string | null } | null {
  const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
  // A socket is open both ways: its access mode decides nothing, and a busy system has thousands.
  if (link.startsWith('socket:')) return { key: link, info: null };
  const info = readBounded(`/proc/${pid}/fdinfo/${fd}`, FDINFO_MAX);
  if (link.startsWith('pipe:')) return { key: link, info };
  if (link.startsWith('/')) {
    const st = statSync(`/proc/${pid}/fd/${fd}`);
    return { key: `${st.isFIFO() ? 'fifo' : 'inode'}:${st.dev}:${st.ino}`, info };
  }
  const anon = /^anon_inode:(\[[\w-]+\]|[\w-]+)$/.exec(link)?.[1];
  if (!anon) return null;
  const id = anon === '[eventfd]' ? eventfdId(info) : null;
  return { key: id !== null ? `eventfd:${id}` : `anon:${anon}`, info };
}

export class LiveProbe implements Probe {
  private sharerCache = new Map<string, number[]>();

  readMemory(pid: number, addr: bigint, len: number): Buffer | null {
    let fd: number | undefined;
    try {
      fd = openSync(`/proc/${pid}/mem`, 'r');
      const b = Buffer.alloc(len);
      const n = readSync(fd, b, 0, len, addr);
      return n === len ? b : null;
    } catch {
      return null;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  thread(tid: number): ThreadInfo {
    try {
      const s = parseStatus(readFileSync(`/proc/${tid}/status`, 'utf8'));
      const state = (s.State ?? '?').slice(0, 1);
      if (state === 'Z' || state === 'X') return { alive: false, pid: Number(s.Tgid), state };
      return { alive: true, pid: Number(s.Tgid), state };
    } catch {
      return { alive: false, pid: null, state: null };
    }
  }

  sharers(dev: string, inode: number): number[] {
    const key = `${dev}:${inode}`;
    const hit = this.sharerCache.get(key);
    if (hit) return hit;
    const out: number[] = [];
    const needle = ` ${dev} ${inode} `;
    for (const pid of allPids()) {
      try {
        const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
        if (maps.split('\n').some((l) => l.includes(needle) && l.split(/\s+/)[1]?.[3] === 's')) out.push(pid);
      } catch {
        // gone or not ours to read
      }
    }
    this.sharerCache.set(key, out);
    return out;
  }

  private holders: Map<string, FdHolder[]> | undefined;
  fdHolders(object: string): FdHolder[] {
    if (!this.holders) {
      this.holders = new Map();
      for (const pid of allPids()) {
        let fds: string[];
        try {
          fds = readdirSync(`/proc/${pid}/fd`);
        } catch {
          continue; // gone or not ours to read
        }
        for (const fd of fds) {
          try {
            const k = holderKey(pid, fd);
            if (!k) continue;
            const flags = k.info === null ? null : (/^flags:\s*(\d+)/m.exec(k.info)?.[1] ?? null);
            const locks = fdLocks(k.info);
            const list = this.holders.get(k.key) ?? [];
            list.push({ pid, fd: Number(fd), flags, ...(locks.length ? { locks } : {}) });
            this.holders.set(k.key, list);
          } catch {
            // closed meanwhile
          }
        }
      }
    }
    return this.holders.get(object) ?? [];
  }

  sameFile(pid1: number, fd1: number, pid2: number, fd2: number): boolean | null {
    try {
      return addon().kcmpFile(pid1, fd1, pid2, fd2);
    } catch {
      return null;
    }
  }

  private spaces = new AddressSpaces();
  vmSharers(pid: number, candidates: number[]): number[] {
    return this.spaces.sharers(pid, candidates);
  }

  parent(pid: number): number | null {
    return this.tree().parent.get(pid) ?? null;
  }

  private peers: Map<number, number> | null | undefined;
  socketPeer(inode: number): number | null {
    if (this.peers === undefined) {
      this.peers = null;
      try {
        const r = addon().unixSockets();
        if (r.sockets) {
          this.peers = new Map();
          for (let i = 0; i < r.sockets.length; i += 2) this.peers.set(r.sockets[i]!, r.sockets[i + 1]!);
        }
      } catch {
        // no addon: peers stay unknown
      }
    }
    return this.peers?.get(inode) ?? null;
  }

  /** By network namespace: processes of one namespace share one table. */
  private inet = new Map<string, InetSocket[] | null>();
  inetSockets(pid: number): InetSocket[] | null {
    let ns: string;
    try {
      ns = readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return null;
    }
    if (!this.inet.has(ns)) {
      let table: InetSocket[] | null = [];
      for (const [file, proto] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const)
        try {
          table.push(...parseInet(readFileSync(`/proc/${pid}/net/${file}`, 'utf8'), proto));
        } catch {
          if (file === 'tcp') table = null; // not readable at all; the v6 tables may just be absent
          if (!table) break;
        }
      this.inet.set(ns, table);
    }
    return this.inet.get(ns) ?? null;
  }

  children(pid: number): number[] {
    return this.tree().children.get(pid) ?? [];
  }

  /** The live process tree, read once. */
  private processTree: { parent: Map<number, number>; children: Map<number, number[]> } | undefined;
  private tree() {
    if (!this.processTree) {
      const t = { parent: new Map<number, number>(), children: new Map<number, number[]>() };
      for (const st of liveProcesses()) {
        if (st.ppid > 0) t.parent.set(st.pid, st.ppid);
        const siblings = t.children.get(st.ppid);
        if (siblings) siblings.push(st.pid);
        else t.children.set(st.ppid, [st.pid]);
      }
      this.processTree = t;
    }
    return this.processTree;
  }

  fileLocks(): string | null {
    try {
      return readFileSync('/proc/locks', 'utf8');
    } catch {
      return null;
    }
  }

  semSet(semid: number): SemSet | { error: string } {
    try {
      const r = addon().semInfo(semid);
      if (r.error !== undefined) return { error: r.error };
      return { count: r.count, values: [...r.values], pids: [...r.pids], ncnt: [...r.ncnt], zcnt: [...r.zcnt] };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }

  msgQueue(msqid: number): MsgQueue | { error: string } {
    try {
      const r = addon().msgQueueInfo(msqid);
      return r.error !== undefined ? { error: r.error } : { qnum: r.qnum, qbytes: r.qbytes, lspid: r.lspid, lrpid: r.lrpid };
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
}
