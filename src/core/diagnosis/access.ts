// Why a process could not be read, and what to do about it. Most of what the
// diagnosis needs (a thread's system call, its memory, its descriptors and
// maps) the kernel shows only to a caller allowed to ptrace the process:
//   - another user's process: only root (CAP_SYS_PTRACE) may;
//   - a process that is not dumpable (set-user-ID, changed credentials,
//     prctl(PR_SET_DUMPABLE, 0)): only root, and the files in its /proc/PID
//     (status, syscall, mem, fd) are then owned by root whatever user runs it,
//     which is how it is recognised here;
//   - Yama's kernel.yama.ptrace_scope = 1 (stock Ubuntu): only the process's
//     ancestors, so a user cannot read its own process started elsewhere.
// What stays readable to anyone (stat, status: thread states and context
// switches) still says which threads are blocked and whether they move.
import { readFileSync, statSync } from 'node:fs';
import type { ProcRaw } from '../procfs/capture.js';
import { parseStatus } from '../procfs/decode.js';

export interface AccessProblem {
  /** One line: why, and the remedy. */
  why: string;
}

function ptraceScope(): number | null {
  try {
    return Number(readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim());
  } catch {
    return null; // no Yama
  }
}

/** Whether pid descends from this process (Yama scope 1 lets a process read its descendants). */
function isDescendant(pid: number): boolean {
  for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
    try {
      const ppid = Number(parseStatus(readFileSync(`/proc/${p}/status`, 'utf8')).PPid);
      if (ppid === process.pid) return true;
      p = ppid;
    } catch {
      return false;
    }
  }
  return false;
}

/** Why the ptrace-guarded parts of pid could not be read, with the remedy; null when they could. */
export function accessProblem(raw: ProcRaw): AccessProblem | null {
  const denied = raw.errors.some((e) => /permission denied/.test(e));
  if (!denied) return null;
  const me = process.geteuid?.() ?? -1;
  const uid = Number(parseStatus(raw.status).Uid?.split(/\s+/)[0] ?? NaN);
  if (Number.isFinite(uid) && uid !== me && me !== 0)
    return { why: `it belongs to user ${uid} and this tool runs as user ${me}: run it as that user, or with sudo` };
  let procOwner: number | null = null;
  try {
    procOwner = statSync(`/proc/${raw.pid}/status`).uid;
  } catch {
    // gone
  }
  if (procOwner === 0 && uid !== 0)
    return { why: 'it is not dumpable (set-user-ID, changed credentials, or prctl(PR_SET_DUMPABLE, 0)), so only root may read what it waits on: run the diagnosis with sudo' };
  const scope = ptraceScope();
  if (scope !== null && scope >= 1 && !isDescendant(raw.pid))
    return {
      why: `kernel.yama.ptrace_scope = ${scope} lets a user read only processes it started itself: run with sudo, set 'sysctl kernel.yama.ptrace_scope=0', or start the program under 'mvar-repro soak -- COMMAND', which reads it as its parent`,
    };
  return { why: 'permission denied: run the diagnosis with sudo' };
}
