import { describe, expect, it } from 'vitest';
import { digestName, normalizeReference, tagName } from './reference.js';

const D = 'sha256:' + 'ab'.repeat(32);

describe('normalizeReference', () => {
  it.each([
    ['busybox', 'docker.io', 'library/busybox', 'latest', undefined, 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io', 'library/busybox', '1.36', undefined, 'docker.io/library/busybox:1.36'],
    ['tkube/pause:3.10', 'docker.io', 'tkube/pause', '3.10', undefined, 'docker.io/tkube/pause:3.10'],
    ['docker.io/busybox', 'docker.io', 'library/busybox', 'latest', undefined, 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io', 'library/nginx', '1', undefined, 'docker.io/library/nginx:1'],
    ['localhost/foo', 'localhost', 'foo', 'latest', undefined, 'localhost/foo:latest'],
    ['localhost:5000/a/b/c:v1', 'localhost:5000', 'a/b/c', 'v1', undefined, 'localhost:5000/a/b/c:v1'],
    ['127.0.0.1:5000/tkube/busybox:1.36', '127.0.0.1:5000', 'tkube/busybox', '1.36', undefined, '127.0.0.1:5000/tkube/busybox:1.36'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io', 'pause', '3.10', undefined, 'registry.k8s.io/pause:3.10'],
    [`busybox@${D}`, 'docker.io', 'library/busybox', undefined, D, `docker.io/library/busybox@${D}`],
    [`quay.io/x/y:t@${D}`, 'quay.io', 'x/y', 't', D, `quay.io/x/y:t@${D}`],
    ['my-reg.example.com:443/a_b/c-d.e__f', 'my-reg.example.com:443', 'a_b/c-d.e__f', 'latest', undefined, 'my-reg.example.com:443/a_b/c-d.e__f:latest'],
  ])('%s', (input, registry, repository, tag, digest, canonical) => {
    const r = normalizeReference(input);
    expect(r.registry).toBe(registry);
    expect(r.repository).toBe(repository);
    expect(r.tag).toBe(tag);
    expect(r.digest).toBe(digest);
    expect(r.canonical).toBe(canonical);
  });

  it.each([
    '', ' busybox', 'BusyBox', 'busybox:', 'busybox:-bad', 'a//b', '/busybox', 'busybox@sha256:abc', `busybox@sha256:${'AB'.repeat(32)}`,
    'ab'.repeat(32), 'busybox:tag:x', 'foo_/bar',
  ])('rejects %j', (input) => {
    expect(() => normalizeReference(input)).toThrow(/invalid image reference/);
  });

  it('builds tag and digest names', () => {
    const r = normalizeReference('busybox:1.36');
    expect(tagName(r)).toBe('docker.io/library/busybox:1.36');
    expect(digestName(r, D)).toBe(`docker.io/library/busybox@${D}`);
    expect(tagName(normalizeReference(`busybox@${D}`))).toBeUndefined();
  });
});
