/**
 * The scheduling queue, as kube-scheduler's PriorityQueue:
 * - activeQ: pods ready to be tried, highest priority first, then oldest;
 * - backoffQ: pods that failed recently, each waiting out its backoff (1 s, doubling
 *   per attempt up to 10 s) before going back to activeQ;
 * - unschedulable: pods that fit nowhere; a cluster event that could make them fit
 *   (node added/changed, pod deleted) moves them to activeQ (or backoffQ if their
 *   backoff has not expired). They are also retried after maxUnschedulableMs anyway.
 * A pod that fails while an event arrived during its attempt goes to backoffQ, not
 * unschedulable, so the event is not lost.
 */
import { KeyedHeap } from './heap.js';
import { newPodInfo, type PodInfo } from './pod-info.js';
import type { Pod } from '../api/types/pod.js';

export interface QueuedPod {
  info: PodInfo;
  /** Added to the queue (ms since epoch); ties in priority go to the oldest. */
  timestamp: number;
  seq: number;
  attempts: number;
  /** When the last attempt failed (ms, monotonic). */
  lastFailure: number;
  /** The scheduling cycle that popped it. */
  cycle: number;
}

export interface QueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxUnschedulableMs?: number;
  now?: () => number;
}

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>(
    (q) => q.info.key,
    (a, b) => (a.info.priority !== b.info.priority ? a.info.priority > b.info.priority : a.timestamp !== b.timestamp ? a.timestamp < b.timestamp : a.seq < b.seq),
  );
  private readonly backoff = new KeyedHeap<QueuedPod>(
    (q) => q.info.key,
    (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
  );
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Pods popped and not yet done (being scheduled). */
  private readonly inFlight = new Map<string, QueuedPod>();
  private waiters: ((q: QueuedPod | undefined) => void)[] = [];
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(opts: QueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? (() => performance.now());
    this.sweeper = setInterval(() => this.flushLongUnschedulable(), Math.min(30_000, this.maxUnschedulableMs));
    this.sweeper.unref();
  }

  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    return Math.min(this.maxBackoffMs, this.initialBackoffMs * 2 ** (attempts - 1));
  }

  private backoffExpiry(q: QueuedPod): number {
    return q.lastFailure + this.backoffDuration(q.attempts);
  }

  get length(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  has(key: string): boolean {
    return this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key) || this.inFlight.has(key);
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const info = newPodInfo(pod);
    if (this.has(info.key)) return this.update(pod);
    const ts = Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now();
    this.pushActive({ info, timestamp: ts, seq: this.seq++, attempts: 0, lastFailure: 0, cycle: 0 });
  }

  /** A pending pod changed: refresh it; a changed unschedulable pod may fit now. */
  update(pod: Pod): void {
    const info = newPodInfo(pod);
    const key = info.key;
    const inActive = this.active.get(key) ?? this.backoff.get(key);
    if (inActive) {
      inActive.info = info;
      if (this.active.has(key)) this.active.push(inActive);
      else this.backoff.push(inActive);
      return;
    }
    const flying = this.inFlight.get(key);
    if (flying) {
      flying.info = info;
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      const changed = schedulingInputChanged(u.info.pod, pod);
      u.info = info;
      // Our own status write (the PodScheduled condition) must not retry the pod.
      if (!changed) return;
      this.unschedulable.delete(key);
      this.requeue(u);
      return;
    }
    this.add(pod);
  }

  delete(key: string): void {
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule; waits while activeQ is empty; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    const q = this.tryPop();
    if (q || this.closed) return Promise.resolve(q);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private tryPop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    this.schedulingCycle++;
    q.cycle = this.schedulingCycle;
    q.attempts++;
    this.inFlight.set(q.info.key, q);
    return q;
  }

  /** The attempt is over (bound or assumed); forget the pod. */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * The attempt failed. `unschedulable`: it fits nowhere (parked until an event);
   * otherwise (an error, a failed binding) it is retried after its backoff.
   */
  requeueFailed(q: QueuedPod, unschedulable: boolean): void {
    const key = q.info.key;
    const flying = this.inFlight.get(key);
    if (flying !== undefined && flying !== q) return; // replaced meanwhile
    if (this.active.has(key) || this.backoff.has(key) || this.unschedulable.has(key)) return; // re-added meanwhile
    this.inFlight.delete(key);
    q.lastFailure = this.now();
    if (unschedulable && this.moveRequestCycle < q.cycle) {
      this.unschedulable.set(q.info.key, q);
    } else {
      this.backoff.push(q);
      this.armTimer();
    }
  }

  /** Something changed that could make unschedulable pods fit: retry them all. */
  moveAllToActiveOrBackoff(): void {
    this.moveRequestCycle = this.schedulingCycle;
    if (this.unschedulable.size === 0) return;
    const pods = [...this.unschedulable.values()];
    this.unschedulable.clear();
    for (const q of pods) this.requeue(q);
  }

  /** A narrower event (e.g. a pod was placed): retry only the unschedulable pods it may help. */
  moveToActiveOrBackoffIf(mayHelp: (q: QueuedPod) => boolean): void {
    if (this.unschedulable.size === 0) return;
    for (const [key, q] of this.unschedulable) {
      if (!mayHelp(q)) continue;
      this.unschedulable.delete(key);
      this.requeue(q);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.timer = this.sweeper = undefined;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(undefined);
  }

  private requeue(q: QueuedPod): void {
    if (this.backoffExpiry(q) > this.now()) {
      this.backoff.push(q);
      this.armTimer();
    } else {
      this.pushActive(q);
    }
  }

  private pushActive(q: QueuedPod): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w && this.active.size === 0) {
      this.active.push(q);
      w(this.tryPop());
      return;
    }
    if (w) this.waiters.unshift(w);
    this.active.push(q);
  }

  private armTimer(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const head = this.backoff.peek();
    if (!head) return;
    const wait = Math.max(0, this.backoffExpiry(head) - this.now());
    this.timer = setTimeout(() => this.flushBackoff(), wait + 1);
    this.timer.unref();
  }

  private flushBackoff(): void {
    this.timer = undefined;
    const now = this.now();
    for (let head = this.backoff.peek(); head && this.backoffExpiry(head) <= now; head = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(head);
    }
    this.armTimer();
  }

  private flushLongUnschedulable(): void {
    const now = this.now();
    for (const [key, q] of this.unschedulable) {
      if (now - q.lastFailure >= this.maxUnschedulableMs) {
        this.unschedulable.delete(key);
        this.requeue(q);
      }
    }
  }
}

/** Whether what scheduling reads (spec, labels) differs; status-only changes do not count. */
function schedulingInputChanged(a: Pod, b: Pod): boolean {
  return JSON.stringify(a.spec) !== JSON.stringify(b.spec) || JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {});
}
