// What a thread blocked in a system call waits for, from the call and its
// arguments as /proc/PID/task/TID/syscall records them (x86_64 numbers, from
// arch/x86/entry/syscalls/syscall_64.tbl). Only the shape: which descriptor,
// which children, which IPC object, whether a timeout was given. What the
// object is and who could end the wait is the wait modules' (waits/).
import { decodeFutex, SYS_FUTEX, type FutexDecode } from './futex.js';
import type { Want } from './waits/types.js';

export type WaitShape =
  | { kind: 'futex'; futex: FutexDecode }
  | { kind: 'fd'; fd: number; want: Want; timed: boolean; mqueue?: true }
  | { kind: 'epoll'; epfd: number; timed: boolean }
  | { kind: 'poll'; call: 'poll' | 'ppoll' | 'select' | 'pselect6'; args: bigint[]; timed: boolean }
  | { kind: 'sysv-sem'; semid: number; sops: bigint; nsops: number; timed: boolean }
  | { kind: 'sysv-msg'; msqid: number; want: 'read' | 'write'; timed: false }
  | { kind: 'file-lock'; fd: number; cmd: 'flock' | 'setlkw' | 'ofd-setlkw'; flock: bigint; timed: false }
  | { kind: 'child'; which: number; timed: false }
  | { kind: 'signal' | 'sleep' | 'other'; timed: boolean };

const NAMES: Record<number, string> = {
  0: 'read',
  1: 'write',
  7: 'poll',
  17: 'pread64',
  18: 'pwrite64',
  19: 'readv',
  20: 'writev',
  23: 'select',
  34: 'pause',
  35: 'nanosleep',
  42: 'connect',
  43: 'accept',
  44: 'sendto',
  45: 'recvfrom',
  46: 'sendmsg',
  47: 'recvmsg',
  61: 'wait4',
  64: 'semget',
  65: 'semop',
  69: 'msgsnd',
  70: 'msgrcv',
  72: 'fcntl',
  73: 'flock',
  128: 'rt_sigtimedwait',
  130: 'rt_sigsuspend',
  202: 'futex',
  220: 'semtimedop',
  230: 'clock_nanosleep',
  232: 'epoll_wait',
  242: 'mq_timedsend',
  243: 'mq_timedreceive',
  247: 'waitid',
  270: 'pselect6',
  271: 'ppoll',
  275: 'splice',
  276: 'tee',
  278: 'vmsplice',
  281: 'epoll_pwait',
  288: 'accept4',
  295: 'preadv',
  296: 'pwritev',
  299: 'recvmmsg',
  307: 'sendmmsg',
  327: 'preadv2',
  328: 'pwritev2',
  441: 'epoll_pwait2',
  449: 'futex_waitv',
};

export function syscallName(nr: number): string {
  return NAMES[nr] ?? `syscall ${nr}`;
}

const READS = new Set(['read', 'pread64', 'readv', 'preadv', 'preadv2', 'recvfrom', 'recvmsg', 'recvmmsg']);
const WRITES = new Set(['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2', 'sendto', 'sendmsg', 'sendmmsg', 'vmsplice']);
/** <fcntl.h>: the blocking lock commands. */
const F_SETLKW = 7;
const F_OFD_SETLKW = 38;
/** <sys/wait.h> idtype_t for waitid. */
const P_PID = 1;
/** <sys/msg.h>: msgflg bit that makes msgrcv/msgsnd return instead of waiting. */
const IPC_NOWAIT = 0o4000;

/** An int argument as the kernel saw it (registers are recorded 64 bits wide). */
const int32 = (v: bigint | undefined) => Number(BigInt.asIntN(32, v ?? 0n));

export function waitShape(nr: number, args: bigint[]): WaitShape {
  const name = syscallName(nr);
  const a = (i: number) => args[i] ?? 0n;
  if (nr === SYS_FUTEX) return { kind: 'futex', futex: decodeFutex(args) };
  if (READS.has(name)) return { kind: 'fd', fd: int32(a(0)), want: 'read', timed: false };
  if (WRITES.has(name)) return { kind: 'fd', fd: int32(a(0)), want: 'write', timed: false };
  // splice and tee move between two descriptors: the one it is stuck on is not recorded; the input is the usual one.
  if (name === 'splice' || name === 'tee') return { kind: 'fd', fd: int32(a(0)), want: 'read', timed: false };
  // The call says the descriptor is a message queue (its file system may not be mounted where /proc can name it).
  if (name === 'mq_timedreceive') return { kind: 'fd', fd: int32(a(0)), want: 'read', timed: a(4) !== 0n, mqueue: true };
  if (name === 'mq_timedsend') return { kind: 'fd', fd: int32(a(0)), want: 'write', timed: a(4) !== 0n, mqueue: true };
  if (name === 'accept' || name === 'accept4') return { kind: 'fd', fd: int32(a(0)), want: 'accept', timed: false };
  if (name === 'connect') return { kind: 'fd', fd: int32(a(0)), want: 'connect', timed: false };
  if (name === 'flock') return { kind: 'file-lock', fd: int32(a(0)), cmd: 'flock', flock: 0n, timed: false };
  if (name === 'fcntl' && (int32(a(1)) === F_SETLKW || int32(a(1)) === F_OFD_SETLKW))
    return { kind: 'file-lock', fd: int32(a(0)), cmd: int32(a(1)) === F_SETLKW ? 'setlkw' : 'ofd-setlkw', flock: a(2), timed: false };
  if (name === 'wait4') return { kind: 'child', which: int32(a(0)), timed: false };
  if (name === 'waitid') return { kind: 'child', which: int32(a(0)) === P_PID ? int32(a(1)) : -1, timed: false };
  if (name === 'semop' || name === 'semtimedop') return { kind: 'sysv-sem', semid: int32(a(0)), sops: a(1), nsops: Number(a(2) & 0xffffn), timed: name === 'semtimedop' && a(3) !== 0n };
  if ((name === 'msgrcv' || name === 'msgsnd') && (int32(a(name === 'msgrcv' ? 4 : 3)) & IPC_NOWAIT) === 0)
    return { kind: 'sysv-msg', msqid: int32(a(0)), want: name === 'msgrcv' ? 'read' : 'write', timed: false };
  // Timeouts: poll and epoll take milliseconds (negative: none), the others a pointer (NULL: none).
  if (name === 'epoll_wait' || name === 'epoll_pwait') return { kind: 'epoll', epfd: int32(a(0)), timed: int32(a(3)) >= 0 };
  if (name === 'epoll_pwait2') return { kind: 'epoll', epfd: int32(a(0)), timed: a(3) !== 0n };
  if (name === 'poll') return { kind: 'poll', call: 'poll', args, timed: int32(a(2)) >= 0 };
  if (name === 'ppoll') return { kind: 'poll', call: 'ppoll', args, timed: a(2) !== 0n };
  if (name === 'select' || name === 'pselect6') return { kind: 'poll', call: name, args, timed: a(4) !== 0n };
  if (name === 'nanosleep' || name === 'clock_nanosleep') return { kind: 'sleep', timed: true };
  if (name === 'pause' || name === 'rt_sigsuspend') return { kind: 'signal', timed: false };
  if (name === 'rt_sigtimedwait') return { kind: 'signal', timed: a(2) !== 0n };
  return { kind: 'other', timed: false };
}
