// Native backtraces of stuck processes, where the machine has a tool for it
// (eu-stack from elfutils, or gdb). Optional evidence: the diagnosis never
// depends on it, and its absence is reported, not an error.
import { execaModule } from '../system/lazy.js';
import { findOnPath } from '../system/tools.js';
import type { StackCapture } from './types.js';

export function stackTool(): { name: 'eu-stack' | 'gdb'; path: string } | null {
  const eu = findOnPath('eu-stack');
  if (eu) return { name: 'eu-stack', path: eu };
  const gdb = findOnPath('gdb');
  return gdb ? { name: 'gdb', path: gdb } : null;
}

async function one(tool: NonNullable<ReturnType<typeof stackTool>>, pid: number, timeoutMs: number) {
  const args =
    tool.name === 'gdb'
      ? ['-nx', '-batch', '-iex', 'set debuginfod enabled off', '-ex', 'set pagination off', '-ex', 'thread apply all bt', '-p', String(pid)]
      : ['-p', String(pid)];
  const r = await execaModule().execa(tool.path, args, {
    reject: false,
    timeout: timeoutMs,
    env: { DEBUGINFOD_URLS: '' },
    stdin: 'ignore',
    maxBuffer: 4 << 20,
  });
  const text = String(r.stdout ?? '')
    .split('\n')
    .filter((l) => tool.name !== 'gdb' || /^(Thread |#\d+ )/.test(l))
    .join('\n');
  const error = r.timedOut ? `${tool.name} timed out after ${timeoutMs} ms` : text ? null : String(r.stderr ?? '').split('\n')[0] || `${tool.name} exited ${r.exitCode}`;
  return { pid, text, error };
}

/**
 * Backtraces of `pids`, two at a time. A ptrace attach interrupts a blocked
 * futex wait; the kernel restarts it, re-reads the futex word, and returns
 * EAGAIN if the word changed meanwhile -- which can wake a thread that a lost
 * wake-up left asleep. Callers that must not disturb a hang freeze it first.
 */
export async function captureStacks(pids: number[], timeoutMs: number, why: string | null): Promise<StackCapture> {
  if (why) return { tool: null, skipped: why, traces: [] };
  const tool = stackTool();
  if (!tool) return { tool: null, skipped: 'neither eu-stack nor gdb is installed', traces: [] };
  const traces: StackCapture['traces'] = [];
  const queue = [...pids];
  const lane = async () => {
    for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
      traces.push(await one(tool, pid, timeoutMs));
    }
  };
  await Promise.all([lane(), lane()]);
  traces.sort((a, b) => pids.indexOf(a.pid) - pids.indexOf(b.pid));
  return { tool: tool.name, skipped: null, traces };
}
