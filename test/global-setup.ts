// Around the whole suite. Before: one temporary folder for everything the
// tests write (handed to every test worker through the environment), and a
// marker every process the suite starts inherits. After: no process of this
// suite (by the marker) and no /dev/shm segment that appeared during the run
// may remain, the temporary folder is removed, and no other project folder
// may have appeared in the system's temporary folder; a leftover fails the
// run. Judging by the marker and by what is new lets the suite pass beside
// another suite or a user's own mvar-repro runs.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { projectProcesses, shmEntries, TEST_RUN_ENV, TEST_TMP_ENV, until } from './helpers.js';

const RUN_PREFIX = 'mvar-repro-test-run-';
/** Project folders in the system's temporary folder; another suite's root (a concurrent run) is not ours to judge. */
const tempFolders = () => readdirSync(tmpdir()).filter((n) => n.startsWith('mvar-repro-') && !n.startsWith(RUN_PREFIX));
let before = new Set<string>();
let shmBefore = new Set<string>();
/** Segments that appeared during the run (one that was there before is not this suite's). */
const newShm = () => shmEntries().filter((n) => !shmBefore.has(n));

export function setup(): void {
  before = new Set(tempFolders());
  shmBefore = new Set(shmEntries());
  process.env[TEST_TMP_ENV] = mkdtempSync(join(tmpdir(), RUN_PREFIX));
  process.env[TEST_RUN_ENV] = randomBytes(8).toString('hex');
}

export async function teardown(): Promise<void> {
  // Let SIGKILLed processes be reaped by their parents.
  await until(() => projectProcesses().length === 0 && newShm().length === 0, 3000, 50);
  const procs = projectProcesses();
  // Segments are unlinked the instant they exist: one still listed a moment later, again, is a leak.
  const first = newShm();
  await new Promise((r) => setTimeout(r, 100));
  const shm = newShm().filter((n) => first.includes(n));
  const root = process.env[TEST_TMP_ENV];
  if (root) rmSync(root, { recursive: true, force: true });
  const folders = tempFolders().filter((n) => !before.has(n));
  if (procs.length || shm.length || folders.length) {
    // vitest only logs an error thrown here ("error during close") and still exits 0.
    process.exitCode = 1;
    throw new Error(`leftovers after the test suite: processes ${JSON.stringify(procs)}; /dev/shm ${JSON.stringify(shm)}; ${tmpdir()} ${JSON.stringify(folders)}`);
  }
}
