import { describe, expect, it } from 'vitest';
import { WatchDecoder, WatchDecodeError, decodeWatchStream } from './watch-decoder.js';

const events = [
  { type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'café-☃', resourceVersion: '5' }, data: { k: '日本語 🚀 ü' } } },
  { type: 'MODIFIED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', resourceVersion: '6' } } },
  { type: 'BOOKMARK', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '7' } } },
  { type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (5)' } },
];
const bytes = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');

describe('WatchDecoder', () => {
  it('decodes the stream split at every possible pair of byte positions', () => {
    // Every split into three pieces exercises splits inside frames, at newlines and inside
    // multi-byte characters (the payload has 2-, 3- and 4-byte UTF-8 sequences).
    const step = 3;
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j += step) {
        const d = new WatchDecoder();
        const out = [
          ...d.push(bytes.subarray(0, i)),
          ...d.push(bytes.subarray(i, j)),
          ...d.push(bytes.subarray(j)),
          ...d.end(),
        ];
        expect(out).toEqual(events);
      }
    }
  });

  it('decodes the stream fed one byte at a time', () => {
    const d = new WatchDecoder();
    const out = [];
    for (const b of bytes) out.push(...d.push(Uint8Array.of(b)));
    out.push(...d.end());
    expect(out).toEqual(events);
  });

  it('accepts a last frame without newline and ignores blank lines', () => {
    const d = new WatchDecoder();
    const text = '\n' + JSON.stringify(events[1]) + '\r\n\n' + JSON.stringify(events[2]);
    expect([...d.push(text), ...d.end()]).toEqual([events[1], events[2]]);
  });

  it('rejects garbage and frames of the wrong shape', () => {
    expect(() => new WatchDecoder().push('{not json}\n')).toThrow(WatchDecodeError);
    expect(() => new WatchDecoder().push('{"type":"NOPE","object":{}}\n')).toThrow(/type/);
    expect(() => new WatchDecoder().push('{"type":"ADDED"}\n')).toThrow(WatchDecodeError);
  });

  it('decodes an async byte stream', async () => {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
    }
    const out = [];
    for await (const e of decodeWatchStream(chunks())) out.push(e);
    expect(out).toEqual(events);
  });
});
