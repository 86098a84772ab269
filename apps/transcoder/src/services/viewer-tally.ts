/**
 * Viewers of one session, as every gateway replica reports them (`transcoder.cmd.session.touch`): a replica's count
 * holds until it reports again or goes quiet for `staleMs` (a gateway that died stops counting). Pure over `now`.
 */
export class ViewerTally {
  private readonly byGateway = new Map<string, { viewers: number; at: number }>();
  private lastViewerAt: number;

  constructor(
    private readonly staleMs: number,
    now: number,
  ) {
    this.lastViewerAt = now;
  }

  report(gateway: string, viewers: number, now: number): void {
    this.total(now); // whoever watched until now counts as watching now
    if (viewers > 0) this.byGateway.set(gateway, { viewers, at: now });
    else this.byGateway.delete(gateway);
    this.total(now);
  }

  /** Viewers now; also remembers when the session last had one. */
  total(now: number): number {
    let sum = 0;
    for (const [gateway, entry] of this.byGateway) {
      if (now - entry.at > this.staleMs) this.byGateway.delete(gateway);
      else sum += entry.viewers;
    }
    if (sum > 0) this.lastViewerAt = now;
    return sum;
  }

  /** Milliseconds without any viewer (0 while someone watches). */
  idleFor(now: number): number {
    return this.total(now) > 0 ? 0 : now - this.lastViewerAt;
  }
}
