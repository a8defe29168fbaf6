// Hostile and unlucky input to the real CLI: FIFOs, devices, symlinks and
// oversized files where reports, events and summaries are expected; report
// fields that point out of their folder, nest without end or carry escape
// sequences and markup; output paths that are devices, FIFOs, symlinks or
// kernel file systems. Each case must end, within a deadline, in one line
// and its documented exit code — and change nothing it must not.
import { execa } from 'execa';
import { cpSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tmp } from '../helpers.js';

const BASELINE = join(ROOT, 'reports', 'baselines', 'fixed-n20');
const TRACED_HANG = join(ROOT, 'test', 'fixtures', 'traced', 'hang');
/** Every case ends well within this; a hang is killed at it and fails the test. */
const DEADLINE_MS = 30_000;

const run = (args: string[], opts = {}) => cli(args, { timeout: DEADLINE_MS, ...opts });

/** A copy of a report folder, with its report rewritten by `edit`. */
function reportCopy(src: string, file: string, edit: (r: Record<string, unknown>) => void = () => undefined): string {
  const dir = join(tmp(), 'run');
  cpSync(src, dir, { recursive: true });
  const r = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
  edit(r);
  writeFileSync(join(dir, file), JSON.stringify(r));
  return dir;
}

/** One line on stderr, the expected code, and no stack trace. */
function refused(r: { code: number; stderr: string }, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('files that are not what a reader expects', () => {
  it('a FIFO, /dev/zero, a directory or an oversized file as a report or a summary: one line, exit 2, at once', async () => {
    const d = tmp();
    await execa('mkfifo', [join(d, 'fifo')]);
    writeFileSync(join(d, 'huge.json'), '');
    truncateSync(join(d, 'huge.json'), 300 * 1024 * 1024);
    const rs = await Promise.all([
      run(['report', 'show', join(d, 'fifo')]),
      run(['report', 'export', '/dev/zero']),
      run(['diff', BASELINE, join(d, 'fifo')]),
      run(['merge', join(d, 'fifo')]),
      run(['merge', '/dev/zero']),
      run(['report', 'show', join(d, 'huge.json')]),
    ]);
    refused(rs[0]!, 2, /fifo: a FIFO, not a report$/m);
    refused(rs[1]!, 2, /\/dev\/zero: a character device, not a report$/m);
    refused(rs[2]!, 2, /fifo: a FIFO, not a report$/m);
    refused(rs[3]!, 2, /fifo: a FIFO, not a soak summary$/m);
    refused(rs[4]!, 2, /\/dev\/zero: a character device, not a soak summary$/m);
    refused(rs[5]!, 2, /huge\.json: 300 MB, larger than a report can be \(256 MB\)$/m);
  });

  it("a report's events file: a path out of its folder, a FIFO, a link to /dev/zero, more lines than it claims, a pid that is not a number", async () => {
    const outside = reportCopy(BASELINE, 'report.json', (r) => ((r.events as { file: string }).file = '../../../../dev/zero'));
    const fifo = reportCopy(BASELINE, 'report.json');
    await execa('rm', [join(fifo, 'events.ndjson')]);
    await execa('mkfifo', [join(fifo, 'events.ndjson')]);
    const zero = reportCopy(BASELINE, 'report.json');
    await execa('rm', [join(zero, 'events.ndjson')]);
    symlinkSync('/dev/zero', join(zero, 'events.ndjson'));
    const more = reportCopy(BASELINE, 'report.json', (r) => ((r.events as { count: number }).count = 2000));
    const fewer = reportCopy(BASELINE, 'report.json', (r) => ((r.events as { count: number }).count = 3));
    const odd = reportCopy(BASELINE, 'report.json');
    const lines = readFileSync(join(odd, 'events.ndjson'), 'utf8').split('\n');
    lines[0] = lines[0]!.replace(/"pid":\d+/, '"pid":"<script>alert(1)</script>"');
    writeFileSync(join(odd, 'events.ndjson'), lines.join('\n'));
    const rs = await Promise.all([
      run(['report', 'export', outside, '-o', '-']),
      run(['report', 'export', fifo, '-o', '-']),
      run(['diff', BASELINE, zero]),
      run(['report', 'export', more, '-o', '-']),
      run(['report', 'export', odd, '--format', 'html', '-o', '-']),
      run(['report', 'export', fewer, '-o', '-']),
    ]);
    refused(rs[0]!, 2, /its events file '\.\.\/\.\.\/\.\.\/\.\.\/dev\/zero' is not a file name in its own folder$/m);
    refused(rs[1]!, 2, /events\.ndjson: a FIFO, not an events file$/m);
    refused(rs[2]!, 2, /events\.ndjson: a character device, not an events file$/m);
    refused(rs[3]!, 2, /holds more than the 2000 events its report says$/m);
    refused(rs[4]!, 2, /line 1 is not an mvar-repro event: \/pid must be number$/m);
    // A count far below the file's size: refused by size before a line is read.
    refused(rs[5]!, 2, /events\.ndjson: \d+ bytes, larger than an events file can be \(16384 bytes\)$/m);
  });

  it('deeply nested JSON, and schema-valid odd values (a role of 123 or null, a null summary): one line, exit 2, no TypeError', async () => {
    const d = tmp();
    writeFileSync(join(d, 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const deepField = reportCopy(BASELINE, 'report.json', (r) => ((r.environment as Record<string, unknown>).x = 'DEEP'));
    const text = readFileSync(join(deepField, 'report.json'), 'utf8');
    writeFileSync(join(deepField, 'report.json'), text.replace('"DEEP"', `${'['.repeat(50_000)}${']'.repeat(50_000)}`));
    const role123 = reportCopy(BASELINE, 'report.json', (r) => ((r.processes as { role: unknown }[])[0]!.role = 123));
    const roleNull = reportCopy(BASELINE, 'report.json', (r) => ((r.processes as { role: unknown }[])[0]!.role = null));
    const nullSummary = reportCopy(TRACED_HANG, 'command-hang.json', (r) => (r.stdoutTail = null));
    const rs = await Promise.all([
      run(['report', 'show', join(d, 'deep.json')]),
      run(['report', 'show', '--json', deepField]),
      run(['report', 'show', role123]),
      run(['diff', BASELINE, roleNull]),
      run(['report', 'export', nullSummary, '--format', 'html', '-o', '-']),
    ]);
    refused(rs[0]!, 2, /deep\.json: not a report: nested deeper than 64 levels$/m);
    refused(rs[1]!, 2, /not a report: nested deeper than 64 levels$/m);
    refused(rs[2]!, 2, /not a valid run report: \/processes\/0\/role must be string$/m);
    refused(rs[3]!, 2, /not a valid run report: \/processes\/0\/role must be string$/m);
    refused(rs[4]!, 2, /not a valid command report: \/stdoutTail must be string$/m);
  });
});

describe('strings from a report or a program', () => {
  const ESC = '\u001b]0;owned\u0007\u001b[2J\u009b31m\u202e';
  const MARKUP = '<script>alert(1)</script><img src=x onerror=alert(2)>';
  const hostile = () =>
    reportCopy(TRACED_HANG, 'command-hang.json', (r) => {
      const tree = r.tree as { comm: string; cmdline: string }[];
      tree[0]!.comm = `${ESC}${MARKUP}`;
      tree[0]!.cmdline = `${MARKUP}${ESC}`;
      r.command = [`/tmp/${MARKUP}`, ESC];
      r.stdoutTail = `out ${ESC}${MARKUP}\n`;
      const f = (r.diagnosis as { findings: { summary: string; evidence: string[] }[] }).findings[0]!;
      f.summary = `${MARKUP}${ESC}`;
      f.evidence = [`${ESC}${MARKUP}`];
    });

  it('reach the terminal with every control character escaped, and --json parses back to the same strings', async () => {
    const dir = hostile();
    const [show, json] = await Promise.all([run(['report', 'show', '--all', dir]), run(['report', 'show', '--json', dir])]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(show.stdout).toContain('\\u001b]0;owned\\u0007');
    expect(json.code).toBe(0);
    expect(json.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);
    expect((JSON.parse(json.stdout) as { stdoutTail: string }).stdoutTail).toBe(`out ${ESC}${MARKUP}\n`);
  });

  it('reach an exported page only as text: no markup from the report, in HTML or in the Chrome trace', async () => {
    const dir = hostile();
    const [page, trace] = await Promise.all([run(['report', 'export', dir, '--format', 'html', '-o', '-']), run(['report', 'export', dir, '-o', '-'])]);
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).not.toContain('<script>alert');
    expect(page.stdout).not.toContain('<img');
    expect(page.stdout).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.stdout.match(/<script>/g)).toHaveLength(1); // the page's own
    expect(trace.code).toBe(0);
    expect(trace.stdout).not.toMatch(/[\u007f-\u009f\u2028\u2029]/);
    expect(JSON.parse(trace.stdout)).toBeTruthy();
  });
});

describe('output paths', () => {
  it('a report folder on /proc or /sys, or one that is a FIFO: one line, exit 2, never a hang', async () => {
    const fifo = join(tmp(), 'fifo');
    await execa('mkfifo', [fifo]);
    const rs = await Promise.all([
      run(['run', '2', '--variant', 'fixed', '--report-dir', '/proc/sys/mvar-repro-x']),
      run(['run', '2', '--variant', 'fixed', '--report-dir', '/sys/kernel/mvar-repro-x']),
      run(['soak', '--iterations', '1', '--report-dir', '/proc/self', '--', 'true']),
      run(['run', '2', '--variant', 'fixed', '--report-dir', fifo]),
      run(['soak', '--iterations', '1', '--junit', '/proc/self/junit.xml', '--', 'true']),
    ]);
    refused(rs[0]!, 2, /--report-dir \/proc\/sys\/mvar-repro-x: on proc, a kernel file system where no file can be stored$/m);
    refused(rs[1]!, 2, /on sysfs, a kernel file system/);
    refused(rs[2]!, 2, /--report-dir \/proc\/self: on proc/);
    refused(rs[3]!, 2, /--report-dir .*fifo: a FIFO, not a directory$/m);
    refused(rs[4]!, 2, /--junit \/proc\/self\/junit\.xml: on proc/);
  });

  it('a FIFO nobody reads: one line, exit 3, at once; one that is read gets the whole file and stays a FIFO', async () => {
    const d = tmp();
    const fifo = join(d, 'out.json');
    await execa('mkfifo', [fifo]);
    refused(await run(['report', 'export', BASELINE, '-o', fifo]), 3, /out\.json: a FIFO that nobody reads$/m);
    const reader = execa('cat', [fifo], { timeout: DEADLINE_MS });
    await new Promise((r) => setTimeout(r, 300));
    const w = await run(['report', 'export', BASELINE, '-o', fifo]);
    expect(w.code, w.stderr).toBe(0);
    const got = await reader;
    expect(JSON.parse(String(got.stdout)).traceEvents.length).toBeGreaterThan(0);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('/dev/stdout redirected to a file by the shell: written into our own descriptor, appended, the file never replaced', async () => {
    const d = tmp();
    const log = join(d, 'app.log');
    writeFileSync(log, 'first line\n');
    const ino = statSync(log).ino;
    const r = await execa('sh', ['-c', `"$0" "$1" report export "$2" -o /dev/stdout >> "$3"`, process.execPath, join(ROOT, 'dist', 'cli', 'main.js'), BASELINE, log], { reject: false, timeout: DEADLINE_MS });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith('first line\n{"traceEvents"')).toBe(true);
    expect(JSON.parse(text.slice('first line\n'.length)).traceEvents.length).toBeGreaterThan(0);
    expect(statSync(log).ino).toBe(ino);
  });

  it('a symlink of ours to a file: the file it points at is replaced, the link stays; a link to nothing is refused', async () => {
    const d = tmp();
    writeFileSync(join(d, 'target.json'), 'old');
    symlinkSync(join(d, 'target.json'), join(d, 'link.json'));
    symlinkSync(join(d, 'nothing.json'), join(d, 'dangling.json'));
    const [w, dangling] = await Promise.all([run(['report', 'export', BASELINE, '-o', join(d, 'link.json')]), run(['report', 'export', BASELINE, '-o', join(d, 'dangling.json')])]);
    expect(w.code, w.stderr).toBe(0);
    expect(lstatSync(join(d, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(d, 'link.json'))).toBe(join(d, 'target.json'));
    expect(readFileSync(join(d, 'target.json'), 'utf8')).toMatch(/^\{"traceEvents"/);
    refused(dangling, 2, /dangling\.json: a symbolic link to nothing: not followed/);
    expect(lstatSync(join(d, 'dangling.json')).isSymbolicLink()).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)('as root: a device is written into, never replaced; /dev/full is one line, exit 3', async () => {
    const d = tmp();
    // Private copies of /dev/null and /dev/full: a regression must not replace the machine's.
    await execa('mknod', [join(d, 'null'), 'c', '1', '3']);
    await execa('mknod', [join(d, 'full'), 'c', '1', '7']);
    symlinkSync(join(d, 'null'), join(d, 'stdout-like'));
    const [toNull, toFull, viaLink] = await Promise.all([
      run(['report', 'export', BASELINE, '-o', join(d, 'null')]),
      run(['report', 'export', BASELINE, '-o', join(d, 'full')]),
      run(['report', 'export', BASELINE, '-o', join(d, 'stdout-like')]),
    ]);
    expect(toNull.code, toNull.stderr).toBe(0);
    expect(statSync(join(d, 'null')).isCharacterDevice()).toBe(true);
    refused(toFull, 3, /full: no space left on device \(ENOSPC\)$/m);
    expect(statSync(join(d, 'full')).isCharacterDevice()).toBe(true);
    expect(viaLink.code, viaLink.stderr).toBe(0); // a link of ours to a device: written through, both stay
    expect(lstatSync(join(d, 'stdout-like')).isSymbolicLink()).toBe(true);
    expect(statSync(join(d, 'null')).isCharacterDevice()).toBe(true);
  });

  it.skipIf(process.getuid?.() !== 0)("as root: another user's symlink is not followed, another user's file not replaced", async () => {
    const d = tmp();
    mkdirSync(join(d, 'shared'), { mode: 0o1777 });
    await execa('chmod', ['1777', join(d, 'shared')]);
    writeFileSync(join(d, 'precious'), 'keep');
    symlinkSync(join(d, 'precious'), join(d, 'shared', 'out.json'));
    await execa('chown', ['-h', 'nobody', join(d, 'shared', 'out.json')]);
    writeFileSync(join(d, 'shared', 'theirs.json'), 'theirs');
    await execa('chown', ['nobody', join(d, 'shared', 'theirs.json')]);
    const [link, theirs] = await Promise.all([
      run(['report', 'export', BASELINE, '-o', join(d, 'shared', 'out.json')]),
      run(['report', 'export', BASELINE, '-o', join(d, 'shared', 'theirs.json')]),
    ]);
    refused(link, 2, /out\.json: a symbolic link of uid 65534: not followed/);
    refused(theirs, 2, /theirs\.json: belongs to uid 65534: as root, mvar-repro does not replace or write into another user's file/);
    expect(readFileSync(join(d, 'precious'), 'utf8')).toBe('keep');
    expect(readFileSync(join(d, 'shared', 'theirs.json'), 'utf8')).toBe('theirs');
  });
});

describe('as root, a path through another user\'s folder', () => {
  it.skipIf(process.getuid?.() !== 0)("their symlink in the middle of a path is not followed, and nothing is made before the refusal", async () => {
    const d = tmp();
    const theirs = join(d, 'theirs');
    const victim = join(d, 'victim');
    mkdirSync(theirs);
    mkdirSync(victim);
    writeFileSync(join(victim, 'target.conf'), 'precious');
    await execa('chown', ['nobody', theirs]);
    symlinkSync(victim, join(theirs, 'a'));
    await execa('chown', ['-h', 'nobody', join(theirs, 'a')]);
    const [out, junit, reports, fresh] = await Promise.all([
      run(['report', 'export', BASELINE, '--format', 'html', '-o', join(theirs, 'a', 'target.conf')]),
      run(['soak', '--iterations', '1', '--junit', join(theirs, 'a', 'j.xml'), '--', 'true']),
      run(['soak', '--iterations', '1', '--report-dir', join(theirs, 'a', 'b', 'c'), '--', 'true']),
      run(['soak', '--iterations', '1', '--report-dir', join(theirs, 'r'), '--', 'true']),
    ]);
    for (const r of [out, junit, reports, fresh]) refused(r, 2, /theirs can be changed by another user \(owner uid 65534/);
    expect(readFileSync(join(victim, 'target.conf'), 'utf8')).toBe('precious');
    expect(readdirSync(victim)).toEqual(['target.conf']);
    expect(readdirSync(theirs)).toEqual(['a']);
  });
});

describe('durations and counts', () => {
  it('a wait no timer can make, a fraction of a millisecond, NaN, a negative or huge count: one line, exit 2, before anything runs', async () => {
    const rs = await Promise.all([
      run(['run', '2', '--timeout', '2147483648ms']),
      run(['run', '2', '--timeout', '0.0001ms']),
      run(['soak', '--iterations', '1', '--stall', 'NaN', '--', 'true']),
      run(['diagnose', String(process.pid), '--interval', '30d']),
      run(['check', '--timeout', '-5s', '--', 'true']),
      run(['run', '2', '--iterations', '99999999999999999999']),
      run(['soak', '--iterations', '1', '--parallel', '-1', '--', 'true']),
    ]);
    refused(rs[0]!, 2, /--timeout: '2147483648ms' is longer than 24d, the most it can be$/m);
    refused(rs[1]!, 2, /--timeout: '0\.0001ms' is shorter than a millisecond/);
    refused(rs[2]!, 2, /--stall: 'NaN' is not a duration/);
    refused(rs[3]!, 2, /--interval: '30d' is longer than 24d/);
    refused(rs[4]!, 2, /--timeout: '-5s' is not a duration/);
    refused(rs[5]!, 2, /--iterations = 100000000000000000000 is above the cap/);
    refused(rs[6]!, 2, /--parallel must be a whole number/);
  });

  it('a long --duration is measured, not refused: --duration 30d with --iterations 2 runs its two iterations', async () => {
    const r = await run(['run', '2', '--variant', 'fixed', '--duration', '30d', '--iterations', '2', '--report-dir', tmp()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run: no hang in 2 iterations/m);
  });
});
