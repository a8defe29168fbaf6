// Raw reads of /proc for a process and all its threads. Captures are not
// decoded here (procfs-decode.ts does that, on this text or on recorded
// text), and nothing throws: a file that cannot be read is recorded with the
// reason. descendantsOf walks the live process tree.
import { readdirSync, readFileSync } from 'node:fs';
import { parseStat } from './decode.js';

export interface TaskRaw {
  tid: number;
  stat: string | null;
  wchan: string | null;
  syscall: string | null;
  /** Per-thread status (context switches); null when not asked for or unreadable. */
  status: string | null;
}

export interface ProcRaw {
  pid: number;
  /** process.hrtime (CLOCK_MONOTONIC) ns when the capture started. */
  takenAtNs: number;
  comm: string | null;
  cmdline: string | null;
  status: string | null;
  maps: string | null;
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

export function captureProc(pid: number, opts: { maps?: boolean; taskStatus?: boolean } = {}): ProcRaw {
  const errors: string[] = [];
  const base = `/proc/${pid}`;
  const raw: ProcRaw = {
    pid,
    takenAtNs: Number(process.hrtime.bigint()),
    comm: readOr(`${base}/comm`, errors, 'comm')?.trim() ?? null,
    cmdline: readOr(`${base}/cmdline`, errors, 'cmdline')?.split('\0').filter(Boolean).join(' ') ?? null,
    status: readOr(`${base}/status`, errors, 'status'),
    maps: opts.maps === false ? null : readOr(`${base}/maps`, errors, 'maps'),
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

/** pid, ppid, comm and command line of every live descendant of pid (not pid itself). */
export function descendantsOf(pid: number): { pid: number; ppid: number; comm: string; cmdline: string }[] {
  const all: { pid: number; ppid: number; comm: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = parseStat(readFileSync(`/proc/${d}/stat`, 'utf8'));
      if (st && st.state !== 'Z') all.push({ pid: st.pid, ppid: st.ppid, comm: st.comm });
    } catch {
      // gone
    }
  }
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
      out.push({ ...c, cmdline });
      queue.push(c.pid);
    }
  }
  return out;
}
