// flock(), fcntl(F_SETLKW) and fcntl(F_OFD_SETLKW): who holds the lock that
// blocks it. /proc/locks lists every lock, each blocked request under the lock
// it waits for. A POSIX record lock belongs to a process (its pid is in the
// line); a flock or OFD lock belongs to an open file description, shared by
// every process that inherited or was passed the descriptor, so its holders
// are the processes whose fdinfo lists that lock ("lock:" lines).
//   struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; }  (x86_64: start at 8, len at 16)
import { blockerOf, type FileLock } from '../../procfs/decode.js';
import { hidden, holderNames, holderWakers, known, type Waiter, type WaitContext, type WaitFacts } from './types.js';

const FLOCK_START = 8;
const FLOCK_LEN = 16;
const FLOCK_SIZE = 32;
const OFFSET_MAX = '9223372036854775807';

/** "fe:00:2146641" as /proc/locks prints a file: major:minor in two-digit hex, the inode in decimal. */
export function lockFileId(object: string): string | null {
  const [devText, ino] = object.split(':');
  if (devText === undefined || ino === undefined) return null;
  const dev = BigInt(devText);
  // glibc's gnu_dev_major/minor (sys/sysmacros.h).
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const h = (v: bigint) => v.toString(16).padStart(2, '0');
  return `${h(major)}:${h(minor)}:${ino}`;
}

/** The byte range the thread asked for, as /proc/locks prints it ("0 9", "10 EOF"), when its struct flock is readable and SEEK_SET. */
function requestedRange(ctx: WaitContext, w: Waiter, flockPtr: bigint): string | null {
  if (flockPtr === 0n) return null;
  const b = ctx.probe.readMemory(w.raw.pid, flockPtr, FLOCK_SIZE);
  if (!b || b.readInt16LE(2) !== 0) return null;
  const start = b.readBigInt64LE(FLOCK_START);
  const len = b.readBigInt64LE(FLOCK_LEN);
  if (len < 0n) return null;
  return `${start} ${len === 0n ? 'EOF' : (start + len - 1n).toString()}`;
}

const lockText = (l: FileLock) => `${l.type} ${l.mode} ${l.access} ${l.pid} ${l.file} ${l.range}`.replace(/\s+/g, ' ');
const sameLock = (fdinfoLine: string, l: FileLock) => fdinfoLine.replace(/\s+/g, ' ').replace(`${OFFSET_MAX}`, 'EOF') === lockText(l);

export function fileLockWait(ctx: WaitContext, w: Waiter, shape: { fd: number; cmd: 'flock' | 'setlkw' | 'ofd-setlkw'; flock: bigint }): WaitFacts {
  const fd = w.raw.fds?.find((x) => x.fd === shape.fd);
  const file = fd?.target ?? `fd ${shape.fd}`;
  const id = fd?.object ? lockFileId(fd.object) : null;
  const type = shape.cmd === 'flock' ? 'FLOCK' : shape.cmd === 'setlkw' ? 'POSIX' : 'OFDLCK';
  const range = shape.cmd === 'flock' ? null : requestedRange(ctx, w, shape.flock);
  const locks = ctx.locks();
  // This thread's request among the blocked ones: a POSIX or flock request carries the pid, an OFD one -1.
  const mine = locks.filter((l) => l.depth > 0 && l.type === type && (type === 'OFDLCK' ? l.pid === -1 : l.pid === w.raw.pid) && (!id || l.file === id) && (!range || l.range === range));
  const blockers = [...new Set(mine.map((l) => blockerOf(locks, l)).filter((b): b is FileLock => b !== undefined))];
  const access = mine[0]?.access ? `${mine[0].access} ` : '';
  const base = { kind: 'file-lock' as const, timed: false, on: `${type} ${access}lock on ${file}${range ? ` (bytes ${range})` : ''}`, key: `lock:${blockers[0]?.file ?? file}:${blockers.map((b) => b.range).join(',')}` };
  if (!blockers.length) return hidden(base, '/proc/locks does not show what blocks it');
  const pids: number[] = [];
  for (const b of blockers) {
    // A POSIX lock is its process's; a flock or OFD lock is its open file description's, whoever holds that.
    if (b.type === 'POSIX' && b.pid > 0) {
      pids.push(b.pid);
      continue;
    }
    const holders = ctx.probe.fdHolders(fd?.object ? `inode:${fd.object}` : '').filter((h) => h.locks?.some((l) => sameLock(l, b)));
    // Without fdinfo lock lines (a capture from before they were read), a flock line's pid is the process that took it.
    if (!holders.length && b.pid > 0) pids.push(b.pid);
    pids.push(...holders.map((h) => h.pid));
  }
  const on = `${base.on}, blocked by ${blockers.map((b) => `${b.type} ${b.access} ${b.range}`).join(' and ')}`;
  if (!pids.length) return hidden({ ...base, on }, 'no process the tool may read holds the open file description that owns the blocking lock');
  return known({ ...base, on }, holderWakers(ctx, w.raw.pid, w.tid, pids), `the holder(s) of the blocking lock: ${holderNames(ctx, w.raw.pid, pids)}`, true);
}
