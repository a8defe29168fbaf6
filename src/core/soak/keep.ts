// Which reports a soak keeps. A soak that hangs 300 times must not write 300
// full reports: the first `limit` iterations that have one (a hang, a
// failure, a new --check finding) are saved as they come, and of the rest
// only the last is kept: each is held in memory in place of the one before,
// and saved when the soak ends. So at most limit + 1 folders, the first
// occurrences and the latest, and the summary says how many were kept of how
// many. --save-all keeps everything.

/** The default of --keep-reports: 9 first and the last, so at most 10 folders (issue 26). */
export const DEFAULT_KEEP_REPORTS = 9;

export interface Keepable {
  /** Writes the report folder; resolves to its path, or to an error said in a sentence (saveOrSay). */
  save(): Promise<{ path: string | null; error: string | null }>;
  /** Told where the report went once it is saved (or that it was not kept). */
  settle(saved: { path: string | null; error: string | null } | 'dropped'): void;
}

export class ReportKeeper {
  /** Reports saved or being saved now (the first `limit` slots); kept counts those that reached the disk. */
  private saved = 0;
  private kept = 0;
  private offered = 0;
  private held: Keepable | null = null;

  constructor(private readonly limit: number) {}

  /** An iteration with a report to keep: saved now while fewer than `limit` were, else held as the latest. */
  async offer(k: Keepable): Promise<void> {
    this.offered++;
    if (this.saved < this.limit) {
      this.saved++; // claimed before the await: a parallel lane must not pass the limit
      return this.write(k);
    }
    this.held?.settle('dropped');
    this.held = k;
  }

  /** The soak ended: the latest held report is saved. */
  async flush(): Promise<void> {
    const k = this.held;
    this.held = null;
    if (!k) return;
    this.saved++;
    await this.write(k);
  }

  private async write(k: Keepable): Promise<void> {
    const r = await k.save();
    if (r.path) this.kept++;
    k.settle(r);
  }

  /** How many were kept of how many, for the summary. */
  counts(): { kept: number; of: number; limit: number } {
    return { kept: this.kept, of: this.offered, limit: this.limit };
  }
}
