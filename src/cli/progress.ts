// Progress of a loop (run, soak). On a terminal: an ora spinner on stderr
// with done/target, rate, hangs so far and the time left. Elsewhere (CI logs):
// the same as a plain status line every STATUS_EVERY_MS on stderr, as Go's
// `stress` does, and nothing that moves. Hang and failure lines go to stdout
// in both modes; --quiet keeps only the final line, --json only the JSON.
import type { Ora } from 'ora';
import { oraModule } from '../core/system/lazy.js';
import { loopStatus, type LoopCounts } from '../core/run/status.js';
import { err, fmtDuration, out, paint, plural, useColor } from './output.js';

export type ProgressMode = 'tty' | 'lines' | 'quiet' | 'json';

/** Off a terminal, a status line this often: often enough to see a CI job alive, rare enough to read. */
const STATUS_EVERY_MS = 5000;
/** The spinner's text is redrawn this often. */
const REDRAW_MS = 250;

export function progressMode(opts: { json?: boolean; quiet?: boolean }): ProgressMode {
  if (opts.json) return 'json';
  if (opts.quiet) return 'quiet';
  // A terminal that reports no width (some pseudo-terminals) would send ora's
  // line arithmetic into a loop: treat it as no terminal.
  return process.stderr.isTTY && (process.stderr.columns ?? 0) > 0 ? 'tty' : 'lines';
}

export class Progress {
  private readonly t0 = performance.now();
  private spinner: Ora | undefined;
  private timer: NodeJS.Timeout | undefined;
  readonly counts: LoopCounts & { last: string } = { started: 0, done: 0, hangs: 0, failures: 0, active: 0, last: '' };

  constructor(
    readonly mode: ProgressMode,
    private readonly total: number | undefined,
    private readonly label = 'run',
    private readonly durationMs?: number,
  ) {}

  start(): void {
    if (this.mode === 'tty') {
      this.spinner = oraModule().default({ stream: process.stderr, discardStdin: false, color: useColor(process.stderr) ? 'cyan' : (false as never), text: this.text() }).start();
      this.timer = setInterval(() => this.refresh(), REDRAW_MS);
    } else if (this.mode === 'lines') {
      this.timer = setInterval(() => process.stderr.write(`mvar-repro ${this.label}: ${this.text()}\n`), STATUS_EVERY_MS);
    }
    this.timer?.unref();
  }

  private text(): string {
    const s = loopStatus(this.counts, { iterations: this.total, durationMs: this.durationMs }, performance.now() - this.t0);
    const of = s.target !== null ? `/${s.target}` : '';
    const pct = (n: number) => (s.done ? ` (${((n / s.done) * 100).toFixed(1)} %)` : '');
    // A soak counts runs done, with their rates; a run names the iteration it is in.
    const parts =
      this.label === 'soak'
        ? [`${fmtDuration(s.elapsedMs)}: ${s.done}${of} runs`, `${plural(s.hangs, 'hang')}${pct(s.hangs)}`, `${s.failures} failed${pct(s.failures)}`]
        : [`iteration ${s.started}${of}`, plural(s.hangs, 'hang'), `${s.failures} failed`, fmtDuration(s.elapsedMs)];
    if (s.perSecond !== null) parts.push(`${s.perSecond >= 10 ? Math.round(s.perSecond) : s.perSecond.toFixed(1)}/s`);
    if (s.etaMs !== null && s.done < (s.target ?? Infinity)) parts.push(`ETA ${fmtDuration(s.etaMs)}`);
    if (s.active > 1) parts.push(`${s.active} active`);
    if (this.counts.last) parts.push(`last: ${this.counts.last}`);
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
      err(text);
      this.spinner.render();
    } else err(text);
  }

  iterationStarted(): void {
    this.counts.started++;
    this.counts.active++;
  }

  iterationDone(verdict: string): void {
    this.counts.active--;
    this.counts.done++;
    if (verdict === 'hang') this.counts.hangs++;
    if (verdict === 'failed') this.counts.failures++;
    this.counts.last = verdict === 'hang' ? paint('red', 'hang', process.stderr) : verdict;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = undefined;
  }
}
