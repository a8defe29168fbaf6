// Staged programs for the diagnosis tests (test/c/*.c): compiled once per
// test file into the suite's temporary folder, started as a scenario that
// prints "ready PID..." once set up, and stopped at the end (SIGTERM first,
// then SIGKILL to the process group; a System V semaphore set it printed as
// "semid N" is removed, since no process removes it on being killed).
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import type { Diagnosis } from '../src/core/diagnosis/types.js';
import { chmodSync } from 'node:fs';
import { cli, CLI, ROOT, TEST_TMP_ENV, tmp } from './helpers.js';

export interface Staged {
  /** Starts a scenario; resolves with the pids it printed once it is set up. */
  start(...args: string[]): Promise<number[]>;
  /** Ends every scenario started (and its process group). */
  stopAll(): Promise<void>;
  readonly path: string;
}

/** `shared`: compiled where another user may run it too (the folder and the suite's root traversable by all). */
export async function staged(source: string, opts: { shared?: boolean } = {}): Promise<Staged> {
  const dir = tmp();
  if (opts.shared) {
    chmodSync(process.env[TEST_TMP_ENV]!, 0o711);
    chmodSync(dir, 0o755);
  }
  const path = join(dir, source.replace(/\.c$/, ''));
  await execa('cc', ['-O2', '-o', path, join(ROOT, 'test', 'c', source), '-lpthread', '-lrt']);
  const running: ResultPromise[] = [];
  const semids: string[] = [];
  return {
    path,
    async start(...args: string[]) {
      const sub = execa(path, args, { reject: false });
      running.push(sub);
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        let isReady = false;
        sub.stdout!.on('data', (d) => {
          if (isReady) return;
          text += String(d);
          if (/ready[^\n]*\n/.test(text)) {
            isReady = true;
            semids.push(...[...text.matchAll(/semid (\d+)/g)].map((m) => m[1]!));
            resolve(/ready([^\n]*)\n/.exec(text)![1]!);
          }
        });
        sub.once('exit', () => reject(new Error(`${args[0]} exited before it was ready`)));
      });
      return line.trim().split(' ').map(Number);
    },
    async stopAll() {
      for (const p of running) p.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      for (const p of running) {
        p.kill('SIGKILL');
        try {
          if (p.pid) process.kill(-p.pid, 'SIGKILL');
        } catch {
          // the group is gone
        }
      }
      await Promise.allSettled(running);
      for (const id of semids.splice(0)) await execa('ipcrm', ['-s', id], { reject: false });
    },
  };
}

/**
 * `diagnose PIDS --json` (two samples 100 ms apart: what a thread did between
 * them is the evidence, not how long it was watched), and with `human` the
 * human output of the same, which costs a second run.
 */
export async function diagnoseBoth(pids: number[], extra: string[] = [], opts: { human?: boolean } = {}): Promise<{ code: number; d: Diagnosis; human: string; stderr: string }> {
  const args = ['diagnose', ...pids.map(String), '--samples', '2', '--interval', '100ms', ...extra];
  const r = await cli([...args, '--json']);
  const human = opts.human ? (await cli(args)).stdout : '';
  return { code: r.code, d: JSON.parse(r.stdout || 'null') as Diagnosis, human, stderr: r.stderr };
}

/** Why a test that runs as user nobody cannot, or null when it can (root, and nobody may read the CLI). */
export async function nobodyCannot(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'needs root to run a program as user nobody';
  const r = await execa('runuser', ['-u', 'nobody', '--', 'test', '-r', CLI], { reject: false });
  return r.exitCode === 0 ? null : `user nobody cannot read ${CLI} (the checkout is not readable by other users)`;
}

/** Runs a command as user nobody. */
export const asNobody = (file: string, args: string[]) => execa('runuser', ['-u', 'nobody', '--', file, ...args], { reject: false });

export const kindOf = (d: Diagnosis, pid: number): string | null => d.processes.find((p) => p.pid === pid)?.kind ?? null;
