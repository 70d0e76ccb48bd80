/**
 * The kubelet's container restart back-off (CrashLoopBackOff): the first restart is
 * immediate, then each restart waits 10 s, 20 s, ... up to 5 min after the last exit.
 * A container that ran longer than twice the max without exiting resets its back-off.
 */
export interface CrashBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  now?: () => number;
}

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class CrashBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(o: CrashBackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 10_000;
    this.maxMs = o.maxMs ?? 300_000;
    this.now = o.now ?? Date.now;
  }

  /** Milliseconds still to wait before restarting a container that finished at finishedAtMs (0 = go). */
  remainingMs(key: string, finishedAtMs: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    const now = this.now();
    if (now - e.lastUpdate > 2 * this.maxMs) {
      this.entries.delete(key);
      return 0;
    }
    return Math.max(0, finishedAtMs + e.delayMs - now);
  }

  /** Records a restart: the next one waits twice as long. */
  next(key: string): void {
    const e = this.entries.get(key);
    const delayMs = e ? Math.min(e.delayMs * 2, this.maxMs) : this.initialMs;
    this.entries.set(key, { delayMs, lastUpdate: this.now() });
  }

  /** The delay the next restart would wait (for messages). */
  currentMs(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
