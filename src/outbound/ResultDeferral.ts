/**
 * While many invoices are still waiting to be taken and sent (a burst), collecting results and writing
 * the ERP's DownCast files wait, so that the daemon's thread goes to sending: a verdict that comes
 * a few seconds later loses nothing, an invoice sent later may. The wait is bounded: after
 * `maxDeferMs` of continuous backlog, results are taken once and the clock starts again, so a
 * long backlog (a day's catch-up) still sees its verdicts.
 */
export class ResultDeferral {
  private since: number | null = null;

  constructor(
    private readonly backlog: () => boolean,
    private readonly maxDeferMs: number,
  ) {}

  /** True when results should wait now. */
  defer(now: number): boolean {
    if (!this.backlog()) {
      this.since = null;
      return false;
    }
    this.since ??= now;
    if (now - this.since < this.maxDeferMs) return true;
    this.since = now; // their turn now; the next wait starts here
    return false;
  }
}
