// Helpers for tests that drive the real CLI, real processes and real segments.
import { execa, type Options } from 'execa';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendantsOf } from '../src/core/procfs/capture.js';
import { nodeWorkerPath, workerPath } from '../src/core/system/paths.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'main.js');
export const WORKER = workerPath();
export const NODE_WORKER = nodeWorkerPath();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: Options = {}): Promise<CliResult> {
  const r = await execa(process.execPath, [CLI, ...args], { reject: false, env: { NO_COLOR: '1', FORCE_COLOR: undefined }, ...opts });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** A fresh folder inside the suite's one temporary folder, which the global teardown removes. */
/** Names the suite's one temporary folder, made by the global setup for every test worker. */
export const TEST_TMP_ENV = 'MVAR_REPRO_TEST_TMP';

/** A new folder inside the suite's one temporary folder, which the global teardown removes. */
export function tmp(prefix = 'mvar-repro-test-'): string {
  const root = process.env[TEST_TMP_ENV];
  // Falling back to the system temp folder is how earlier runs leaked folders there.
  if (!root) throw new Error(`${TEST_TMP_ENV} is unset: tests run under vitest, whose global setup makes the folder`);
  return mkdtempSync(join(root, prefix));
}

/** Our segments currently in /dev/shm. */
export function shmEntries(): string[] {
  return readdirSync('/dev/shm').filter((n) => n.startsWith('mvar-repro-'));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is dead for our purposes.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Names this suite's run in the environment of every process it starts
 * (children inherit it through the CLI, the fork server and the programs they
 * run), so that leftovers are judged by whose they are, not by their name:
 * another suite or a user's own mvar-repro may run beside this one.
 */
export const TEST_RUN_ENV = 'MVAR_REPRO_TEST_RUN';

/** This suite's processes of this project still running: named like ours, and started under this run's marker. */
export function projectProcesses(): { pid: number; cmdline: string }[] {
  const marker = process.env[TEST_RUN_ENV];
  const found: { pid: number; cmdline: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const cmdline = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ');
      const comm = readFileSync(`/proc/${d}/comm`, 'utf8').trim();
      if (!(/mvar-worker|node-worker\.js/.test(cmdline) || /^mvar-(master|slave)/.test(comm))) continue;
      if (marker && !readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(`${TEST_RUN_ENV}=${marker}`)) continue;
      if (alive(Number(d))) found.push({ pid: Number(d), cmdline: `${comm}: ${cmdline}` });
    } catch {
      // gone, or not ours to read (another user's: not this suite's)
    }
  }
  return found;
}

export async function until(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** pids of every live descendant of pid. */
export function descendants(pid: number): number[] {
  return descendantsOf(pid).map((p) => p.pid);
}

/** Report folders under dir (run folders hold a report.json). */
export function runFolders(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.') && n !== 'baselines')
      .map((n) => join(dir, n))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A small tmpfs mounted for a test (a full disk, a read-only file system), or
 * null with the reason when this machine does not allow mounting (not root).
 */
export async function smallTmpfs(options: string): Promise<{ dir: string; unmount: () => Promise<void> } | { skip: string }> {
  const dir = tmp('mvar-repro-test-mnt-');
  const r = await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { reject: false });
  if (r.exitCode !== 0) return { skip: `cannot mount a tmpfs here: ${String(r.stderr).trim() || `exit ${r.exitCode}`}` };
  return { dir, unmount: async () => void (await execa('umount', [dir], { reject: false })) };
}

/**
 * The argv prefix that runs a command in a mount namespace of its own with a
 * fresh tmpfs of `size` on /dev/shm (hostile entries and a small /dev/shm
 * without touching the machine's, which other programs share), or the reason
 * this machine does not allow it (not root, no unshare).
 */
export async function privateShm(size: string): Promise<{ prefix: string[] } | { skip: string }> {
  const script = `mount -t tmpfs -o size=${size},mode=1777 tmpfs /dev/shm && exec "$@"`;
  const prefix = ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh'];
  const r = await execa(prefix[0]!, [...prefix.slice(1), 'true'], { reject: false });
  if (r.exitCode !== 0) return { skip: `cannot mount a private /dev/shm here: ${String(r.stderr).trim() || `exit ${r.exitCode}`}` };
  return { prefix };
}
