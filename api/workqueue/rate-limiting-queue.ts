/**
 * The queue controllers use (client-go's RateLimitingInterface): a failed item goes back
 * with addRateLimited and waits as long as its rate limiter says; a processed item is
 * forgotten so its backoff starts over.
 */
import { DelayingQueue } from './delaying-queue.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiters.js';

export class RateLimitingQueue<T = string> extends DelayingQueue<T> {
  constructor(private readonly limiter: RateLimiter<T> = defaultControllerRateLimiter<T>()) {
    super();
  }

  addRateLimited(item: T): void {
    this.addAfter(item, this.limiter.when(item));
  }

  forget(item: T): void {
    this.limiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.limiter.numRequeues(item);
  }
}
