/**
 * One serialised worker per pod: a sync never runs twice at once for the same pod;
 * a request arriving mid-sync marks the pod dirty and it syncs again right after.
 * Failures retry with back-off; a sync may ask to be run again after a delay.
 */
import type { Logger } from 'pino';

export interface WorkerResult {
  requeueAfterMs?: number;
  /** Stop tracking the key (pod gone). */
  done?: boolean;
}

interface Slot {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  failures: number;
}

export class PodWorkers {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly syncFn: (key: string) => Promise<WorkerResult>,
    private readonly log: Logger,
  ) {}

  keys(): string[] {
    return [...this.slots.keys()];
  }

  enqueue(key: string): void {
    if (this.stopped) return;
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: false, dirty: false, failures: 0 };
      this.slots.set(key, slot);
    }
    if (slot.running) {
      slot.dirty = true;
      return;
    }
    if (slot.timer) {
      clearTimeout(slot.timer);
      slot.timer = undefined;
    }
    const p = this.run(key, slot);
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private schedule(key: string, slot: Slot, ms: number): void {
    if (this.stopped) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => {
      slot.timer = undefined;
      this.enqueue(key);
    }, ms);
    slot.timer.unref?.();
  }

  private async run(key: string, slot: Slot): Promise<void> {
    slot.running = true;
    slot.dirty = false;
    let result: WorkerResult = {};
    try {
      result = await this.syncFn(key);
      slot.failures = 0;
    } catch (err) {
      slot.failures++;
      const delay = Math.min(500 * 2 ** (slot.failures - 1), 30_000);
      this.log.warn({ err, pod: key, retryMs: delay }, 'pod sync failed');
      result = { requeueAfterMs: delay };
    } finally {
      slot.running = false;
    }
    if (result.done && !slot.dirty) {
      if (slot.timer) clearTimeout(slot.timer);
      this.slots.delete(key);
      return;
    }
    if (slot.dirty) this.enqueue(key);
    else if (result.requeueAfterMs !== undefined) this.schedule(key, slot, result.requeueAfterMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const s of this.slots.values()) if (s.timer) clearTimeout(s.timer);
    await Promise.allSettled([...this.inflight]);
  }
}
