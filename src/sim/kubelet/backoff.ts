/**
 * The kubelet's crash-loop back-off for one container (client-go's flowcontrol.Backoff as the
 * kubelet's doBackOff uses it, keyed by the container's finish time): the first restart is
 * immediate; later ones wait until the current delay has passed since the container finished, and
 * the delay doubles up to the maximum (10 s to 5 min in Kubernetes). A container that ran for more
 * than twice the maximum since the last back-off starts over at the initial delay.
 */
export class RestartBackoff {
  private delayMs = 0;
  private lastUpdate = 0;

  constructor(
    private readonly initialMs: number,
    private readonly maxMs: number,
  ) {}

  /** How long to wait, from `now`, before restarting a container that finished at `finishedAt`. */
  waitMs(finishedAt: number, now = Date.now()): number {
    if (this.delayMs === 0 || this.expired(finishedAt)) return 0;
    return Math.max(0, finishedAt + this.delayMs - now);
  }

  /** The delay the status names in `back-off 20s restarting failed container=...`. */
  get currentDelayMs(): number {
    return this.delayMs;
  }

  /** Records that the container that finished at `finishedAt` is being restarted now. */
  restarted(finishedAt: number): void {
    this.delayMs =
      this.delayMs === 0 || this.expired(finishedAt)
        ? this.initialMs
        : Math.min(this.delayMs * 2, this.maxMs);
    this.lastUpdate = finishedAt;
  }

  private expired(finishedAt: number): boolean {
    return finishedAt - this.lastUpdate > 2 * this.maxMs;
  }
}
