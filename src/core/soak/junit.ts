// JUnit XML as CI systems render it: one testcase per iteration; a hang is a
// <failure type="hang">, a process that failed is an <error type="failed">.
// The file is rewritten atomically (at most once a second, and at the end,
// and synchronously if the process exits early), so it is always complete.
import { writeFileAtomicSync } from '../report/write.js';
import { onProcessExit } from '../system/on-exit.js';

export interface JUnitCase {
  name: string;
  timeMs: number;
  verdict: 'completed' | 'hang' | 'failed';
  message: string;
  details: string;
  systemOut: string;
}

const esc = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

export function junitXml(suite: string, cases: JUnitCase[], startedAt: string, wallMs: number): string {
  const hangs = cases.filter((c) => c.verdict === 'hang').length;
  const failed = cases.filter((c) => c.verdict === 'failed').length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="mvar-repro" tests="${cases.length}" failures="${hangs}" errors="${failed}" time="${(wallMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${esc(suite)}" tests="${cases.length}" failures="${hangs}" errors="${failed}" skipped="0" time="${(wallMs / 1000).toFixed(3)}" timestamp="${esc(startedAt)}">`,
  ];
  for (const c of cases) {
    lines.push(`    <testcase classname="${esc(suite)}" name="${esc(c.name)}" time="${(c.timeMs / 1000).toFixed(3)}">`);
    if (c.verdict === 'hang') lines.push(`      <failure type="hang" message="${esc(c.message)}">${esc(c.details)}</failure>`);
    if (c.verdict === 'failed') lines.push(`      <error type="failed" message="${esc(c.message)}">${esc(c.details)}</error>`);
    if (c.systemOut) lines.push(`      <system-out>${esc(c.systemOut)}</system-out>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

export class JUnitFile {
  private readonly cases: JUnitCase[] = [];
  private readonly startedAt = new Date().toISOString();
  private readonly t0 = performance.now();
  private lastWrite = 0;
  private readonly dropHook: () => void;

  constructor(
    private readonly path: string,
    private readonly suite: string,
  ) {
    this.write();
    this.dropHook = onProcessExit(() => this.write());
  }

  add(c: JUnitCase): void {
    this.cases.push(c);
    if (performance.now() - this.lastWrite > 1000) this.write();
  }

  close(): void {
    this.write();
    this.dropHook();
  }

  /** Why the last write failed, or null: the soak goes on and says so once. */
  error: string | null = null;

  private write(): void {
    this.lastWrite = performance.now();
    try {
      writeFileAtomicSync(this.path, junitXml(this.suite, this.cases, this.startedAt, performance.now() - this.t0));
      this.error = null;
    } catch (e) {
      this.error = (e as Error).message;
    }
  }
}
