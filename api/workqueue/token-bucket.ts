/**
 * A token bucket with reservations, like golang.org/x/time/rate's Limiter.Reserve:
 * every call takes one token now and returns how long the caller must wait for it
 * (0 when a token was available). Tokens may go negative, so concurrent callers queue
 * up fairly instead of all waking at the same instant.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`invalid token bucket qps=${qps} burst=${burst}`);
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token and returns the delay in milliseconds until it may be used. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token only if one is available now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
  }

  /** Resolves once a token is available. */
  async take(): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
