// futex(2) as the kernel records it in /proc/PID/task/TID/syscall, decoded.
// Values from <linux/futex.h>; x86_64 system call numbers.

export const SYS_FUTEX = 202;

export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

const COMMANDS = [
  'WAIT',
  'WAKE',
  'FD',
  'REQUEUE',
  'CMP_REQUEUE',
  'WAKE_OP',
  'LOCK_PI',
  'UNLOCK_PI',
  'TRYLOCK_PI',
  'WAIT_BITSET',
  'WAKE_BITSET',
  'WAIT_REQUEUE_PI',
  'CMP_REQUEUE_PI',
  'LOCK_PI2',
];

/** Commands that block the caller until a wake (or their timeout). */
const WAITS = new Set(['WAIT', 'WAIT_BITSET', 'LOCK_PI', 'LOCK_PI2', 'WAIT_REQUEUE_PI']);

export interface FutexDecode {
  addr: bigint;
  op: number;
  command: string;
  private: boolean;
  clockRealtime: boolean;
  waits: boolean;
  expected: number | null;
  timed: boolean;
}

export function decodeFutex(args: bigint[]): FutexDecode {
  const op = Number((args[1] ?? 0n) & 0xffffffffn);
  const cmd = op & FUTEX_CMD_MASK;
  const command = COMMANDS[cmd] ?? `CMD_${cmd}`;
  const waits = WAITS.has(command);
  return {
    addr: args[0] ?? 0n,
    op,
    command,
    private: (op & FUTEX_PRIVATE_FLAG) !== 0,
    clockRealtime: (op & FUTEX_CLOCK_REALTIME) !== 0,
    waits,
    expected: waits && !command.startsWith('LOCK_PI') ? Number((args[2] ?? 0n) & 0xffffffffn) : null,
    // LOCK_PI's timeout is in arg 3 too; WAIT takes a relative one, the others absolute.
    timed: waits && (args[3] ?? 0n) !== 0n,
  };
}

export function futexOpName(f: Pick<FutexDecode, 'command' | 'private' | 'clockRealtime'>): string {
  return [`FUTEX_${f.command}`, ...(f.private ? ['FUTEX_PRIVATE_FLAG'] : []), ...(f.clockRealtime ? ['FUTEX_CLOCK_REALTIME'] : [])].join('|');
}

export function formatFutex(f: FutexDecode): string {
  const expected = f.expected === null ? '' : `, ${f.expected > 0xffff ? `0x${f.expected.toString(16)}` : f.expected}`;
  return `futex(0x${f.addr.toString(16)}, ${futexOpName(f)}${expected}, ${f.timed ? '{timeout}' : 'NULL'})`;
}
