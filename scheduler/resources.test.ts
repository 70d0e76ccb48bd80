import { describe, expect, it } from 'vitest';
import { podRequests, resourceFromList } from './resources.js';
import { makePod } from './test-objects.js';

describe('resourceFromList', () => {
  it.each([
    [{ cpu: '100m' }, 100, 0],
    [{ cpu: '1' }, 1000, 0],
    [{ cpu: '1.5' }, 1500, 0],
    [{ cpu: 2 }, 2000, 0],
    [{ cpu: '1e-1' }, 100, 0],
    [{ cpu: '2e3' }, 2_000_000, 0],
    [{ cpu: '0.0001' }, 1, 0], // rounded up to a millicore, as MilliValue
    [{ memory: '1Gi' }, 0, 2 ** 30],
    [{ memory: '1e3' }, 0, 1000],
    [{ memory: '128974848' }, 0, 128974848],
    [{ memory: '129M' }, 0, 129e6],
    [{ memory: '123Mi' }, 0, 123 * 2 ** 20],
  ])('%j', (list, cpu, mem) => {
    const r = resourceFromList(list);
    expect(r.milliCPU).toBe(cpu);
    expect(r.memory).toBe(mem);
  });

  it('keeps extended resources and ignores pods', () => {
    const r = resourceFromList({ pods: '110', 'example.com/gpu': '2' });
    expect(r.scalar?.get('example.com/gpu')).toBe(2);
    expect(r.scalar?.has('pods') ?? false).toBe(false);
  });
});

describe('podRequests', () => {
  const c = (name: string, cpu: string, memory: string, restartPolicy?: 'Always') => ({
    name,
    image: 'x',
    restartPolicy,
    resources: { requests: { cpu, memory } },
  });

  it('sums app containers', () => {
    const pod = makePod('p', { cpu: '200m', memory: '1Gi' });
    pod.spec.containers.push(c('b', '300m', '1Gi') as never);
    expect(podRequests(pod)).toMatchObject({ milliCPU: 500, memory: 2 * 2 ** 30 });
  });

  it('takes the larger of the largest init container and the app sum, plus overhead', () => {
    const pod = makePod('p', {
      cpu: '200m',
      memory: '1Gi',
      initContainers: [c('i1', '1', '100Mi'), c('i2', '100m', '3Gi')] as never,
      overhead: { cpu: '10m', memory: '1Mi' },
    });
    expect(podRequests(pod)).toMatchObject({ milliCPU: 1010, memory: 3 * 2 ** 30 + 2 ** 20 });
  });

  it('counts sidecars (restartable init containers) alongside the app containers', () => {
    const pod = makePod('p', { cpu: '200m', memory: '1Gi', initContainers: [c('side', '100m', '1Gi', 'Always'), c('init', '250m', '1Gi')] as never });
    // app + sidecar = 300m / 2Gi; init runs beside the sidecar: 350m / 2Gi.
    expect(podRequests(pod)).toMatchObject({ milliCPU: 350, memory: 2 * 2 ** 30 });
  });

  it('uses the non-zero defaults for scoring when a container sets nothing', () => {
    const pod = makePod('p');
    expect(podRequests(pod)).toMatchObject({ milliCPU: 0, memory: 0 });
    expect(podRequests(pod, true)).toMatchObject({ milliCPU: 100, memory: 200 * 2 ** 20 });
  });
});
