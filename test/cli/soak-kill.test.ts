// SIGKILL of the CLI, at random moments, must take every process it started
// with it: the command server, the shims, the soaked or checked program and
// its grandchildren, including one in a session of its own that ignores
// SIGTERM. Judged by a marker each try puts in the CLI's environment (every
// process of the run inherits it), never by names: other programs named like
// ours may run beside the suite.
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, CLI, tmp, until } from '../helpers.js';

/** Processes whose environment holds NAME=VALUE, alive (zombies are dead). */
function marked(entry: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(entry)) continue;
      if (alive(Number(d))) found.push({ pid: Number(d), cmdline: readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** A tree: a child in the command's group, a grandchild in a session of its own, and a shell that ignores SIGTERM. */
const TREE = 'sleep 300 & setsid sh -c "sleep 300 & wait" & trap "" TERM; sleep 300 & wait';

async function killAtRandom(args: (dir: string) => string[], maxDelayMs: number): Promise<{ survivors: { pid: number; cmdline: string }[]; leftFiles: string[]; delayMs: number }> {
  const dir = tmp();
  const entry = `MVAR_REPRO_KILL_TEST=${randomBytes(6).toString('hex')}`;
  const [name, value] = entry.split('=') as [string, string];
  const sub = execa(process.execPath, [CLI, ...args(dir)], { reject: false, env: { NO_COLOR: '1', [name]: value } });
  const delayMs = Math.round(Math.random() * maxDelayMs);
  await new Promise((r) => setTimeout(r, delayMs));
  sub.kill('SIGKILL');
  await sub;
  // The server notices at once (a pidfd on the CLI); its shims end their trees within milliseconds.
  await until(() => marked(entry).length === 0, 5000, 50);
  const survivors = marked(entry);
  for (const p of survivors)
    try {
      process.kill(p.pid, 'SIGKILL'); // not to leave them to the next test; the assertion fails anyway
    } catch {
      // gone
    }
  return { survivors, leftFiles: readdirSync(dir).filter((n) => n !== 'reports'), delayMs };
}

describe('SIGKILL of the CLI', () => {
  it('soak -- COMMAND: killed at random moments, no process of the run survives, grandchildren included', async () => {
    const tries = await Promise.all(
      [0, 1].map(async () => {
        const out = [];
        for (let i = 0; i < 6; i++)
          out.push(await killAtRandom((dir) => ['soak', '--iterations', '1000', '--timeout', '2s', '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'reports'), '--', 'sh', '-c', TREE], 2500));
        return out;
      }),
    );
    for (const t of tries.flat()) {
      expect(t.survivors, `killed after ${t.delayMs} ms`).toEqual([]);
      // The JUnit file is whole or absent: no temporary file beside it.
      expect(t.leftFiles.filter((n) => n !== 'j.xml'), `killed after ${t.delayMs} ms`).toEqual([]);
    }
  }, 120_000);

  it('check -- COMMAND: killed at random moments, no process of the run survives', async () => {
    for (let i = 0; i < 5; i++) {
      const t = await killAtRandom(() => ['check', '--timeout', '30s', '--', 'sh', '-c', TREE], 1500);
      expect(t.survivors, `killed after ${t.delayMs} ms`).toEqual([]);
    }
  }, 120_000);
});
