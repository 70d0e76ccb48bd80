/**
 * A minimal protocol buffers encoder (proto3 wire format), enough to write the
 * gnostic OpenAPI v2 document: varints, strings, nested messages, bools, doubles.
 * Default values (empty strings, false, 0) are omitted, as proto3 does.
 */

const enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
}

export class ProtoWriter {
  private chunks: Buffer[] = [];
  private scratch: number[] = [];

  private flushScratch(): void {
    if (this.scratch.length) {
      this.chunks.push(Buffer.from(this.scratch));
      this.scratch = [];
    }
  }

  private varint(value: number): void {
    // Non-negative integers only (lengths, tags, counts): safe up to 2^53.
    let v = value;
    while (v > 0x7f) {
      this.scratch.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.scratch.push(v);
  }

  private tag(field: number, wire: WireType): void {
    this.varint(field * 8 + wire);
  }

  private bytes(field: number, data: Buffer): void {
    this.tag(field, WireType.LengthDelimited);
    this.varint(data.length);
    this.flushScratch();
    this.chunks.push(data);
  }

  string(field: number, value: string | undefined): this {
    if (value) this.bytes(field, Buffer.from(value, 'utf8'));
    return this;
  }

  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) this.bytes(field, Buffer.from(v, 'utf8'));
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (value) {
      this.tag(field, WireType.Varint);
      this.varint(1);
    }
    return this;
  }

  int64(field: number, value: number | undefined): this {
    if (value !== undefined && value > 0) {
      this.tag(field, WireType.Varint);
      this.varint(Math.floor(value));
    }
    return this;
  }

  double(field: number, value: number | undefined): this {
    if (value !== undefined && value !== 0) {
      this.tag(field, WireType.Fixed64);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value);
      this.flushScratch();
      this.chunks.push(b);
    }
    return this;
  }

  /** A nested message; written even when empty (presence matters for oneofs). */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    this.bytes(field, inner.finish());
    return this;
  }

  finish(): Buffer {
    this.flushScratch();
    return Buffer.concat(this.chunks);
  }
}
