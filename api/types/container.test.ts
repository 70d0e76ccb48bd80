import { describe, expect, it } from 'vitest';
import { Container, defaultImagePullPolicy } from './container.js';

describe('defaultImagePullPolicy', () => {
  it('is Always for :latest or untagged images and IfNotPresent otherwise', () => {
    expect(defaultImagePullPolicy('nginx')).toBe('Always');
    expect(defaultImagePullPolicy('nginx:latest')).toBe('Always');
    expect(defaultImagePullPolicy('nginx:1.27')).toBe('IfNotPresent');
    expect(defaultImagePullPolicy('localhost:5000/app')).toBe('Always');
    expect(defaultImagePullPolicy('localhost:5000/app:v2')).toBe('IfNotPresent');
    expect(defaultImagePullPolicy('nginx@sha256:' + 'a'.repeat(64))).toBe('IfNotPresent');
  });
});

describe('Container schema', () => {
  it('keeps quantities as given, string or number', () => {
    const c = Container.parse({ name: 'c', resources: { requests: { cpu: 0.5, memory: '64Mi' } } });
    expect(c.resources?.requests).toEqual({ cpu: 0.5, memory: '64Mi' });
  });

  it('defaults probe timings and the HTTP scheme only inside a given probe', () => {
    const c = Container.parse({ name: 'c', readinessProbe: { httpGet: { port: 8080, path: '/ready' } } });
    expect(c.readinessProbe).toEqual({
      httpGet: { port: 8080, path: '/ready', scheme: 'HTTP' },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(c.livenessProbe).toBeUndefined();
  });

  it('rejects unknown fields deep inside', () => {
    const r = Container.safeParse({ name: 'c', lifecycle: { preStop: { exec: { command: ['x'], shell: true } } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['shell'], path: ['lifecycle', 'preStop', 'exec'] });
  });
});
