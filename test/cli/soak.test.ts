// soak: JUnit, expectations, any command, shards and merge.
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CommandHangReport, RunReport, SoakSummary } from '../../src/core/report/types.js';
import type { DiffResult } from '../../src/core/trace/diff.js';
import { wilson } from '../../src/core/trace/stats.js';
import { cli, readJson, ROOT, tmp, until } from '../helpers.js';
import { junitCases } from '../junit-xml.js';

describe('soak of mvar-repro runs', () => {
  it('soak 20 --variant fixed --iterations 20 --junit: exit 0, 20 passing testcases, a summary with an interval', async () => {
    const dir = tmp();
    const junit = join(dir, 'j.xml');
    const summary = join(dir, 's.json');
    const r = await cli(['soak', '20', '--variant', 'fixed', '--runtime', 'native', '--iterations', '20', '--junit', junit, '--summary', summary, '--report-dir', join(dir, 'reports')]);
    expect(r.code, r.stderr).toBe(0);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(20);
    expect(xml).not.toMatch(/<failure|<error/);
    expect(xml).toMatch(/<testsuite name="mvar-repro soak" tests="20" failures="0" errors="0"/);
    const s = readJson<SoakSummary>(summary);
    expect(s).toMatchObject({ iterations: 20, passes: 20, hangs: 0, failures: 0, expect: 'none' });
    expect(s.hangRate).toEqual(wilson(0, 20));
    expect(s.iterationsPerMinute).toBeGreaterThan(0);
  });

  it('good iterations are saved only with --save-all, even with an explicit --report-dir', async () => {
    const dir = tmp();
    const plain = await cli(['soak', '5', '--variant', 'fixed', '--iterations', '3', '--report-dir', join(dir, 'a')]);
    expect(plain.code).toBe(0);
    expect(readdirSync(join(dir, 'a'))).toEqual([]);
    const all = await cli(['soak', '5', '--variant', 'fixed', '--iterations', '3', '--save-all', '--report-dir', join(dir, 'b')]);
    expect(all.code).toBe(0);
    expect(readdirSync(join(dir, 'b')).filter((n) => /-completed-/.test(n))).toHaveLength(3);
  });

  it('the original reproducer: --expect hang exits 0, --expect none exits 1', async () => {
    const args = ['soak', '50', '--variant', 'original', '--runtime', 'native', '--iterations', '3', '--timeout', '5s', '--parallel', '3', '--stacks', '0'];
    const dir = tmp();
    const [hang, none] = await Promise.all([
      cli([...args, '--expect', 'hang', '--json', '--report-dir', join(dir, 'a')]),
      cli([...args, '--expect', 'none', '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'b')]),
    ]);
    expect(hang.code, hang.stderr).toBe(0);
    const s = JSON.parse(hang.stdout) as SoakSummary;
    expect(s.hangs).toBeGreaterThanOrEqual(1);
    expect(s.findingKinds['private-futex-on-shared-memory']).toBe(s.hangs);
    expect(none.code).toBe(1);
    const hangs = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).filter((c) => c.result?.type === 'hang');
    expect(hangs.length).toBeGreaterThanOrEqual(1);
    // Short and the same for every hang of this kind (CI groups equal failures); the pids and the sentence are in the body.
    expect(new Set(hangs.map((c) => c.result!.message))).toEqual(new Set(['hang proven: private-futex-on-shared-memory (futex wait on mvar)']));
    for (const c of hangs) expect(c.result!.body).toMatch(/\d+ process(es)? waits? without a timeout on process-private futexes/);
    expect(s.provenHangs).toBe(s.hangs);
    for (const c of hangs) expect(c.systemOut).toMatch(/^report: .*-original-n50-i\d-hang-/);
  });
});

describe('soak -- COMMAND', () => {
  let helper: string;
  let hangs: string;
  beforeAll(async () => {
    helper = join(tmp(), 'private-cond');
    hangs = join(tmp(), 'hangs');
    await execa('cc', ['-O2', '-o', helper, join(ROOT, 'test', 'c', 'private-cond.c'), '-lpthread']);
    await execa('cc', ['-O2', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
  });

  it('a program that deadlocks is reported the moment the hang is proven, long before --timeout', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '2', '--timeout', '60s', '--summary', join(dir, 's.json'), '--junit', join(dir, 'j.xml'), '--report-dir', dir, '--', hangs, 'thread-deadlock']);
    expect(r.code, r.stderr).toBe(1);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    expect(s).toMatchObject({ hangs: 2, provenHangs: 2 });
    expect(s.wallMs).toBeLessThan(60_000);
    const report = readJson<{ proof: { provenAtMs: number; reason: string } | null }>(join(s.firstHang!.report!, 'command-hang.json'));
    expect(report.proof!.reason).toMatch(/cycle of waits that never end/);
    const messages = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).flatMap((c) => (c.result ? [c.result.message] : []));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^hang proven: deadlock-cycle\b/);
    expect(messages[1]).toBe(messages[0]);
  });

  it('a hung iteration: the /dev/shm object it left is named, and its whole tree is reaped before the soak goes on', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--timeout', '10s', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, 'leave-shm', '20']);
    expect(r.code, r.stderr).toBe(1);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    const report = readJson<{ tree: { pid: number }[]; leftBehind: string[] }>(join(s.firstHang!.report!, 'command-hang.json'));
    const root = report.tree[0]!.pid;
    try {
      expect(report.leftBehind).toEqual([`hangs-test-${root}`]);
      expect(r.stdout).toMatch(new RegExp(`left behind in /dev/shm: hangs-test-${root}`));
      expect(report.tree.length).toBe(21);
      // Reaped, not zombies: every pid of the tree is gone from /proc once the soak has returned.
      expect(report.tree.filter((p) => existsSync(`/proc/${p.pid}`))).toEqual([]);
    } finally {
      rmSync(`/dev/shm/hangs-test-${root}`, { force: true });
    }
  });

  it("an object another job of this user puts in /dev/shm while the command runs is not the command's: it is never named", async () => {
    const dir = tmp();
    const foreign = `/dev/shm/other-job-${process.pid}-${Date.now()}`;
    const started = join(dir, 'started');
    const sub = cli(['soak', '--iterations', '1', '--timeout', '3s', '--no-early', '--report-dir', dir, '--json', '--', 'sh', '-c', `: > ${started}; exec sleep 10`]);
    // While the command runs: after its iteration began, before it ends.
    await until(() => existsSync(started), 10_000);
    writeFileSync(foreign, 'not the soaked program\'s');
    try {
      const r = await sub;
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).not.toMatch(/left behind/);
      const folder = readdirSync(dir).find((n) => !n.startsWith('.'))!;
      expect(readJson<{ leftBehind?: string[] }>(join(dir, folder, 'command-hang.json')).leftBehind ?? []).toEqual([]);
    } finally {
      rmSync(foreign, { force: true });
    }
  });

  it('slow, idle and long-timed-waiting programs get no early verdict: they end at the deadline', async () => {
    const runs = await Promise.all(
      ['ping-pong', 'idle-pool', 'busy-signaller'].map(async (scenario) => {
        const dir = tmp();
        const r = await cli(['soak', '--iterations', '1', '--timeout', '2s', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, scenario]);
        return { scenario, r, s: readJson<SoakSummary>(join(dir, 's.json')) };
      }),
    );
    for (const { scenario, r, s } of runs) {
      expect(r.code, scenario).toBe(1);
      expect(s, scenario).toMatchObject({ hangs: 1, provenHangs: 0 });
      const report = readJson<{ proof: unknown }>(join(s.firstHang!.report!, 'command-hang.json'));
      expect(report.proof, scenario).toBeNull();
    }
  });

  it('a program that hangs on a private futex in shared memory: exit 1, the summary names the cause', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '2', '--timeout', '1s', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', helper]);
    expect(r.code, r.stderr).toBe(1);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    expect(s).toMatchObject({ command: [helper], iterations: 2, hangs: 2, failures: 0 });
    expect(s.findingKinds['private-futex-on-shared-memory']).toBe(2);
    const report = readJson<{ kind: string; tree: unknown[]; diagnosis: { findings: { kind: string }[] } }>(join(s.firstHang!.report!, 'command-hang.json'));
    expect(report.kind).toBe('mvar-repro-command-hang');
    expect(report.tree).toHaveLength(2);
    expect(r.stdout).toMatch(/findings: private-futex-on-shared-memory ×2/);
  });

  it('true passes: exit 0', async () => {
    const r = await cli(['soak', '--iterations', '5', '--json', '--', 'true']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ iterations: 5, passes: 5, hangs: 0, failures: 0 });
  });

  it('false fails: failures are counted, not hangs', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '4', '--json', '--junit', join(dir, 'j.xml'), '--', 'false']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ iterations: 4, passes: 0, hangs: 0, failures: 4 });
    expect(readFileSync(join(dir, 'j.xml'), 'utf8').match(/<error type="failed" message="exited 1"/g)).toHaveLength(4);
  });

  it('usage: soak needs a bound, a runnable command and a valid shard', async () => {
    for (const args of [['--', 'true'], ['--iterations', '2', '--', 'no-such-program-here'], ['--iterations', '2', '--shard', '3/2', '--', 'true']]) {
      const r = await cli(['soak', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('soak --trace / --check -- COMMAND', () => {
  let hangs: string;
  let checks: string;
  let staticChecks: string | null = null;
  beforeAll(async () => {
    hangs = join(tmp(), 'hangs');
    checks = join(tmp(), 'checks');
    await execa('cc', ['-O2', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
    await execa('cc', ['-O2', '-o', checks, join(ROOT, 'test', 'c', 'checks.c'), '-lpthread']);
    const st = join(tmp(), 'checks-static');
    if ((await execa('cc', ['-O2', '-static', '-o', st, join(ROOT, 'test', 'c', 'checks.c'), '-lpthread'], { reject: false })).exitCode === 0) staticChecks = st;
  }, 60_000);

  it('a hung iteration carries events.ndjson of every traced thread; report show prints their last transitions; the diagnosis names the traced calls, no guess', async () => {
    const dir = tmp();
    // --no-early: the waiters, alone in their processes on a private futex, are provably stuck the moment they wait,
    // which can come before the parent's broadcast, and then the parent has no events yet. The deadline waits for it.
    const r = await cli(['soak', '--iterations', '1', '--timeout', '3s', '--no-early', '--trace', '--check', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, 'many-waiters', '2']);
    expect(r.code, r.stderr).toBe(1);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    expect(s.findingKinds['private-primitive-in-shared-memory']).toBe(1);
    expect(s.unpreloaded).toBe(0);
    const folder = s.firstHang!.report!;
    const report = readJson<CommandHangReport>(join(folder, 'command-hang.json'));
    const traced = report.preload!.traced!;
    const lines = readFileSync(join(folder, traced.file), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(traced.count);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { pid: number }).pid)).size).toBe(3);
    expect(report.preload!.findings!.map((g) => g.primitive).sort()).toEqual(['cond', 'mutex']);
    const finding = report.diagnosis!.findings.find((f) => f.kind === 'private-futex-on-shared-memory')!;
    expect(finding.summary).not.toMatch(/guess/);
    expect(finding.evidence.filter((e) => /^traced tid \d+: in pthread_cond_wait on cond 0x[0-9a-f]+; last: .*cond-wait wait-begin/.test(e))).toHaveLength(2);
    const show = await cli(['report', 'show', folder]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/trace: \d+ events from \d+ thread\(s\) in 3 process\(es\)/);
    // Processes in creation order: the parent (p1) broadcast and sits in waitpid; p2, its first child, waits.
    expect(show.stdout).toMatch(/process 2 \(pid \d+, .*hangs many-waiters 2\) thread 1 \(tid \d+\), running, \d+ events; last:\n(?: {6}.*\n)*? {6}cond-wait wait-begin/);
    // report export draws the traced threads: one track each, the waiters' condvar waits never ending.
    const chrome = await cli(['report', 'export', folder, '-o', '-']);
    const trace = JSON.parse(chrome.stdout) as { traceEvents: { name: string; ph: string; tid: number; args?: { open?: boolean } }[] };
    expect(new Set(trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.tid)).size).toBe(traced.threads.length);
    const neverEnded = trace.traceEvents.filter((e) => e.ph === 'X' && /^cond-wait 0x[0-9a-f]+ \(never ended\)$/.test(e.name));
    expect(new Set(neverEnded.map((e) => e.tid)).size).toBe(2);
    const html = await cli(['report', 'export', folder, '--format', 'html', '-o', '-']);
    expect(html.stdout).toContain(`${traced.threads.length} threads`);
    expect(html.stdout).toMatch(/holds a mutex/);
  });

  it('--trace --save-all keeps every traced iteration: diff of good ones is equivalent, of the hang divergent at the wait that never returned', async () => {
    const flaky = join(tmp(), 'flaky');
    await execa('cc', ['-O2', '-o', flaky, join(ROOT, 'test', 'c', 'flaky.c'), '-lpthread']);
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '3', '--timeout', '10s', '--trace', '--save-all', '--report-dir', dir, '--', flaky, '2']);
    expect(r.code, r.stderr).toBe(1);
    const folders = readdirSync(dir).sort();
    expect(folders.map((f) => f.replace(/^.*-i(\d+-\w+)-[0-9a-f]{4}$/, 'i$1'))).toEqual(['i1-completed', 'i2-hang', 'i3-completed']);
    const [good1, hang, good2] = folders.map((f) => join(dir, f)) as [string, string, string];
    const same = await cli(['diff', good1, good2]);
    expect(same.code, same.stdout + same.stderr).toBe(0);
    const d = await cli(['diff', '--json', good1, good2, hang]);
    expect(d.code).toBe(1);
    const res = JSON.parse(d.stdout) as DiffResult;
    expect(res.onlyInBad.map((o) => o.transition)).toEqual(['cond-wait wait-begin -> (end of trace)']);
    // A traced program and a run of ours are not compared.
    const mixed = await cli(['diff', join(ROOT, 'reports', 'baselines', 'fixed-n20'), hang]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/not both/);
  });

  it('semaphores used as locks, taken in opposite orders: traced, the deadlock is a cycle naming who took each and never posted it', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--timeout', '20s', '--trace', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, 'sem-abba']);
    expect(r.code, r.stderr).toBe(1);
    const report = readJson<CommandHangReport>(join(readJson<SoakSummary>(join(dir, 's.json')).firstHang!.report!, 'command-hang.json'));
    const cycle = report.diagnosis!.findings.find((f) => f.kind === 'deadlock-cycle')!;
    expect(cycle.proof).toBeTruthy();
    expect(cycle.pids).toHaveLength(2);
    const [a, b] = cycle.pids.map((p) => `pid ${p} \\(hangs\\)`);
    expect(cycle.summary).toMatch(/^deadlock \(semaphore\): /);
    expect(cycle.summary).toMatch(new RegExp(`${a} waits for sem@0x(0|20)\\.value .*, taken and not posted since by ${b}; ${b} waits for sem@0x(0|20)\\.value .*, taken and not posted since by ${a}`));
  });

  it('consumers left waiting for items after the producer exited are not a cycle, though each took an item and posts none', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '1', '--timeout', '20s', '--trace', '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, 'sem-consumers']);
    expect(r.code, r.stderr).toBe(1);
    const report = readJson<CommandHangReport>(join(readJson<SoakSummary>(join(dir, 's.json')).firstHang!.report!, 'command-hang.json'));
    expect(report.diagnosis!.findings.map((f) => f.kind)).toEqual(['no-waker']);
    expect(report.diagnosis!.findings[0]!.summary).toMatch(/the trace saw pid \d+ \(hangs\) tid \d+ take it and not post it since/);
  });

  it('diff: a wait that returned is scheduling, not structure: a good run that had to wait and one that did not are equivalent', async () => {
    const dir = tmp();
    const soak = (env: Record<string, string>) =>
      cli(['soak', '--iterations', '1', '--trace', '--save-all', '--report-dir', dir, '--', checks, 'late-waiter'], { env: { NO_COLOR: '1', ...env } });
    expect((await soak({})).code).toBe(0);
    expect((await soak({ CHECKS_LATE: '1' })).code).toBe(0);
    // Both soaks may start within one second: their folders differ only by their random suffix.
    const folders = readdirSync(dir).map((f) => join(dir, f));
    expect(folders).toHaveLength(2);
    const waits = (folder: string) => readFileSync(join(folder, 'events.ndjson'), 'utf8').split('\n').filter((l) => l.includes('"cond-wait"')).length;
    const [straight, waited] = folders.sort((a, b) => waits(a) - waits(b)) as [string, string];
    expect(waits(waited)).toBeGreaterThan(0);
    expect(waits(straight)).toBe(0);
    for (const [good, bad] of [[waited, straight], [straight, waited]]) {
      const d = await cli(['diff', good, bad]);
      expect(d.code, d.stdout).toBe(0);
    }
  });

  it('--check on a program that does not hang: its findings make the soak exit 1, with one JUnit failure per distinct finding and the report saved', async () => {
    const dir = tmp();
    const r = await cli(['soak', '--iterations', '3', '--check', '--json', '--junit', join(dir, 'j.xml'), '--report-dir', join(dir, 'r'), '--', checks, 'zeroed-shm']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as SoakSummary;
    expect(s).toMatchObject({ hangs: 0, failures: 0, findingKinds: { 'private-primitive-in-shared-memory': 3 } });
    // The program names its shared memory by its pid: still one finding per primitive over the soak.
    const failures = junitCases(readFileSync(join(dir, 'j.xml'), 'utf8')).filter((c) => c.result?.kind === 'failure');
    expect(failures.map((c) => c.result!.message).sort()).toEqual([
      'private-primitive-in-shared-memory: cond at /dev/shm/checks-test-* (deleted)+0x28',
      'private-primitive-in-shared-memory: mutex at /dev/shm/checks-test-* (deleted)+0x0',
    ]);
    expect(s.reports).toHaveLength(1);
    expect(readJson<CommandHangReport>(join(s.reports[0]!, 'command-run.json')).preload!.findings).toHaveLength(2);
    const clean = await cli(['soak', '--iterations', '2', '--check', '--json', '--', checks, 'shared-ok']);
    expect(clean.code).toBe(0);
  });

  it('a static binary runs untraced, and that is said', async (ctx) => {
    if (!staticChecks) return ctx.skip('no static libc here to build a static binary');
    const r = await cli(['soak', '--iterations', '2', '--trace', '--json', '--', staticChecks, 'shared-ok']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ unpreloaded: 2 });
    expect(r.stderr).toMatch(/could not get into the program in 2 of 2 iteration\(s\).*untraced and unchecked/);
  });

  it('usage: --trace and --check need a command; --trace takes shared or all', async () => {
    for (const args of [['--iterations', '1', '--trace'], ['--iterations', '1', '--check'], ['--iterations', '1', '--trace', 'some', '--', 'true']]) {
      const r = await cli(['soak', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('early verdicts never fire on a run that can still make progress', () => {
  it('fixed, 50 slaves, two iterations at a time on two cores: no hang in 40 iterations', async () => {
    const r = await cli(['soak', '50', '--variant', 'fixed', '--iterations', '40', '--parallel', '2', '--json', '--report-dir', tmp()]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ iterations: 40, hangs: 0, failures: 0 });
  });
});

describe('shards and merge', () => {
  it('two shards split the iterations; merge equals the combined counts with the interval recomputed', async () => {
    const dir = tmp();
    // One command; shard 1 fails every third iteration, shard 2 never.
    const cmd = 'test "$MVAR_REPRO_SHARD" = 2 || test $((MVAR_REPRO_ITERATION % 3)) -ne 0';
    const shard = (i: number) => cli(['soak', '--iterations', '9', '--shard', `${i}/2`, '--summary', join(dir, `s${i}.json`), '--', 'sh', '-c', cmd]);
    const [a, b] = await Promise.all([shard(1), shard(2)]);
    expect([a.code, b.code]).toEqual([4, 0]);
    const s1 = readJson<SoakSummary>(join(dir, 's1.json'));
    const s2 = readJson<SoakSummary>(join(dir, 's2.json'));
    expect([s1.iterations, s2.iterations]).toEqual([5, 4]);
    expect(s1.shard).toEqual({ index: 1, count: 2 });
    const m = await cli(['merge', join(dir, 's1.json'), join(dir, 's2.json'), '--json']);
    expect(m.code).toBe(4);
    const merged = JSON.parse(m.stdout) as SoakSummary;
    expect(merged).toMatchObject({
      shards: 2,
      iterations: s1.iterations + s2.iterations,
      passes: s1.passes + s2.passes,
      hangs: s1.hangs + s2.hangs,
      failures: s1.failures + s2.failures,
    });
    expect(merged.failureRate).toEqual(wilson(s1.failures + s2.failures, 9));
  });

  it('merge refuses the same shard twice, and a missing shard unless --partial, naming it', async () => {
    const dir = tmp();
    const shard = (i: number) => cli(['soak', '--iterations', '3', '--shard', `${i}/3`, '--summary', join(dir, `s${i}.json`), '--', 'true']);
    await Promise.all([shard(1), shard(3)]);
    const dup = await cli(['merge', join(dir, 's1.json'), join(dir, 's1.json')]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/s1\.json: the same summary as .*s1\.json/);
    const refused = await cli(['merge', join(dir, 's1.json'), join(dir, 's3.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/shard missing: 2\/3/);
    const gap = await cli(['merge', join(dir, 's1.json'), join(dir, 's3.json'), '--partial', '--json']);
    expect(gap.code).toBe(0);
    expect(gap.stderr.trim()).toBe('mvar-repro: merged 2 of 3 shards; missing: 2/3');
    expect(JSON.parse(gap.stdout).missingShards).toEqual([{ index: 2, count: 3 }]);
  });

  it('merge refuses what is not a summary', async () => {
    const r = await cli(['merge', join(ROOT, 'package.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package\.json: not an mvar-repro soak summary/);
  });
});

describe('wilson interval', () => {
  it('matches the textbook values', () => {
    // 0 of 20: upper bound 16.1 %; 3 of 3: lower bound 43.9 %; 10 of 100: 5.5 %–17.4 %.
    expect(wilson(0, 20)).toEqual({ rate: 0, low: 0, high: 0.161125 });
    expect(wilson(3, 3).low).toBeCloseTo(0.43849, 4);
    const w = wilson(10, 100);
    expect(w.low).toBeCloseTo(0.0552, 3);
    expect(w.high).toBeCloseTo(0.1744, 3);
    expect(wilson(0, 0)).toEqual({ rate: 0, low: 0, high: 1 });
  });
});

describe('--chaos', () => {
  it('run --chaos on the fixed MVar: no hang, the seed and what chaos did recorded in every report, nobody left stopped', async () => {
    const dir = tmp();
    const r = await cli(['run', '20', '--variant', 'fixed', '--chaos', '--seed', '7', '--iterations', '20', '--save-all', '--report-dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^chaos: seed 7, intensity 5 /m);
    const reps = readdirSync(dir).filter((n) => n.startsWith('2')).map((n) => readJson<RunReport>(join(dir, n, 'report.json')));
    expect(reps).toHaveLength(20);
    for (const rep of reps) {
      expect(rep.config.chaos).toEqual({ seed: 7, intensity: 5 });
      expect(rep.chaos).toMatchObject({ seed: 7, intensity: 5, jitter: true });
      expect(rep.chaos!.actions).not.toBeNull();
    }
    expect(new Set(reps.map((x) => x.chaos!.iterationSeed)).size).toBe(20);
  });

  it('soak --chaos of a command: said in the summary and JUnit, recorded in the hang report, no process reported stopped', async () => {
    const dir = tmp();
    const hangs = join(tmp(), 'hangs');
    await execa('cc', ['-O2', '-o', hangs, join(ROOT, 'test', 'c', 'hangs.c'), '-lpthread']);
    const r = await cli(['soak', '--iterations', '1', '--timeout', '1500ms', '--chaos', '--seed', '11', '--junit', join(dir, 'j.xml'), '--summary', join(dir, 's.json'), '--report-dir', dir, '--', hangs, 'ping-pong']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/chaos: seed 11, intensity 5/);
    expect(readFileSync(join(dir, 'j.xml'), 'utf8')).toMatch(/name="soak hangs \(chaos: seed 11, intensity 5\)"/);
    const s = readJson<SoakSummary>(join(dir, 's.json'));
    expect(s.config).toMatchObject({ chaos: { seed: 11, intensity: 5 } });
    const report = readJson<{ chaos: { iterationSeed: number; actions: unknown; jitter: boolean }; diagnosis: { findings: { kind: string }[]; processes: { state: string }[] } }>(join(s.firstHang!.report!, 'command-hang.json'));
    expect(report.chaos.actions).not.toBeNull();
    expect(report.chaos.jitter).toBe(true);
    expect(report.diagnosis.findings.map((f) => f.kind)).not.toContain('stopped');
    expect(report.diagnosis.processes.every((p) => p.state !== 'T')).toBe(true);
  });
});
