// Around the whole suite. Before: one temporary folder for everything the
// tests write (handed to every test worker through the environment). After:
// no process and no /dev/shm segment of the project may remain, and the
// temporary folder is removed, and no other project folder may have appeared
// in the system's temporary folder; a leftover fails the run.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectProcesses, shmEntries, TEST_TMP_ENV, until } from './helpers.js';

const RUN_PREFIX = 'mvar-repro-test-run-';
/** Project folders in the system's temporary folder; another suite's root (a concurrent run) is not ours to judge. */
const tempFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mvar-repro-') && !n.startsWith(RUN_PREFIX));
let before = new Set<string>();

export function setup(): void {
  before = new Set(tempFolders());
  process.env[TEST_TMP_ENV] = mkdtempSync(join(tmpdir(), RUN_PREFIX));
}

export async function teardown(): Promise<void> {
  // Let SIGKILLed processes be reaped by their parents.
  await until(() => projectProcesses().length === 0 && shmEntries().length === 0, 3000, 50);
  const procs = projectProcesses();
  const shm = shmEntries();
  const root = process.env[TEST_TMP_ENV];
  if (root) rmSync(root, { recursive: true, force: true });
  const folders = tempFolders().filter((n) => !before.has(n));
  if (procs.length || shm.length || folders.length) {
    // vitest only logs an error thrown here ("error during close") and still exits 0.
    process.exitCode = 1;
    throw new Error(`leftovers after the test suite: processes ${JSON.stringify(procs)}; /dev/shm ${JSON.stringify(shm)}; ${tmpdir()} ${JSON.stringify(folders)}`);
  }
}
