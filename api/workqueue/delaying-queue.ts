/**
 * A work queue with delayed adds (client-go's DelayingInterface). Waiting items sit in
 * a min-heap by ready time; one timer is armed for the earliest. An item waiting twice
 * keeps the earlier of its two ready times.
 */
import { WorkQueue } from './queue.js';

/** The longest delay a Node timer takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Waiting<T> {
  item: T;
  readyAt: number;
  index: number;
}

export class DelayingQueue<T = string> extends WorkQueue<T> {
  private heap: Waiting<T>[] = [];
  private readonly waiting = new Map<T, Waiting<T>>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  addAfter(item: T, delayMs: number): void {
    if (this.isShuttingDown()) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const readyAt = performance.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing) {
      if (readyAt < existing.readyAt) {
        existing.readyAt = readyAt;
        this.siftUp(existing.index);
      }
    } else {
      const entry: Waiting<T> = { item, readyAt, index: this.heap.length };
      this.heap.push(entry);
      this.waiting.set(item, entry);
      this.siftUp(entry.index);
    }
    this.arm();
  }

  /** Items waiting for their delay to pass. */
  waitingCount(): number {
    return this.heap.length;
  }

  protected override onShutDown(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.heap = [];
    this.waiting.clear();
  }

  private arm(): void {
    const first = this.heap[0];
    if (!first || first.readyAt >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = first.readyAt;
    // Node fires a timer longer than 2^31-1 ms at once (and warns): cap it; fire() re-arms
    // for an item that is not due yet (a bootstrap token expiring in 30 days).
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_TIMER_MS, Math.max(0, first.readyAt - performance.now())));
    // Delayed retries alone must not keep a process alive.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    for (let first = this.heap[0]; first && first.readyAt <= now; first = this.heap[0]) {
      this.removeTop();
      this.waiting.delete(first.item);
      this.add(first.item);
    }
    this.arm();
  }

  private removeTop(): void {
    const last = this.heap.pop() as Waiting<T>;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    last.index = 0;
    this.siftDown(0);
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]!.readyAt <= h[i]!.readyAt) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < h.length && h[l]!.readyAt < h[min]!.readyAt) min = l;
      if (r < h.length && h[r]!.readyAt < h[min]!.readyAt) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    const h = this.heap;
    const x = h[a]!;
    const y = h[b]!;
    h[a] = y;
    h[b] = x;
    x.index = b;
    y.index = a;
  }
}
