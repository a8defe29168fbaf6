// Progress of a loop. On a terminal: an ora spinner on stderr. Elsewhere (CI
// logs): a plain status line every 5 s on stderr and nothing that moves.
// Hang and failure lines go to stdout in both modes; --quiet keeps only the
// final line, --json only the JSON.
import ora, { type Ora } from 'ora';
import { fmtDuration, out, paint, plural, useColor } from './output.js';

export type ProgressMode = 'tty' | 'lines' | 'quiet' | 'json';

export function progressMode(opts: { json?: boolean; quiet?: boolean }): ProgressMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  // A terminal that reports no width (some pseudo-terminals) would send ora's
  // line arithmetic into a loop: treat it as no terminal.
  return process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 ? 'tty' : 'lines';
}

export interface Counts {
  started: number;
  done: number;
  hangs: number;
  failures: number;
  active: number;
  last: string;
}

export class Progress {
  private readonly t0 = performance.now();
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly counts: Counts = { started: 0, done: 0, hangs: 0, failures: 0, active: 0, last: '' };

  constructor(
    readonly mode: ProgressMode,
    private readonly total: number | undefined,
    private readonly label = 'run',
  ) {}

  start(): void {
    if (this.mode === 'tty') {
      this.spinner = ora({ stream: process.stderr, discardStdin: false, color: useColor(process.stderr) ? 'cyan' : false as never, text: this.text() }).start();
      this.timer = setInterval(() => this.refresh(), 250);
    } else if (this.mode === 'lines') {
      this.timer = setInterval(() => process.stderr.write(`mvar-repro ${this.label}: ${this.text()}\n`), 5000);
    }
    this.timer?.unref();
  }

  private text(): string {
    const c = this.counts;
    const of = this.total !== undefined && Number.isFinite(this.total) ? `/${this.total}` : '';
    const rate = (n: number) => (c.done ? ` (${((n / c.done) * 100).toFixed(1)} %)` : '');
    const parts = [
      `${this.label === 'soak' ? 'runs' : 'iteration'} ${this.label === 'soak' ? c.done : c.started}${of}`,
      `${plural(c.hangs, 'hang')}${this.label === 'soak' ? rate(c.hangs) : ''}`,
      `${c.failures} failed${this.label === 'soak' ? rate(c.failures) : ''}`,
      fmtDuration(performance.now() - this.t0),
    ];
    if (c.active > 1 || this.label === 'soak') parts.push(`${c.active} active`);
    if (c.last) parts.push(`last: ${c.last}`);
    return parts.join(' · ');
  }

  private refresh(): void {
    if (this.spinner) this.spinner.text = this.text();
  }

  /** A line that must stay visible (hangs, failures). */
  line(text: string): void {
    if (this.mode === 'quiet' || this.mode === 'json') return;
    if (this.spinner) {
      this.spinner.clear();
      out(text);
      this.spinner.render();
    } else out(text);
  }

  note(text: string): void {
    if (this.mode === 'quiet' || this.mode === 'json') return;
    if (this.spinner) {
      this.spinner.clear();
      process.stderr.write(`${text}\n`);
      this.spinner.render();
    } else process.stderr.write(`${text}\n`);
  }

  iterationStarted(): void {
    this.counts.started++;
    this.counts.active++;
    this.refresh();
  }

  iterationDone(verdict: string): void {
    this.counts.active--;
    this.counts.done++;
    if (verdict === 'hang') this.counts.hangs++;
    if (verdict === 'failed') this.counts.failures++;
    this.counts.last = verdict === 'hang' ? paint('red', 'hang', process.stderr) : verdict;
    this.refresh();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = undefined;
  }
}
