// Raw reads of /proc for a process and all its threads. Captures are not
// decoded here (procfs-decode.ts does that, on this text or on recorded
// text), and nothing throws: a file that cannot be read is recorded with the
// reason. descendantsOf walks the live process tree; allPids and
// liveProcesses list every process /proc shows.
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { parseStat, parseStatus, type Stat } from './decode.js';

export interface TaskRaw {
  tid: number;
  stat: string | null;
  wchan: string | null;
  syscall: string | null;
  /** Per-thread status (context switches); null when not asked for or unreadable. */
  status: string | null;
}

/** One open file descriptor: where it points and how it was opened. */
export interface FdRaw {
  fd: number;
  /** readlink of /proc/PID/fd/N: "pipe:[123]", "socket:[456]", "/tmp/fifo", … */
  target: string;
  /** fdinfo "flags:" (octal text, O_ACCMODE in the low bits), null when unreadable. */
  flags: string | null;
  /** dev:inode of a FIFO it opens (stat through the link), else null. */
  fifo: string | null;
  /** dev:inode of whatever a path target opens (a file, a FIFO, a message queue); absent in older captures. */
  object?: string | null;
  /** The fdinfo lines particular to its kind (eventfd-id, timer settings, epoll tfd:, lock:), bounded; absent in older captures. */
  info?: string | null;
  /** The file system a path target lives on ("mqueue", "ext4", …), from its mount; absent in older captures. */
  fstype?: string | null;
}

export interface ProcRaw {
  pid: number;
  /** process.hrtime (CLOCK_MONOTONIC) ns when the capture started. */
  takenAtNs: number;
  comm: string | null;
  cmdline: string | null;
  status: string | null;
  maps: string | null;
  /** Open descriptors (first MAX_FDS), null when not captured or unreadable. */
  fds?: FdRaw[] | null;
  tasks: TaskRaw[];
  /** "file: reason" for every file that could not be read. */
  errors: string[];
}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOENT' || code === 'ESRCH') return 'process gone';
  return (e as Error).message;
}

function readOr(path: string, errors: string[], label: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    errors.push(`${label}: ${reason(e)}`);
    return null;
  }
}

/** Enough for any program blocked on a pipe or a lock; a process with more is rare, and the rest is said. */
const MAX_FDS = 1024;
/** An epoll watching thousands of descriptors prints a line each: the first 16 KiB (about 200 targets) are kept. */
const MAX_INFO = 16 * 1024;
/** The fdinfo lines every descriptor has; the rest say what kind of object it is (procfs/fdinfo.ts). */
const COMMON = /^(pos|flags|mnt_id|ino):/;

function kindLines(text: string): string | null {
  const lines = text.slice(0, MAX_INFO).split('\n').filter((l) => l && !COMMON.test(l));
  return lines.length ? lines.join('\n') : null;
}

/** mount id -> file system type, from /proc/PID/mountinfo ("36 35 98:0 / /mnt rw - ext4 /dev/x rw"). */
function mountTypes(base: string): Map<number, string> {
  const out = new Map<number, string>();
  try {
    for (const line of readFileSync(`${base}/mountinfo`, 'utf8').split('\n')) {
      const type = / - (\S+) /.exec(line)?.[1];
      if (type) out.set(Number(line.split(' ', 1)[0]), type);
    }
  } catch {
    // unreadable: file system types stay unknown
  }
  return out;
}

