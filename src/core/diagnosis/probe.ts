// The diagnosis's only window on the live system besides /proc captures:
// memory of other processes, liveness of thread ids, and which processes map
// an object. A recording probe saves every answer, so a real capture can be
// replayed later as a test fixture.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
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
    for (const d of readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const maps = readFileSync(`/proc/${d}/maps`, 'utf8');
        if (maps.split('\n').some((l) => l.includes(needle) && l.split(/\s+/)[1]?.[3] === 's')) out.push(Number(d));
      } catch {
        // gone or not ours to read
      }
    }
    this.sharerCache.set(key, out);
    return out;
  }
}

export interface ProbeLog {
  memory: Record<string, string | null>;
  threads: Record<string, ThreadInfo>;
  sharers: Record<string, number[]>;
}

/** Answers from a live probe, remembered for a fixture. */
export class RecordingProbe implements Probe {
  readonly log: ProbeLog = { memory: {}, threads: {}, sharers: {} };
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
}
