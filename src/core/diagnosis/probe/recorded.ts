// A probe's answers kept for a fixture (RecordingProbe, around a live one)
// and played back (ReplayProbe): a capture taken on a real hang replays in a
// unit test with the very answers the system gave. Anything not recorded is
// unknown on replay, as it would be for a process the tool could not read.
import type { InetSocket } from '../../procfs/net.js';
import type { FdHolder, MsgQueue, Probe, SemSet, ThreadInfo } from './probe.js';

export interface ProbeLog {
  memory: Record<string, string | null>;
  threads: Record<string, ThreadInfo>;
  sharers: Record<string, number[]>;
  /** Absent in recordings made before the probe answered these. */
  fdHolders?: Record<string, FdHolder[]>;
  children?: Record<string, number[]>;
  fileLocks?: string | null;
  socketPeers?: Record<string, number | null>;
  sameFile?: Record<string, boolean | null>;
  vmSharers?: Record<string, number[]>;
  parents?: Record<string, number | null>;
  inetSockets?: Record<string, InetSocket[] | null>;
  semSets?: Record<string, SemSet | { error: string }>;
  msgQueues?: Record<string, MsgQueue | { error: string }>;
}

const fileKey = (pid1: number, fd1: number, pid2: number, fd2: number) => `${pid1}:${fd1}:${pid2}:${fd2}`;

/** Answers from a live probe, remembered for a fixture. */
export class RecordingProbe implements Probe {
  readonly log: Required<ProbeLog> = {
    memory: {},
    threads: {},
    sharers: {},
    fdHolders: {},
    children: {},
    fileLocks: null,
    socketPeers: {},
    sameFile: {},
    vmSharers: {},
    parents: {},
    inetSockets: {},
    semSets: {},
    msgQueues: {},
  };
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
    return (this.log.fdHolders[object] = this.inner.fdHolders(object));
  }
  sameFile(pid1: number, fd1: number, pid2: number, fd2: number): boolean | null {
    return (this.log.sameFile[fileKey(pid1, fd1, pid2, fd2)] = this.inner.sameFile(pid1, fd1, pid2, fd2));
  }
  vmSharers(pid: number, candidates: number[]): number[] {
    return (this.log.vmSharers[pid] = this.inner.vmSharers(pid, candidates));
  }
  parent(pid: number): number | null {
    return (this.log.parents[pid] = this.inner.parent(pid));
  }
  children(pid: number): number[] {
    return (this.log.children[pid] = this.inner.children(pid));
  }
  socketPeer(inode: number): number | null {
    return (this.log.socketPeers[inode] = this.inner.socketPeer(inode));
  }
  inetSockets(pid: number): InetSocket[] | null {
    return (this.log.inetSockets[pid] = this.inner.inetSockets(pid));
  }
  fileLocks(): string | null {
    return (this.log.fileLocks = this.inner.fileLocks());
  }
  semSet(semid: number): SemSet | { error: string } {
    return (this.log.semSets[semid] = this.inner.semSet(semid));
  }
  msgQueue(msqid: number): MsgQueue | { error: string } {
    return (this.log.msgQueues[msqid] = this.inner.msgQueue(msqid));
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
  sameFile(pid1: number, fd1: number, pid2: number, fd2: number): boolean | null {
    return this.log.sameFile?.[fileKey(pid1, fd1, pid2, fd2)] ?? null;
  }
  vmSharers(pid: number, _candidates: number[]): number[] {
    return this.log.vmSharers?.[pid] ?? [];
  }
  parent(pid: number): number | null {
    return this.log.parents?.[pid] ?? null;
  }
  children(pid: number): number[] {
    return this.log.children?.[pid] ?? [];
  }
  socketPeer(inode: number): number | null {
    return this.log.socketPeers?.[inode] ?? null;
  }
  inetSockets(pid: number): InetSocket[] | null {
    return this.log.inetSockets?.[pid] ?? null;
  }
  fileLocks(): string | null {
    return this.log.fileLocks ?? null;
  }
  semSet(semid: number): SemSet | { error: string } {
    return this.log.semSets?.[semid] ?? { error: 'not recorded' };
  }
  msgQueue(msqid: number): MsgQueue | { error: string } {
    return this.log.msgQueues?.[msqid] ?? { error: 'not recorded' };
  }
}
