// After the whole suite: no process and no /dev/shm segment of the project
// may remain. A leftover fails the run.
import { projectProcesses, shmEntries, until } from './helpers.js';

export async function teardown(): Promise<void> {
  // Let SIGKILLed processes be reaped by their parents.
  await until(() => projectProcesses().length === 0 && shmEntries().length === 0, 3000, 50);
  const procs = projectProcesses();
  const shm = shmEntries();
  if (procs.length || shm.length)
    throw new Error(
      `leftovers after the test suite: processes ${JSON.stringify(procs)}; /dev/shm ${JSON.stringify(shm)}`,
    );
}