function captureFds(base: string, errors: string[]): FdRaw[] | null {
  let names: string[];
  try {
    names = readdirSync(`${base}/fd`);
  } catch (e) {
    errors.push(`fd: ${reason(e)}`);
    return null;
  }
  const fds = names.map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  if (fds.length > MAX_FDS) errors.push(`fd: only the first ${MAX_FDS} of ${fds.length} descriptors read`);
  const out: FdRaw[] = [];
  let mounts: Map<number, string> | undefined;
  for (const fd of fds.slice(0, MAX_FDS)) {
    let target: string;
    try {
      target = readlinkSync(`${base}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    let flags: string | null = null;
    let info: string | null = null;
    let mountId: number | null = null;
    try {
      const text = readFileSync(`${base}/fdinfo/${fd}`, 'utf8');
      flags = /^flags:\s*(\d+)/m.exec(text)?.[1] ?? null;
      mountId = Number(/^mnt_id:\s*(\d+)/m.exec(text)?.[1] ?? NaN);
      info = kindLines(text);
    } catch {
      // closed meanwhile
    }
    let fstype: string | null = null;
    // Only a message queue's name is one component ("/name"): other paths need no mount table.
    if (/^\/[^/]+$/.test(target.replace(/ \(deleted\)$/, '')) && mountId !== null && Number.isFinite(mountId)) fstype = (mounts ??= mountTypes(base)).get(mountId) ?? null;
    let fifo: string | null = null;
    let object: string | null = null;
    if (target.startsWith('/'))
      try {
        const st = statSync(`${base}/fd/${fd}`);
        object = `${st.dev}:${st.ino}`;
        if (st.isFIFO()) fifo = object;
      } catch {
        // gone
      }
    out.push({ fd, target, flags, fifo, object, info, fstype });
  }
  return out;
}

/**
 * `process: false` skips what a later sample does not need (comm, command
 * line, process status): a diagnosis of 500 processes reads each file once.
 */
export function captureProc(pid: number, opts: { maps?: boolean; taskStatus?: boolean; fds?: boolean; process?: boolean } = {}): ProcRaw {
  const errors: string[] = [];
  const base = `/proc/${pid}`;
  const whole = opts.process !== false;
  const raw: ProcRaw = {
    pid,
    takenAtNs: Number(process.hrtime.bigint()),
    comm: whole ? (readOr(`${base}/comm`, errors, 'comm')?.trim() ?? null) : null,
    cmdline: whole ? (readOr(`${base}/cmdline`, errors, 'cmdline')?.split('\0').filter(Boolean).join(' ') ?? null) : null,
    status: whole ? readOr(`${base}/status`, errors, 'status') : null,
    maps: opts.maps === false ? null : readOr(`${base}/maps`, errors, 'maps'),
    fds: opts.fds === false ? null : captureFds(base, errors),
    tasks: [],
    errors,
  };
  let tids: number[] = [];
  try {
    tids = readdirSync(`${base}/task`).map(Number).filter(Number.isInteger).sort((a, b) => a - b);
  } catch (e) {
    errors.push(`task: ${reason(e)}`);
  }
  for (const tid of tids) {
    const t = `${base}/task/${tid}`;
    raw.tasks.push({
      tid,
      stat: readOr(`${t}/stat`, errors, `task/${tid}/stat`),
      wchan: readOr(`${t}/wchan`, errors, `task/${tid}/wchan`),
      syscall: readOr(`${t}/syscall`, errors, `task/${tid}/syscall`)?.trim() ?? null,
      status: opts.taskStatus === false ? null : readOr(`${t}/status`, errors, `task/${tid}/status`),
    });
  }
  return raw;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The processes a list of ids names, once each: a thread id counts as its
 * process (/proc/TID exists though /proc does not list it); an id with no
 * process is `gone`.
 */
export function processesNamed(ids: number[]): { pids: number[]; gone: number[]; threads: { tid: number; pid: number }[] } {
  const pids: number[] = [];
  const gone: number[] = [];
  const threads: { tid: number; pid: number }[] = [];
  const listed = new Set(allPids()); // processes; a thread id is not listed
  for (const id of new Set(ids)) {
    if (!processAlive(id)) {
      gone.push(id);
      continue;
    }
    const tgid = listed.has(id) ? id : Number(parseStatus(readOr(`/proc/${id}/status`, [], 'status')).Tgid);
    const pid = Number.isInteger(tgid) && tgid > 0 ? tgid : id;
    if (pid !== id) threads.push({ tid: id, pid });
    if (!pids.includes(pid)) pids.push(pid);
  }
  return { pids, gone, threads };
}

/** Every process /proc lists now. */
export function allPids(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}

/** stat of every process that is alive now (not a zombie, not dead). */
export function liveProcesses(): Stat[] {
  const out: Stat[] = [];
  for (const pid of allPids())
    try {
      const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (st && st.state !== 'Z' && st.state !== 'X') out.push(st);
    } catch {
      // gone
    }
  return out;
}

/** pid, ppid, comm and command line of every live descendant of pid (not pid itself). */
export function descendantsOf(pid: number): { pid: number; ppid: number; comm: string; cmdline: string }[] {
  const all = liveProcesses();
  const out: { pid: number; ppid: number; comm: string; cmdline: string }[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift();
    for (const c of all.filter((p) => p.ppid === parent)) {
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${c.pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      } catch {
        // gone
      }
      out.push({ pid: c.pid, ppid: c.ppid, comm: c.comm, cmdline });
      queue.push(c.pid);
    }
  }
  return out;
}
