// When a watch may try to prove a hang again. A proof attempt reads /proc of
// every process, so after one fails the next waits twice as long as the last,
// up to a cap: a slow but live program is not diagnosed every poll.
export class ProofSchedule {
  private nextAt = 0;
  private waitMs: number;

  /** firstMs: the wait after the first failed attempt is twice this. */
  constructor(
    firstMs: number,
    private readonly maxMs: number,
  ) {
    this.waitMs = firstMs;
  }

  /** May an attempt be made at `now` (performance.now())? */
  due(now: number): boolean {
    return now >= this.nextAt;
  }

  /** An attempt made at `now` proved nothing. */
  failed(now: number): void {
    this.waitMs = Math.min(this.maxMs, this.waitMs * 2);
    this.nextAt = now + this.waitMs;
  }
}
