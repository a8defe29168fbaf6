// The diagnosis's only window on the live system besides /proc captures of
// the inspected processes: memory of other processes, liveness of thread ids,
// which processes map an object or hold a pipe, FIFO or socket open, the peer
// of a Unix socket, the children of a process, and the system's file locks.
// Answers about processes outside the inspected set come from here too. A recording probe saves every answer, so
// a real capture can be replayed later as a test fixture.
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, statSync } from 'node:fs';
import { addon } from '../native/addon.js';
import { allPids, liveProcesses } from '../procfs/capture.js';
import { parseStatus } from '../procfs/decode.js';

export interface ThreadInfo {
  alive: boolean;
  /** The process (Tgid) the thread belongs to, when alive. */
  pid: number | null;
  state: string | null;
}

export interface Probe {
  readMemory(pid: number, addr: bigint, len: number): Buffer | null;
  thread(tid: number): ThreadInfo;
  /** Live pids that map the object dev:inode (shared mappings only). */
  sharers(dev: string, inode: number): number[];
  /** Every open descriptor of a pipe, FIFO or socket ("pipe:[123]", "fifo:dev:ino", "socket:[456]"), in any process we may read. */
  fdHolders(object: string): FdHolder[];
  /** The inode of a Unix socket's peer: 0 when it has none, null when unknown (not a Unix socket of this namespace, or sock_diag refused). */
  socketPeer(inode: number): number | null;
  /** Live children of a process. */
  children(pid: number): number[];
  /** /proc/locks, or null when unreadable. */
  fileLocks(): string | null;
}

export interface FdHolder {
  pid: number;
  fd: number;
  /** fdinfo flags (octal text); null when unreadable, and for sockets (not read). */
  flags: string | null;
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
            let key = readlinkSync(`/proc/${pid}/fd/${fd}`);
            if (key.startsWith('/')) {
              const st = statSync(`/proc/${pid}/fd/${fd}`);
              if (!st.isFIFO()) continue;
              key = `fifo:${st.dev}:${st.ino}`;
            } else if (!key.startsWith('pipe:') && !key.startsWith('socket:')) continue;
            // A socket is open both ways: its access mode decides nothing, and a busy system has thousands.
            let flags: string | null = null;
            if (!key.startsWith('socket:'))
              try {
                flags = /^flags:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1] ?? null;
              } catch {
                // closed meanwhile
              }
            const list = this.holders.get(key) ?? [];
            list.push({ pid, fd: Number(fd), flags });
            this.holders.set(key, list);
          } catch {
            // closed meanwhile
          }
        }
      }
    }
    return this.holders.get(object) ?? [];
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

  private parents: Map<number, number[]> | undefined;
  children(pid: number): number[] {
    if (!this.parents) {
      this.parents = new Map();
      for (const st of liveProcesses()) this.parents.set(st.ppid, [...(this.parents.get(st.ppid) ?? []), st.pid]);
    }
    return this.parents.get(pid) ?? [];
  }

  fileLocks(): string | null {
    try {
      return readFileSync('/proc/locks', 'utf8');
    } catch {
      return null;
    }
  }
}

export interface ProbeLog {
  memory: Record<string, string | null>;
  threads: Record<string, ThreadInfo>;
  sharers: Record<string, number[]>;
  /** Absent in recordings made before the probe answered these. */
  fdHolders?: Record<string, FdHolder[]>;
  children?: Record<string, number[]>;
  fileLocks?: string | null;
  socketPeers?: Record<string, number | null>;
}

/** Answers from a live probe, remembered for a fixture. */
export class RecordingProbe implements Probe {
  readonly log: ProbeLog = { memory: {}, threads: {}, sharers: {}, fdHolders: {}, children: {}, fileLocks: null, socketPeers: {} };
  constructor(private readonly inner: Probe) {}
  readMemory(pid: number, addr: bigint, len: number): Buffer | null {
    const b = this.inner.readMemory(pid, addr, len);
    this.log.memory[`${pid}:${addr.toString(16)}:${len}`] = b ? b.toString('hex') : null;
    return b;
  }
  thread(tid: number): ThreadInfo {
    return (this.log.threads[tid] = this.inner.thread(tid));
  }
  sharers(dev: string, inode: number): number[] {
    return (this.log.sharers[`${dev}:${inode}`] = this.inner.sharers(dev, inode));
  }
  fdHolders(object: string): FdHolder[] {
    return (this.log.fdHolders![object] = this.inner.fdHolders(object));
  }
  children(pid: number): number[] {
    return (this.log.children![pid] = this.inner.children(pid));
  }
  socketPeer(inode: number): number | null {
    return (this.log.socketPeers![inode] = this.inner.socketPeer(inode));
  }
  fileLocks(): string | null {
    return (this.log.fileLocks = this.inner.fileLocks());
  }
}

/** Answers from a recording; anything not recorded is unknown. */
export class ReplayProbe implements Probe {
  constructor(private readonly log: ProbeLog) {}
  readMemory(pid: number, addr: bigint, len: number): Buffer | null {
    const h = this.log.memory[`${pid}:${addr.toString(16)}:${len}`];
    return h ? Buffer.from(h, 'hex') : null;
  }
  thread(tid: number): ThreadInfo {
    return this.log.threads[tid] ?? { alive: false, pid: null, state: null };
  }
  sharers(dev: string, inode: number): number[] {
    return this.log.sharers[`${dev}:${inode}`] ?? [];
  }
  fdHolders(object: string): FdHolder[] {
    return this.log.fdHolders?.[object] ?? [];
  }
  children(pid: number): number[] {
    return this.log.children?.[pid] ?? [];
  }
  socketPeer(inode: number): number | null {
    return this.log.socketPeers?.[inode] ?? null;
  }
  fileLocks(): string | null {
    return this.log.fileLocks ?? null;
  }
}
