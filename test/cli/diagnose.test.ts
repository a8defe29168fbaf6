// Diagnosis live: our own hangs through `run`, staged faults, and programs
// this tool did not start through `diagnose PID...`.
import { execa, type ResultPromise } from 'execa';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../../src/core/system/tools.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/core/report/types.js';
import { cli, readJson, ROOT, runFolders, tmp } from '../helpers.js';

const runReport = async (args: string[], stacks = '0') => {
  const dir = tmp();
  const r = await cli(['run', ...args, '--report-dir', dir, '--stacks', stacks]);
  const [folder] = runFolders(dir);
  return { r, folder: folder!, rep: readJson<RunReport>(join(folder!, 'report.json')) };
};

describe('run embeds the diagnosis', () => {
  it('original, 50 slaves: each stuck process is private-futex-on-shared-memory with its field', async () => {
    const { r, rep } = await runReport(['50', '--variant', 'original', '--timeout', '3s'], '2');
    expect(r.code).toBe(1);
    const d = rep.diagnosis!;
    // Stacks are extra evidence where a debugger is installed, and say why when not.
    if (findOnPath('eu-stack') || findOnPath('gdb')) {
      expect(d.stacks.traces).toHaveLength(2);
      expect(d.stacks.traces.some((t) => /pthread_cond|futex/.test(t.text))).toBe(true);
    } else expect(d.stacks.skipped).toMatch(/not installed/);
    const f = d.findings.find((x) => x.kind === 'private-futex-on-shared-memory')!;
    expect(f.pids.length).toBeGreaterThan(0);
    expect(r.stdout).toContain(f.summary);
    for (const p of rep.processes.filter((x) => x.classification === 'stuck')) {
      const dp = d.processes.find((x) => x.pid === p.pid)!;
      expect(dp.kind).toBe('private-futex-on-shared-memory');
      expect(dp.threads.some((t) => /^mvar\.(mutex|canPut|canTake)\./.test(t.futex?.field ?? ''))).toBe(true);
    }
    expect(d.glibc.version).toBe(rep.environment.glibc);
  });

  // [fault, finding, proven before the deadline]: a stopped process may still be continued, so it is not.
  const faults: [string, string, boolean][] = [
    ['kill-holder-nonrobust', 'owner-died', true],
    ['lose-value', 'no-waker', true],
    ['stop-slave', 'stopped', false],
    ['abba', 'deadlock-cycle', true],
  ];
  for (const [fault, kind, proven] of faults) {
    it(`--fault ${fault} produces ${kind}, ${proven ? 'proven before the deadline' : 'called at the deadline'}`, async () => {
      const { r, rep } = await runReport(['6', '--fault', fault, '--timeout', '3s']);
      expect(r.code).toBe(1);
      expect(rep.config).toMatchObject({ variant: 'fixed', fault });
      expect(rep.diagnosis!.findings.map((f) => f.kind)).toContain(kind);
      expect(rep.diagnosis!.findings.map((f) => f.kind)).not.toContain('private-futex-on-shared-memory');
      if (proven) {
        expect(rep.timing.proof, rep.summary).toBeTruthy();
        expect(rep.timing.proof!.provenAtMs).toBeLessThan(3000);
        expect(rep.summary).toMatch(/^hang: proven after /);
      } else {
        expect(rep.timing.proof).toBeNull();
        expect(rep.timing.wallMs).toBeGreaterThanOrEqual(3000);
        expect(rep.diagnosis!.proven).toBe(false);
      }
    });
  }

  it('--fault kill-holder recovers through EOWNERDEAD and completes with exit 0', async () => {
    const { r, rep } = await runReport(['6', '--fault', 'kill-holder', '--timeout', '5s']);
    expect(r.code).toBe(0);
    expect(rep.verdict).toBe('completed');
    expect(rep.stats.ownerDied).toBeGreaterThanOrEqual(1);
    const victim = rep.processes.find((p) => p.role === 'slave' && p.id === 1)!;
    expect(victim).toMatchObject({ classification: 'killed', expectedByFault: true });
  });

  it('report show --all prints the findings and the last events of each stuck process', async () => {
    const { folder, rep } = await runReport(['4', '--fault', 'stop-slave', '--timeout', '3s']);
    const r = await cli(['report', 'show', folder, '--all']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(rep.diagnosis!.findings[0]!.summary);
    const stuck = rep.processes.filter((p) => p.classification === 'stuck');
    for (const p of stuck) expect(r.stdout).toContain(`last events of ${p.role === 'master' ? 'master' : `slave ${p.id}`} (pid ${p.pid}`);
  });
});

describe('diagnose PID... on programs this tool did not start', () => {
  let helper: string;
  beforeAll(async () => {
    helper = join(tmp(), 'private-cond');
    await execa('cc', ['-O2', '-o', helper, join(ROOT, 'test', 'c', 'private-cond.c'), '-lpthread']);
  });
  const procs: ResultPromise[] = [];
  afterAll(async () => {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.allSettled(procs);
  });
  const start = async (args: string[]) => {
    const sub = execa(helper, args, { reject: false });
    procs.push(sub);
    const line = await new Promise<string>((r) => sub.stdout!.once('data', (d) => r(String(d))));
    await new Promise((r) => setTimeout(r, 400)); // the parent has signalled by now
    return { sub, pids: line.trim().split(' ').map(Number) as [number, number] };
  };

  it('a zero-initialised condvar in shared memory, signalled from another process: private-futex-on-shared-memory', async () => {
    const { pids } = await start([]);
    const r = await cli(['diagnose', ...pids.map(String), '--json']);
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    const f = d.findings.find((x: { kind: string }) => x.kind === 'private-futex-on-shared-memory');
    expect(f.pids).toEqual([pids[1]]);
    expect(d.findings).toHaveLength(1);
    const human = await cli(['diagnose', ...pids.map(String)]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/^private-futex-on-shared-memory: /m);
  });

  it('healthy processes: no finding, exit 0', async () => {
    const sleeper = execa('sleep', ['30'], { reject: false });
    const idleNode = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { reject: false });
    procs.push(sleeper, idleNode);
    await new Promise((r) => setTimeout(r, 300));
    const r = await cli(['diagnose', String(sleeper.pid), String(idleNode.pid), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
  });

  it('without eu-stack or gdb, --stacks says why it skipped them and the finding stands', async () => {
    const { pids } = await start([]);
    const r = await cli(['diagnose', ...pids.map(String), '--stacks', '--json'], { env: { PATH: tmp('mvar-repro-empty-path-') }, extendEnv: false });
    expect(r.code, r.stderr).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.stacks).toMatchObject({ tool: null, skipped: 'neither eu-stack nor gdb is installed', traces: [] });
    expect(d.findings[0].kind).toBe('private-futex-on-shared-memory');
  });

  it('the helper’s process-shared control wakes and exits: the missing pshared attribute alone causes the hang', async () => {
    const sub = execa(helper, ['shared'], { reject: false });
    const res = await sub;
    expect(res.exitCode).toBe(0);
  });

  it('a thread id, or a pid given twice, names its process once (a tid is not a second process)', async () => {
    const idleNode = execa(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { reject: false });
    procs.push(idleNode);
    await new Promise((r) => setTimeout(r, 300));
    const pid = idleNode.pid!;
    const tid = readdirSync(`/proc/${pid}/task`).map(Number).find((t) => t !== pid)!; // node runs V8's worker threads
    const given = [tid, pid, pid].map(String);
    const r = await cli(['diagnose', ...given, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { processes: { pid: number }[] }).processes.map((p) => p.pid)).toEqual([pid]);
    expect((await cli(['diagnose', ...given, '--only'])).stdout).toContain(`${tid}: a thread of pid ${pid}`);
  });

  it('usage and inspection errors', async () => {
    expect((await cli(['diagnose', 'abc'])).code).toBe(2);
    const gone = await cli(['diagnose', '999999999']);
    expect(gone.code).toBe(3);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
  });
});
