// The process tree of one soaked command and what it leaves in /dev/shm.
//
// The tree is the shim's descendants (native/command_shim.c): the command and
// everything it started, orphans included, since the shim is their subreaper.
// It is walked through /proc/PID/task/TID/children, so that watching a tree
// reads the tree's own files, not every process on the machine; a kernel
// without those files gets the full /proc scan of descendantsOf.
import { readdirSync, readFileSync } from 'node:fs';
import { descendantsOf } from '../../procfs/capture.js';
import { parseStat } from '../../procfs/decode.js';

export interface TreeProcess {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function childrenOf(pid: number): number[] | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // gone
  }
  const out: number[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && tid === String(pid) && !out.length) return null; // no such file on this kernel
      continue;
    }
    for (const c of text.split(' ')) if (c.trim()) out.push(Number(c));
  }
  return out;
}

/** Every live descendant of the shim, parents before children. */
export function treePids(shim: number): number[] {
  const out: number[] = [];
  const queue = [shim];
  while (queue.length) {
    const kids = childrenOf(queue.shift()!);
    if (kids === null) return descendantsOf(shim).map((p) => p.pid);
    out.push(...kids);
    queue.push(...kids);
  }
  return out;
}

/** The tree as a report shows it: the command first, then every other process of the shim's. */
export function treeOf(shim: number | null, root: number, command: string[]): TreeProcess[] {
  const pids = shim === null ? [] : treePids(shim).filter((p) => p !== root);
  const rest = pids.flatMap((pid) => {
    try {
      const st = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      if (!st || st.state === 'Z' || st.state === 'X') return [];
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      return [{ pid, ppid: st.ppid, comm: st.comm, cmdline }];
    } catch {
      return []; // gone
    }
  });
  return [{ pid: root, ppid: shim ?? 0, comm: command[0]!, cmdline: command.join(' ') }, ...rest];
}

/** CPU ticks the processes used so far (those gone count nothing). */
export function cpuOf(pids: number[]): number {
  let sum = 0;
  for (const pid of pids)
    try {
      sum += parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.cpuTicks ?? 0;
    } catch {
      // gone
    }
  return sum;
}
