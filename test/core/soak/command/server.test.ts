// The command server (native/commands.c) through its client: real commands,
// real trees, real pipes.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CommandServer } from '../../../../src/core/soak/command/server.js';
import { alive, until } from '../../../helpers.js';

const server = new CommandServer();
afterAll(() => server.close());

/** Live processes whose environment holds entry. */
function marked(entry: string): number[] {
  return readdirSync('/proc').flatMap((d) => {
    try {
      return /^\d+$/.test(d) && readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').includes(entry) && alive(Number(d)) ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

describe('command server', () => {
  it('arguments and environment arrive byte for byte: spaces, %, empty, newlines, UTF-8', async () => {
    const args = ['a b', '%41%', '', 'x\ny', 'é ü', '\t'];
    const c = await server.spawn(['sh', '-c', 'for a; do printf "[%s]" "$a"; done; printf "{%s}" "$X"', 'sh', ...args], { X: 'v=1 %20 é' });
    const e = await c.exit;
    expect(e).toMatchObject({ code: 0, signal: null, stderrTail: '' });
    expect(e.stdoutTail).toBe(`${args.map((a) => `[${a}]`).join('')}{v=1 %20 é}`);
  });

  it('keeps the last 16 KiB of each stream; says the exit code, the signal, and why a command could not run', async () => {
    const big = await (await server.spawn(['sh', '-c', 'head -c 100000 /dev/zero | tr "\\0" a; printf END; echo oops >&2; exit 7'], {})).exit;
    expect(big.code).toBe(7);
    expect(big.stdoutTail).toHaveLength(16 * 1024);
    expect(big.stdoutTail.endsWith('aaaEND')).toBe(true);
    expect(big.stderrTail).toBe('oops\n');
    expect((await (await server.spawn(['sh', '-c', 'kill -SEGV $$'], {})).exit).signal).toBe('SIGSEGV');
    const missing = await (await server.spawn(['/no/such/program'], {})).exit;
    expect(missing.code).toBe(127);
    expect(missing.stderrTail).toMatch(/cannot run \/no\/such\/program/);
  });

  it('the command is in a group of its own; the exit comes once the whole tree is gone, orphans included', async () => {
    const c = await server.spawn(['sh', '-c', '(sleep 0.3; echo late) & echo "$$ $(ps -o pgid= $$)"'], {});
    const e = await c.exit;
    const [pid, pgid] = e.stdoutTail.trim().split('\n')[0]!.trim().split(/\s+/).map(Number);
    expect(pid).toBe(c.pid);
    expect(pgid).toBe(c.pid);
    expect(e.stdoutTail).toMatch(/late\n$/);
  });

  it('kill() ends the tree: the group, a grandchild in its own session, one that ignores SIGTERM', async () => {
    const entry = `MVAR_REPRO_SERVER_TEST=${randomBytes(6).toString('hex')}`;
    const [k, v] = entry.split('=') as [string, string];
    const c = await server.spawn(['sh', '-c', 'sleep 300 & setsid sh -c "sleep 300 & wait" & trap "" TERM; sleep 300 & wait'], { [k]: v });
    expect(await until(() => marked(entry).length >= 5, 5000)).toBe(true);
    c.kill();
    const e = await c.exit;
    expect(e.signal).toBe('SIGKILL');
    expect(marked(entry)).toEqual([]);
  });

  it('a command starts with no signal ignored or blocked, whatever the server and the shim ignore', async () => {
    const e = await (await server.spawn(['grep', '-E', '^Sig(Ign|Blk):', '/proc/self/status'], {})).exit;
    expect(e.stdoutTail).toBe('SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n');
  });

  it('many commands at once, each its own', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => server.spawn(['sh', '-c', `echo ${i}; exit ${i % 3}`], {}).then((c) => c.exit)));
    expect(runs.map((e) => [e.code, e.stdoutTail])).toEqual(Array.from({ length: 20 }, (_, i) => [i % 3, `${i}\n`]));
  });
});
