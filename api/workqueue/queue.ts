/**
 * The work queue of client-go. Three sets keep its promises:
 * - `dirty`: items waiting to be processed; adding an item already dirty is a no-op,
 *   so a key is queued once however often it is added;
 * - `processing`: items a worker holds; an item added while processing is only marked
 *   dirty and goes back to the queue when the worker calls done(), so two workers
 *   never hold the same key;
 * - `queue`: the order in which dirty, not-processing items are handed out.
 */

export type GetResult<T> = { item: T; shutdown: false } | { shutdown: true };

export class WorkQueue<T = string> {
  private queue: T[] = [];
  private head = 0; // index of the next item in `queue` (avoids O(n) shift)
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((r: GetResult<T>) => void)[] = [];
  private shuttingDown = false;
  private drainWaiters: (() => void)[] = [];
  private readonly depthListeners = new Set<(depth: number) => void>();

  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  /** Resolves with the next item, or with {shutdown: true} once shut down and empty. */
  get(): Promise<GetResult<T>> {
    if (this.head < this.queue.length) return Promise.resolve({ item: this.pop(), shutdown: false });
    if (this.shuttingDown) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the item processed; if it was added meanwhile it is queued again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) this.push(item);
    if (this.processing.size === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  len(): number {
    return this.queue.length - this.head;
  }

  /** Items held by workers right now. */
  processingCount(): number {
    return this.processing.size;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting adds; get() keeps handing out what is queued, then reports shutdown. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.len() === 0) this.releaseWaiters();
    this.onShutDown();
  }

  /** Shuts down and resolves once every item handed out has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Calls fn with the queue length whenever it changes (for a depth gauge). Returns an unsubscriber. */
  onDepthChange(fn: (depth: number) => void): () => void {
    this.depthListeners.add(fn);
    return () => this.depthListeners.delete(fn);
  }

  private depthChanged(): void {
    const depth = this.len();
    for (const fn of this.depthListeners) fn(depth);
  }

  /** Hook for subclasses (the delaying queue stops its timer). */
  protected onShutDown(): void {}

  private push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(item);
      this.dirty.delete(item);
      waiter({ item, shutdown: false });
      return;
    }
    this.queue.push(item);
    this.depthChanged();
  }

  private pop(): T {
    const item = this.queue[this.head] as T;
    this.head++;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(item);
    this.dirty.delete(item);
    this.depthChanged();
    if (this.shuttingDown && this.len() === 0) this.releaseWaiters();
    return item;
  }

  private releaseWaiters(): void {
    for (const w of this.waiters.splice(0)) w({ shutdown: true });
  }
}
