// Around the whole suite. Before: one temporary folder for everything the
// tests write (handed to every test worker through the environment). After:
// no process and no /dev/shm segment of the project may remain, and the
// temporary folder is removed; a leftover fails the run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectProcesses, shmEntries, until } from './helpers.js';

export const TEST_TMP_ENV = 'MVAR_REPRO_TEST_TMP';

export function setup(): void {
  process.env[TEST_TMP_ENV] = mkdtempSync(join(tmpdir(), 'mvar-repro-test-run-'));
}

export async function teardown(): Promise<void> {
  // Let SIGKILLed processes be reaped by their parents.
  await until(() => projectProcesses().length === 0 && shmEntries().length === 0, 3000, 50);
  const procs = projectProcesses();
  const shm = shmEntries();
  const root = process.env[TEST_TMP_ENV];
  if (root) rmSync(root, { recursive: true, force: true });
  if (procs.length || shm.length)
    throw new Error(`leftovers after the test suite: processes ${JSON.stringify(procs)}; /dev/shm ${JSON.stringify(shm)}`);
}
