import { describe, expect, it } from 'vitest';
import { goJson } from './go-json.js';

describe('goJson', () => {
  it('sorts keys at every level and escapes like Go', () => {
    expect(goJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x<y>&z' } })).toBe('{"a":{"c":"x\\u003cy\\u003e\\u0026z","d":[{"y":2,"z":1}]},"b":1}');
  });
});
