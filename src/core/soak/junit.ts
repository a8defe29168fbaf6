// JUnit XML as CI systems render it: one testcase per iteration (a hang is a
// <failure>, a process that failed an <error>), one per distinct finding of
// --check (a <failure>), and an <error> testcase when the soak was
// interrupted. The file is rewritten atomically (at most once a second, at
// the end, and synchronously if the process exits early), so it is always
// complete; until the soak has finished it carries an <error> testcase that
// says so, so a soak cut short, even by SIGKILL, never reads as a pass, and a
// guard (write-guard.ts) removes the temporary file a SIGKILL mid-write
// would leave.
//
// Whatever a program prints may end up here: every string is made valid XML
// 1.0 (characters XML forbids are dropped: C0 controls but tab, LF and CR,
// lone surrogates, U+FFFE and U+FFFF) and escaped for where it goes.
import { writeFileAtomicSync } from '../report/write.js';
import { onProcessExit } from '../system/on-exit.js';
import { WriteGuard } from './write-guard.js';

export interface JUnitCase {
  name: string;
  timeMs: number;
  /** failure: a hang or a finding; error: a process that failed, or an interrupted soak; null: passed. */
  result: { kind: 'failure' | 'error'; type: string; message: string; body: string } | null;
  systemOut: string;
}

/** Characters XML 1.0 does not allow anywhere (https://www.w3.org/TR/xml/#charsets). */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/gu;

/** Text content: & and < (and > for "]]>"). */
export function xmlText(s: string): string {
  return s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An attribute value: also quotes, and tab and line ends as references (a parser would fold them to spaces). */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}

export function junitXml(suite: string, cases: JUnitCase[], startedAt: string, wallMs: number): string {
  const failures = cases.filter((c) => c.result?.kind === 'failure').length;
  const errors = cases.filter((c) => c.result?.kind === 'error').length;
  const secs = (ms: number) => (ms / 1000).toFixed(3);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mvar-repro" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${secs(wallMs)}">`,
    `  <testsuite name="${xmlAttr(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${secs(wallMs)}" timestamp="${xmlAttr(startedAt)}">`,
  ];
  for (const c of cases) {
    lines.push(`    <testcase classname="${xmlAttr(suite)}" name="${xmlAttr(c.name)}" time="${secs(c.timeMs)}">`);
    const r = c.result;
    if (r) lines.push(`      <${r.kind} type="${xmlAttr(r.type)}" message="${xmlAttr(r.message)}">${xmlText(r.body)}</${r.kind}>`);
    if (c.systemOut) lines.push(`      <system-out>${xmlText(c.systemOut)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

/** What a file written before the soak's end says: if the soak never finishes, this is its last word. */
const UNFINISHED: JUnitCase = {
  name: 'soak',
  timeMs: 0,
  result: { kind: 'error', type: 'unfinished', message: 'the soak had not finished when this file was written (still running, or killed)', body: '' },
  systemOut: '',
};

export class JUnitFile {
  private readonly cases: JUnitCase[] = [];
  /** The soak-wide cases once it has finished (check findings, an interruption); until then, UNFINISHED. */
  private final: JUnitCase[] | null = null;
  private readonly startedAt = new Date().toISOString();
  private readonly t0 = performance.now();
  private lastWrite = 0;
  private readonly dropHook: () => void;

  private constructor(
    private readonly path: string,
    private readonly suite: string,
    private readonly guard: WriteGuard | null,
  ) {
    this.write();
    this.dropHook = onProcessExit(() => this.write());
  }

  /** Starts the file (the soak unfinished) under a guard that removes a temporary a SIGKILL would leave. */
  static async open(path: string, suite: string): Promise<JUnitFile> {
    return new JUnitFile(path, suite, await WriteGuard.start(path));
  }

  add(c: JUnitCase): void {
    this.cases.push(c);
    if (performance.now() - this.lastWrite > 1000) this.write();
  }

  /** The soak has finished: its last cases (check findings, an interruption) replace the unfinished mark. */
  async close(final: JUnitCase[]): Promise<void> {
    this.final = final;
    this.write();
    this.dropHook();
    await this.guard?.close();
  }

  /** Why the last write failed, or null: the soak goes on and says so once. */
  error: string | null = null;

  private write(): void {
    this.lastWrite = performance.now();
    try {
      writeFileAtomicSync(this.path, junitXml(this.suite, [...this.cases, ...(this.final ?? [UNFINISHED])], this.startedAt, performance.now() - this.t0));
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}
