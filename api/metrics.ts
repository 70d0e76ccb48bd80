/**
 * A small Prometheus registry shared by every component: counters, gauges and
 * histograms with labels, rendered in the Prometheus text exposition format
 * (version 0.0.4) for a /metrics endpoint.
 */

export type Labels = Record<string, string>;

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.keys(labels).sort().map((k) => `${k}="${escapeLabelValue(labels[k] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function formatValue(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

abstract class Labelled<S> implements Metric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected readonly series = new Map<string, { labels: Labels; state: S }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  protected abstract initial(): S;

  protected stateFor(labels: Labels): S {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels: { ...labels }, state: this.initial() };
      this.series.set(key, s);
    }
    return s.state;
  }

  abstract render(): string[];
}

export class Counter extends Labelled<{ value: number }> {
  readonly type = 'counter' as const;
  protected initial() {
    return { value: 0 };
  }

  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    this.stateFor(labels).value += by;
  }

  get(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.state.value ?? 0;
  }

  render(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.state.value)}`);
  }
}

export class Gauge extends Labelled<{ value: number }> {
  readonly type = 'gauge' as const;
  protected initial() {
    return { value: 0 };
  }

  set(labels: Labels, value: number): void {
    this.stateFor(labels).value = value;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.stateFor(labels).value += by;
  }

  dec(labels: Labels = {}, by = 1): void {
    this.stateFor(labels).value -= by;
  }

  get(labels: Labels = {}): number {
    return this.series.get(labelKey(labels))?.state.value ?? 0;
  }

  render(): string[] {
    return [...this.series.values()].map((s) => `${this.name}${formatLabels(s.labels)} ${formatValue(s.state.value)}`);
  }
}

interface HistogramState {
  buckets: number[]; // non-cumulative counts per upper bound
  sum: number;
  count: number;
}

/** Prometheus' default buckets, in seconds. */
export const defaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Histogram extends Labelled<HistogramState> {
  readonly type = 'histogram' as const;
  readonly bounds: number[];

  constructor(name: string, help: string, bounds: number[] = defaultBuckets) {
    super(name, help);
    this.bounds = [...bounds].sort((a, b) => a - b);
  }

  protected initial(): HistogramState {
    return { buckets: new Array<number>(this.bounds.length).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const s = this.stateFor(labels);
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) s.buckets[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  /** Observation count and sum for one label set. */
  get(labels: Labels = {}): { count: number; sum: number } {
    const s = this.series.get(labelKey(labels))?.state;
    return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
  }

  render(): string[] {
    const lines: string[] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((b, i) => {
        cumulative += state.buckets[i]!;
        lines.push(`${this.name}_bucket${formatLabels(labels, ['le', formatValue(b)])} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${formatLabels(labels, ['le', '+Inf'])} ${state.count}`);
      lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(state.sum)}`);
      lines.push(`${this.name}_count${formatLabels(labels)} ${state.count}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(name, () => new Counter(name, help), Counter);
  }

  gauge(name: string, help: string): Gauge {
    return this.register(name, () => new Gauge(name, help), Gauge);
  }

  histogram(name: string, help: string, bounds?: number[]): Histogram {
    return this.register(name, () => new Histogram(name, help, bounds), Histogram);
  }

  /** The Prometheus text format (Content-Type: text/plain; version=0.0.4). */
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics.values()) {
      out.push(`# HELP ${m.name} ${m.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
      out.push(`# TYPE ${m.name} ${m.type}`);
      out.push(...m.render());
    }
    return out.length ? out.join('\n') + '\n' : '';
  }

  // Registering the same name twice returns the existing metric, so modules can
  // declare their metrics at import time without coordinating.
  private register<M extends Metric>(name: string, make: () => M, cls: abstract new (...args: never[]) => M): M {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${name}`);
    const existing = this.metrics.get(name);
    if (existing) {
      if (!(existing instanceof cls)) throw new Error(`metric ${name} already registered as ${existing.type}`);
      return existing;
    }
    const m = make();
    this.metrics.set(name, m);
    return m;
  }
}

/** The process-wide registry components register into and /metrics renders. */
export const registry = new Registry();
