// The diagnosis's only window on the live system besides /proc captures of
// the inspected processes: memory of other processes, liveness of thread ids,
// which processes map an object or hold a descriptor of it, the peer of a
// socket, the children of a process, the system's file locks, and what the
// kernel says of System V IPC objects. Answers about processes outside the
// inspected set come from here too. Three implementations: live (live.ts), and
// a recording one and its replay (recorded.ts), so a capture taken on a real
// hang replays later as a test fixture.
import type { InetSocket } from '../../procfs/net.js';

export interface ThreadInfo {
  alive: boolean;
  /** The process (Tgid) the thread belongs to, when alive. */
  pid: number | null;
  state: string | null;
}

export interface FdHolder {
  pid: number;
  fd: number;
  /** fdinfo flags (octal text); null when unreadable, and for sockets (not read). */
  flags: string | null;
  /** Locks held through this open file description (fdinfo lock: lines, /proc/locks form without the number). */
  locks?: string[];
}

/** A System V semaphore set as semctl tells it (the first 4,096 semaphores). */
export interface SemSet {
  count: number;
  values: number[];
  /** Last operator of each semaphore (sempid). */
  pids: number[];
  /** Waiting for each to grow / to reach zero. */
  ncnt: number[];
  zcnt: number[];
}

export interface MsgQueue {
  qnum: number;
  qbytes: number;
  lspid: number;
  lrpid: number;
}

export interface Probe {
  readMemory(pid: number, addr: bigint, len: number): Buffer | null;
  thread(tid: number): ThreadInfo;
  /** Live pids that map the object dev:inode (shared mappings only). */
  sharers(dev: string, inode: number): number[];
  /**
   * Every open descriptor of an object, in any process we may read. Keys:
   * "pipe:[123]", "socket:[456]", "fifo:DEV:INO" (a FIFO), "inode:DEV:INO"
   * (any other path: a file, a message queue), "eventfd:ID", and
   * "anon:[timerfd]" / "anon:[signalfd]" / … for objects /proc cannot tell
   * apart (every descriptor of that kind: sameFile decides which are one).
   */
  fdHolders(object: string): FdHolder[];
  /** Whether two descriptors are one open file description (kcmp); null when the kernel will not say. */
  sameFile(pid1: number, fd1: number, pid2: number, fd2: number): boolean | null;
  /** Which of `candidates` share pid's address space (kcmp KCMP_VM), or may: the kernel would not say and their memory counters match. */
  vmSharers(pid: number, candidates: number[]): number[];
  /** The parent of a live process, or null. */
  parent(pid: number): number | null;
  /** The inode of a Unix socket's peer: 0 when it has none, null when unknown (not a Unix socket of this namespace, or sock_diag refused). */
  socketPeer(inode: number): number | null;
  /** Every TCP and UDP socket of pid's network namespace; null when unreadable. */
  inetSockets(pid: number): InetSocket[] | null;
  /** Live children of a process. */
  children(pid: number): number[];
  /** /proc/locks, or null when unreadable. */
  fileLocks(): string | null;
  /** A System V semaphore set, or why not ("Permission denied", "Invalid argument": removed). */
  semSet(semid: number): SemSet | { error: string };
  /** A System V message queue, or why not. */
  msgQueue(msqid: number): MsgQueue | { error: string };
}
