import { describe, expect, it } from 'vitest';
import { ProtoWriter } from './protobuf-writer.js';

describe('ProtoWriter', () => {
  it('writes varints, strings, bools and doubles in proto3 wire format', () => {
    const out = new ProtoWriter().int64(1, 300).string(2, 'hi').bool(3, true).bool(4, false).string(5, '').double(6, 1.5).finish();
    // 300 = 0xAC 0x02; field 6 fixed64 tag = 0x31
    const dbl = Buffer.alloc(8);
    dbl.writeDoubleLE(1.5);
    expect([...out]).toEqual([0x08, 0xac, 0x02, 0x12, 0x02, 0x68, 0x69, 0x18, 0x01, 0x31, ...dbl]);
  });

  it('nests messages with their length and repeats strings', () => {
    const out = new ProtoWriter().message(2, (m) => m.strings(1, ['a', 'b'])).message(3, () => {}).finish();
    expect([...out]).toEqual([0x12, 0x06, 0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62, 0x1a, 0x00]);
  });

  it('uses multi-byte lengths for long fields', () => {
    const long = 'x'.repeat(200);
    const out = new ProtoWriter().string(1, long).finish();
    expect([...out.subarray(0, 3)]).toEqual([0x0a, 0xc8, 0x01]);
    expect(out.length).toBe(203);
  });
});
