// What a thread blocked in a system call waits for, from the call and its
// arguments as /proc/PID/task/TID/syscall records them (x86_64 numbers).
// Only the shape: which descriptor, which children, whether a timeout was
// given. What the descriptor is and who could end the wait is waits.ts's.
import { decodeFutex, SYS_FUTEX, type FutexDecode } from './futex.js';

export type WaitShape =
  | { kind: 'futex'; futex: FutexDecode }
  | { kind: 'fd'; fd: number; direction: 'read' | 'write' | 'accept' | 'connect'; timed: false }
  | { kind: 'file-lock'; fd: number; timed: false }
  | { kind: 'child'; which: number; timed: false }
  | { kind: 'multiplex' | 'signal' | 'sleep' | 'other'; timed: boolean };

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
  72: 'fcntl',
  73: 'flock',
  128: 'rt_sigtimedwait',
  130: 'rt_sigsuspend',
  202: 'futex',
  230: 'clock_nanosleep',
  232: 'epoll_wait',
  247: 'waitid',
  270: 'pselect6',
  271: 'ppoll',
  281: 'epoll_pwait',
  288: 'accept4',
  295: 'preadv',
  296: 'pwritev',
  441: 'epoll_pwait2',
  449: 'futex_waitv',
};

export function syscallName(nr: number): string {
  return NAMES[nr] ?? `syscall ${nr}`;
}

const READS = new Set(['read', 'pread64', 'readv', 'preadv', 'recvfrom', 'recvmsg']);
const WRITES = new Set(['write', 'pwrite64', 'writev', 'pwritev', 'sendto', 'sendmsg']);
/** <fcntl.h>: the blocking lock commands. */
const F_SETLKW = 7;
const F_OFD_SETLKW = 38;
/** <sys/wait.h> idtype_t for waitid. */
const P_PID = 1;

/** An int argument as the kernel saw it (registers are recorded 64 bits wide). */
const int32 = (v: bigint | undefined) => Number(BigInt.asIntN(32, v ?? 0n));

export function waitShape(nr: number, args: bigint[]): WaitShape {
  const name = syscallName(nr);
  const a = (i: number) => args[i] ?? 0n;
  if (nr === SYS_FUTEX) return { kind: 'futex', futex: decodeFutex(args) };
  if (READS.has(name)) return { kind: 'fd', fd: int32(a(0)), direction: 'read', timed: false };
  if (WRITES.has(name)) return { kind: 'fd', fd: int32(a(0)), direction: 'write', timed: false };
  if (name === 'accept' || name === 'accept4') return { kind: 'fd', fd: int32(a(0)), direction: 'accept', timed: false };
  if (name === 'connect') return { kind: 'fd', fd: int32(a(0)), direction: 'connect', timed: false };
  if (name === 'flock') return { kind: 'file-lock', fd: int32(a(0)), timed: false };
  if (name === 'fcntl' && (int32(a(1)) === F_SETLKW || int32(a(1)) === F_OFD_SETLKW)) return { kind: 'file-lock', fd: int32(a(0)), timed: false };
  if (name === 'wait4') return { kind: 'child', which: int32(a(0)), timed: false };
  if (name === 'waitid') return { kind: 'child', which: int32(a(0)) === P_PID ? int32(a(1)) : -1, timed: false };
  // Timeouts: poll and epoll take milliseconds (negative: none), the others a pointer (NULL: none).
  if (name === 'poll' || name === 'epoll_wait' || name === 'epoll_pwait') return { kind: 'multiplex', timed: int32(a(name === 'poll' ? 2 : 3)) >= 0 };
  if (name === 'select' || name === 'pselect6') return { kind: 'multiplex', timed: a(4) !== 0n };
  if (name === 'ppoll') return { kind: 'multiplex', timed: a(2) !== 0n };
  if (name === 'epoll_pwait2') return { kind: 'multiplex', timed: a(3) !== 0n };
  if (name === 'nanosleep' || name === 'clock_nanosleep') return { kind: 'sleep', timed: true };
  if (name === 'pause' || name === 'rt_sigsuspend') return { kind: 'signal', timed: false };
  if (name === 'rt_sigtimedwait') return { kind: 'signal', timed: a(2) !== 0n };
  return { kind: 'other', timed: false };
}
