/** A binary min-heap over a "comes first" comparison, with removal by key. */
export class KeyedHeap<T> {
  private readonly items: T[] = [];
  private readonly pos = new Map<string, number>();

  constructor(
    private readonly keyOf: (x: T) => string,
    private readonly before: (a: T, b: T) => boolean,
  ) {}

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.pos.has(key);
  }

  get(key: string): T | undefined {
    const i = this.pos.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds, or replaces the item with the same key. */
  push(x: T): void {
    const key = this.keyOf(x);
    const i = this.pos.get(key);
    if (i !== undefined) {
      this.items[i] = x;
      this.fix(i);
      return;
    }
    this.items.push(x);
    this.pos.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.pos.get(key);
    if (i === undefined) return undefined;
    const x = this.items[i]!;
    this.removeAt(i);
    return x;
  }

  values(): IterableIterator<T> {
    return this.items.values();
  }

  private removeAt(i: number): void {
    const last = this.items.pop()!;
    this.pos.delete(this.keyOf(this.items[i] ?? last));
    if (i < this.items.length) {
      this.items[i] = last;
      this.pos.set(this.keyOf(last), i);
      this.fix(i);
    }
  }

  private fix(i: number): void {
    if (!this.up(i)) this.down(i);
  }

  private up(i: number): boolean {
    const items = this.items;
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
      moved = true;
    }
    return moved;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.before(items[l]!, items[m]!)) m = l;
      if (r < n && this.before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const items = this.items;
    const x = items[a]!;
    items[a] = items[b]!;
    items[b] = x;
    this.pos.set(this.keyOf(items[a]), a);
    this.pos.set(this.keyOf(items[b]), b);
  }
}
