import { describe, expect, it } from 'vitest';
import { goJson } from './go-json.js';

describe('goJson', () => {
  it('sorts keys at every level and escapes like Go', () => {
    expect(goJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x<y>&z' } })).toBe('{"a":{"c":"x\\u003cy\\u003e\\u0026z","d":[{"y":2,"z":1}]},"b":1}');
  });
});

describe('yaml output', () => {
  it('prints like kubectl: sorted keys, unindented sequences, quoted timestamps', async () => {
    const { formatObject } = await import('./output.js');
    const text = formatObject({ metadata: { name: 'p', creationTimestamp: '2026-11-21T06:21:51Z' }, apiVersion: 'v1', spec: { containers: [{ name: 'c', image: 'x' }], on: 'yes' } }, 'yaml');
    expect(text).toBe(
      'apiVersion: v1\nmetadata:\n  creationTimestamp: "2026-11-21T06:21:51Z"\n  name: p\nspec:\n  containers:\n  - image: x\n    name: c\n  "on": "yes"\n',
    );
  });
});
