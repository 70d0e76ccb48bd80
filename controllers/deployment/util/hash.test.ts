import { describe, expect, it } from 'vitest';
import type { PodTemplateSpec } from '../../../api/types/pod.js';
import { computeHash, fnv32a, safeEncodeString } from './hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const template = (image: string): PodTemplateSpec =>
  ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } }) as unknown as PodTemplateSpec;

describe('pod-template-hash', () => {
  it('FNV-1a 32 matches the reference test vectors', () => {
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('encodes with the vowel-free alphabet, byte by byte', () => {
    // '0'..'9' are bytes 48..57: 48 % 27 = 21 → '4', ..., 57 % 27 = 3 → 'f'.
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    expect(safeEncodeString('12')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('is stable across key order, differs with the template and with collisionCount', () => {
    const a = computeHash(template('nginx:1'));
    const reordered = { spec: { containers: [{ image: 'nginx:1', name: 'web' }] }, metadata: { labels: { app: 'web' } } } as unknown as PodTemplateSpec;
    expect(computeHash(reordered)).toBe(a);
    expect(computeHash(template('nginx:2'))).not.toBe(a);
    expect(computeHash(template('nginx:1'), 1)).not.toBe(a);
    expect(computeHash(template('nginx:1'), 1)).not.toBe(computeHash(template('nginx:1'), 2));
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  });
});

describe('template equality as Go sees it', () => {
  it('treats empty objects, empty lists and nulls as absent, for the hash too', () => {
    const plain = template('nginx:1');
    const fromKubectl = {
      metadata: { labels: { app: 'web' }, creationTimestamp: null },
      spec: { containers: [{ name: 'web', image: 'nginx:1', resources: {}, env: [] }], securityContext: {} },
    } as unknown as PodTemplateSpec;
    expect(computeHash(fromKubectl)).toBe(computeHash(plain));
  });
});
