// Decoders for /proc text (proc(5)). Pure: they take the text a capture
// recorded and never touch the file system.

export interface Stat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** utime + stime, in clock ticks (fields 14 and 15). */
  cpuTicks: number;
}

/** /proc/PID/stat: comm is between the first '(' and the last ')' (it may contain both). */
export function parseStat(text: string | null): Stat | null {
  if (!text) return null;
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state): utime and stime, fields 14 and 15, are rest[11] and rest[12].
  const cpuTicks = Number(rest[11] ?? 0) + Number(rest[12] ?? 0);
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]), cpuTicks };
}

const STATES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'uninterruptible sleep',
  T: 'stopped',
  t: 'tracing stop',
  Z: 'zombie',
  X: 'dead',
  I: 'idle',
  P: 'parked',
  W: 'waking',
};

export function stateName(s: string): string {
  return STATES[s] ?? 'unknown';
}

export type SyscallState =
  | { kind: 'running' }
  | { kind: 'no-syscall'; sp: bigint; pc: bigint }
  | { kind: 'syscall'; nr: number; args: bigint[]; sp: bigint; pc: bigint }
  | { kind: 'unreadable' };

/** /proc/PID/task/TID/syscall: "running", "-1 SP PC", or "NR A0 … A5 SP PC". */
export function parseSyscall(text: string | null): SyscallState {
  if (text === null) return { kind: 'unreadable' };
  const t = text.trim();
  if (t === 'running') return { kind: 'running' };
  const parts = t.split(/\s+/);
  const nr = Number(parts[0]);
  const big = (s: string | undefined) => {
    try {
      return BigInt(s ?? '0');
    } catch {
      return 0n;
    }
  };
  if (nr === -1 && parts.length >= 3) return { kind: 'no-syscall', sp: big(parts[1]), pc: big(parts[2]) };
  if (!Number.isInteger(nr) || parts.length < 9) return { kind: 'unreadable' };
  return { kind: 'syscall', nr, args: parts.slice(1, 7).map(big), sp: big(parts[7]), pc: big(parts[8]) };
}

export interface MapEntry {
  start: bigint;
  end: bigint;
  perms: string;
  offset: bigint;
  /** "major:minor" in hex as the kernel prints it. */
  dev: string;
  inode: number;
  path: string;
}

/** /proc/PID/maps, one entry per line. */
export function parseMaps(text: string | null): MapEntry[] {
  if (!text) return [];
  const out: MapEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({
      start: BigInt(`0x${m[1]}`),
      end: BigInt(`0x${m[2]}`),
      perms: m[3]!,
      offset: BigInt(`0x${m[4]}`),
      dev: m[5]!,
      inode: Number(m[6]),
      path: m[7]!.trim(),
    });
  }
  return out;
}

/** A MAP_SHARED mapping: the fourth permission letter is "s" ("p" for private). */
export function isShared(m: Pick<MapEntry, 'perms'>): boolean {
  return m.perms[3] === 's';
}

export function findMapping(maps: MapEntry[], addr: bigint): MapEntry | undefined {
  return maps.find((m) => addr >= m.start && addr < m.end);
}

export function formatMapLine(m: MapEntry): string {
  const hex = (v: bigint) => v.toString(16);
  return `${hex(m.start)}-${hex(m.end)} ${m.perms} ${hex(m.offset).padStart(8, '0')} ${m.dev} ${m.inode} ${m.path}`.trimEnd();
}

/** /proc/PID/status as key -> value. */
export function parseStatus(text: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of (text ?? '').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

/** The status lines a report keeps (the rest is noise for a hang). */
export const STATUS_KEYS = ['Name', 'State', 'Tgid', 'Pid', 'PPid', 'TracerPid', 'Uid', 'SigCgt', 'voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'];

/** O_ACCMODE of an fdinfo "flags:" value: what the descriptor may do. */
export function fdAccess(flags: string | null): 'read' | 'write' | 'read-write' | null {
  if (flags === null) return null;
  const mode = parseInt(flags, 8) & 3;
  return mode === 0 ? 'read' : mode === 1 ? 'write' : mode === 2 ? 'read-write' : null;
}

export interface FileLock {
  /** The line's number; a blocked waiter carries its blocker's. */
  id: number;
  /** How deep in the chain of waiters: 0 for a held lock. */
  depth: number;
  type: string;
  mode: string;
  access: string;
  /** Owner (or waiter) pid; -1 for OFD locks, whose owner is an open file description. */
  pid: number;
  /** "major:minor:inode" of the locked file. */
  file: string;
  range: string;
}

/** /proc/locks: held locks, each followed by the waiters blocked on it ("->"). */
export function parseLocks(text: string | null): FileLock[] {
  const out: FileLock[] = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):\s+((?:->\s*)*)(\S+)\s+(\S+)\s+(\S+)\s+(-?\d+)\s+([0-9a-f]+:[0-9a-f]+:\d+)\s+(\S+\s+\S+)/.exec(line);
    if (!m) continue;
    out.push({
      id: Number(m[1]),
      depth: (m[2]!.match(/->/g) ?? []).length,
      type: m[3]!,
      mode: m[4]!,
      access: m[5]!,
      pid: Number(m[6]),
      file: m[7]!,
      range: m[8]!,
    });
  }
  return out;
}

/** The lock each blocked waiter (depth > 0) waits for: the nearest line above it one level up with its id. */
export function blockerOf(locks: FileLock[], waiter: FileLock): FileLock | undefined {
  const i = locks.indexOf(waiter);
  for (let j = i - 1; j >= 0; j--) {
    const l = locks[j]!;
    if (l.id === waiter.id && l.depth === waiter.depth - 1) return l;
  }
  return undefined;
}
