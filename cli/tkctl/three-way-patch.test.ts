import { describe, expect, it } from 'vitest';
import { strategicMergePatch } from '../../apiserver/patch/strategic-merge-patch.js';
import { Deployment } from '../../api/types/workloads.js';
import { threeWayMergePatch } from './three-way-patch.js';

type Obj = Record<string, unknown>;

function deployment(container: Obj, extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', ...container }] } },
      ...extra,
    },
  };
}

/** What the server stores after the client's apply patch. */
function apply(lastApplied: Obj | undefined, config: Obj, live: Obj): { patch: Obj; result: Obj } {
  const patch = threeWayMergePatch(lastApplied, config, live, Deployment);
  return { patch, result: strategicMergePatch(live, patch, Deployment) as Obj };
}

function containerOf(obj: Obj): Obj {
  const spec = obj.spec as { template: { spec: { containers: Obj[] } } };
  return spec.template.spec.containers[0]!;
}

describe('threeWayMergePatch', () => {
  it('changes the image and nothing else', () => {
    const old = deployment({ image: 'nginx:1' });
    const live = structuredClone(old);
    (live.metadata as Obj).uid = 'u1';
    containerOf(live).imagePullPolicy = 'IfNotPresent';
    const { patch, result } = apply(old, deployment({ image: 'nginx:2' }), live);
    expect(patch).toEqual({
      spec: {
        template: {
          spec: { containers: [{ name: 'web', image: 'nginx:2' }], '$setElementOrder/containers': [{ name: 'web' }] },
        },
      },
    });
    expect(containerOf(result)).toEqual({ name: 'web', image: 'nginx:2', imagePullPolicy: 'IfNotPresent' });
    expect((result.metadata as Obj).uid).toBe('u1');
  });

  it('adds and removes env vars by name', () => {
    const old = deployment({ image: 'a', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] });
    const config = deployment({ image: 'a', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }] });
    const { patch, result } = apply(old, config, structuredClone(old));
    expect(JSON.stringify(patch)).toContain('"$patch":"delete"');
    expect(containerOf(result).env).toEqual([
      { name: 'B', value: '2' },
      { name: 'C', value: '3' },
    ]);
  });

  it('removes a port dropped from the config and keeps the others', () => {
    const ports = [{ containerPort: 80 }, { containerPort: 443 }];
    const old = deployment({ image: 'a', ports });
    const live = structuredClone(old);
    containerOf(live).ports = [
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 443, protocol: 'TCP' },
    ];
    const { result } = apply(old, deployment({ image: 'a', ports: [{ containerPort: 80 }] }), live);
    expect(containerOf(result).ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('deletes a field removed from the config but keeps a field only the server set', () => {
    const old = deployment({ image: 'a' }, { minReadySeconds: 5 });
    const live = structuredClone(old);
    (live.spec as Obj).progressDeadlineSeconds = 600;
    (live.spec as Obj).revisionHistoryLimit = 10;
    live.status = { replicas: 2 };
    const { result } = apply(old, deployment({ image: 'a' }), live);
    expect((result.spec as Obj).minReadySeconds).toBeUndefined();
    expect((result.spec as Obj).progressDeadlineSeconds).toBe(600);
    expect((result.spec as Obj).revisionHistoryLimit).toBe(10);
    expect(result.status).toEqual({ replicas: 2 });
  });

  it('gives an empty patch when nothing changed', () => {
    const old = deployment({ image: 'a', env: [{ name: 'A', value: '1' }] });
    const live = structuredClone(old);
    (live.metadata as Obj).resourceVersion = '7';
    expect(threeWayMergePatch(old, structuredClone(old), live, Deployment)).toEqual({});
  });

  it('without a last-applied configuration deletes nothing', () => {
    const live = deployment({ image: 'a' }, { minReadySeconds: 5 });
    const { result } = apply(undefined, deployment({ image: 'b' }), live);
    expect((result.spec as Obj).minReadySeconds).toBe(5);
    expect(containerOf(result).image).toBe('b');
  });

  it('replaces atomic lists and deletes removed label keys', () => {
    const old = deployment({ image: 'a', args: ['x', 'y'] });
    ((old.metadata as Obj).labels as unknown) = { a: '1', b: '2' };
    const config = deployment({ image: 'a', args: ['y'] });
    (config.metadata as Obj).labels = { a: '1' };
    const { result } = apply(old, config, structuredClone(old));
    expect(containerOf(result).args).toEqual(['y']);
    expect((result.metadata as Obj).labels).toEqual({ a: '1' });
  });
});

describe('threeWayMergePatch retainKeys', () => {
  it('drops a volume source the server kept when the config switches to another', () => {
    const withVolume = (volume: Obj) => {
      const d = deployment({ image: 'a' });
      ((d.spec as Obj).template as { spec: Obj }).spec.volumes = [{ name: 'data', ...volume }];
      return d;
    };
    // The live volume has an emptyDir source that last-applied does not record (another writer set it).
    const live = withVolume({ emptyDir: {} });
    const lastApplied = withVolume({});
    const { patch, result } = apply(lastApplied, withVolume({ hostPath: { path: '/srv' } }), live);
    expect(JSON.stringify(patch)).toContain('"$retainKeys":["hostPath","name"]');
    const volumes = ((result.spec as Obj).template as { spec: { volumes: Obj[] } }).spec.volumes;
    expect(volumes).toEqual([{ name: 'data', hostPath: { path: '/srv' } }]);
  });
});
