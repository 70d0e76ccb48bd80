import { describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { strategicMergePatch } from './strategic-merge-patch.js';
import { Deployment } from './test-deployment-schema.js';

type Json = Record<string, unknown>;

function deployment(spec: Json, metadata: Json = {}): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec,
  };
}

function podSpec(obj: unknown): Json {
  return ((obj as Json).spec as Json).template ? (((obj as Json).spec as Json).template as Json).spec as Json : {};
}

function patchPodSpec(original: Json, spec: Json): Json {
  return strategicMergePatch(original, { spec: { template: { spec } } }, Deployment) as Json;
}

function expectApiError(fn: () => unknown, code: number, message?: string): void {
  try {
    fn();
  } catch (err) {
    expect(isApiError(err)).toBe(true);
    if (isApiError(err)) {
      expect(err.code).toBe(code);
      if (message) expect(err.message).toContain(message);
    }
    return;
  }
  throw new Error('expected an ApiError');
}

const twoContainers = deployment({
  replicas: 2,
  template: {
    metadata: { labels: { app: 'web' } },
    spec: {
      containers: [
        { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 8080 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
        { name: 'sidecar', image: 'busybox', args: ['sleep', '1000'] },
      ],
    },
  },
});

describe('strategicMergePatch: merge lists by key', () => {
  it('merges containers by name, keeping the others in place', () => {
    const out = patchPodSpec(twoContainers, { containers: [{ name: 'sidecar', image: 'busybox:1.36' }] });
    expect(podSpec(out).containers).toEqual([
      { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }, { containerPort: 8080 }], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', '1000'] },
    ]);
  });

  it('puts a new element ahead of the server-only ones, as apimachinery does without $setElementOrder', () => {
    const out = patchPodSpec(twoContainers, { containers: [{ name: 'log', image: 'fluentd' }] });
    expect((podSpec(out).containers as Json[]).map((c) => c.name)).toEqual(['log', 'web', 'sidecar']);
  });

  it('merges env by name and ports by containerPort', () => {
    const out = patchPodSpec(twoContainers, {
      containers: [{ name: 'web', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 8080, name: 'admin' }] }],
    });
    const web = (podSpec(out).containers as Json[])[0]!;
    expect(web.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '3' }]);
    expect(web.ports).toEqual([{ containerPort: 80 }, { containerPort: 8080, name: 'admin' }]);
  });

  it('removes elements with $patch: delete', () => {
    const out = patchPodSpec(twoContainers, {
      containers: [{ name: 'sidecar', $patch: 'delete' }, { name: 'web', env: [{ name: 'A', $patch: 'delete' }] }],
    });
    const containers = podSpec(out).containers as Json[];
    expect(containers.map((c) => c.name)).toEqual(['web']);
    expect(containers[0]!.env).toEqual([{ name: 'B', value: '2' }]);
  });

  it('replaces a merge list with $patch: replace', () => {
    const out = patchPodSpec(twoContainers, { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] });
    expect(podSpec(out).containers).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('reorders with $setElementOrder, interleaving server-only items', () => {
    const three = deployment({ template: { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'x' }] } } });
    const reordered = patchPodSpec(three, { '$setElementOrder/containers': [{ name: 'x' }, { name: 'b' }, { name: 'a' }] });
    expect((podSpec(reordered).containers as Json[]).map((c) => c.name)).toEqual(['x', 'b', 'a']);
    const partial = patchPodSpec(three, { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] });
    expect((podSpec(partial).containers as Json[]).map((c) => c.name)).toEqual(['b', 'a', 'x']);
    const added = patchPodSpec(three, {
      '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'x' }],
      containers: [{ name: 'c', image: 'new' }],
    });
    expect(podSpec(added).containers).toEqual([{ name: 'a' }, { name: 'b' }, { name: 'c', image: 'new' }, { name: 'x' }]);
  });

  it('rejects a patch list whose order contradicts $setElementOrder', () => {
    expectApiError(
      () =>
        patchPodSpec(twoContainers, {
          '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
          containers: [{ name: 'sidecar', image: 'a' }, { name: 'web', image: 'b' }],
        }),
      400,
      "doesn't match $setElementOrder list",
    );
  });
});

describe('strategicMergePatch: maps, scalars and directives', () => {
  it('deletes a map key with null and merges the rest', () => {
    const original = deployment({ template: { spec: { containers: [] } } }, { labels: { app: 'web', tier: 'fe' } });
    const out = strategicMergePatch(original, { metadata: { labels: { tier: null, env: 'prod' } } }, Deployment) as Json;
    expect((out.metadata as Json).labels).toEqual({ app: 'web', env: 'prod' });
  });

  it('replaces lists without a merge strategy (atomic and unannotated)', () => {
    const out = patchPodSpec(twoContainers, { containers: [{ name: 'sidecar', args: ['sleep', '5'], command: ['sh'] }] });
    const sidecar = (podSpec(out).containers as Json[])[1]!;
    expect(sidecar.args).toEqual(['sleep', '5']);
    expect(sidecar.command).toEqual(['sh']);
  });

  it('merges primitive merge lists as sets and removes with $deleteFromPrimitiveList', () => {
    const original = deployment({ template: { spec: { containers: [] } } }, { finalizers: ['a', 'b'] });
    const added = strategicMergePatch(original, { metadata: { finalizers: ['b', 'c'] } }, Deployment) as Json;
    expect((added.metadata as Json).finalizers).toEqual(['a', 'b', 'c']);
    const removed = strategicMergePatch(original, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, Deployment) as Json;
    expect((removed.metadata as Json).finalizers).toEqual(['b']);
  });

  it('keeps only listed keys with $retainKeys', () => {
    const original = deployment({
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: { spec: { containers: [] } },
    });
    const out = strategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, Deployment) as Json;
    expect((out.spec as Json).strategy).toEqual({ type: 'Recreate' });
    expectApiError(
      () => strategicMergePatch(original, { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } } } }, Deployment),
      400,
      'invalid patch format of retainKeys',
    );
  });

  it('replaces a map with $patch: replace and empties it with $patch: delete', () => {
    const original = deployment({ template: { spec: { containers: [], nodeSelector: { disk: 'ssd', zone: 'a' } } } });
    const replaced = patchPodSpec(original, { nodeSelector: { $patch: 'replace', zone: 'b' } });
    expect(podSpec(replaced).nodeSelector).toEqual({ zone: 'b' });
    const deleted = patchPodSpec(original, { nodeSelector: { $patch: 'delete' } });
    expect(podSpec(deleted).nodeSelector).toEqual({});
    const absent = patchPodSpec(deployment({ template: { spec: { containers: [] } } }), { nodeSelector: { $patch: 'delete' } });
    expect(podSpec(absent)).not.toHaveProperty('nodeSelector');
  });

  it('treats paths the schema does not know with merge-patch semantics', () => {
    const original = { ...twoContainers, status: { conditions: [{ type: 'Available' }], observedGeneration: 1 } };
    const out = strategicMergePatch(original, { status: { conditions: [{ type: 'Progressing' }], replicas: 2 } }, Deployment) as Json;
    expect(out.status).toEqual({ conditions: [{ type: 'Progressing' }], observedGeneration: 1, replicas: 2 });
  });

  it('cleans nulls and directives out of values that did not exist before', () => {
    const original = deployment({ template: { spec: { containers: [{ name: 'web' }] } } });
    const out = patchPodSpec(original, {
      volumes: [{ name: 'cache', emptyDir: { medium: null } }, { name: 'gone', $patch: 'delete' }],
      containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'A' }], env: [{ name: 'A', value: 'x' }] }],
    });
    expect(podSpec(out).volumes).toEqual([{ name: 'cache', emptyDir: {} }]);
    expect(podSpec(out).containers).toEqual([{ name: 'web', env: [{ name: 'A', value: 'x' }] }]);
  });

  it('does not modify its inputs', () => {
    const original = structuredClone(twoContainers);
    const patch = { spec: { template: { spec: { containers: [{ name: 'web', $patch: 'delete' }] } } } };
    const patchCopy = structuredClone(patch);
    strategicMergePatch(original, patch, Deployment);
    expect(original).toEqual(twoContainers);
    expect(patch).toEqual(patchCopy);
  });

  it('rejects malformed patches with 400 and lists of lists with 422', () => {
    expectApiError(() => strategicMergePatch(twoContainers, [], Deployment), 400, 'cannot unmarshal array');
    expectApiError(() => patchPodSpec(twoContainers, { nodeSelector: { $patch: 'explode' } }), 400, 'unknown patch type: explode');
    expectApiError(() => patchPodSpec(twoContainers, { containers: [{ image: 'no-name' }] }), 400, 'does not contain declared merge key: name');
    expectApiError(() => patchPodSpec(twoContainers, { '$setElementOrder/containers': 'web' }), 400, 'invalid patch format of setElementOrder list');
    expectApiError(
      () => strategicMergePatch(twoContainers, { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }, Deployment),
      400,
      'invalid patch format of primitive list',
    );
    expectApiError(
      () => strategicMergePatch(deployment({ template: { spec: { containers: [] } } }, { finalizers: ['a'] }), { metadata: { finalizers: [['x']] } }, Deployment),
      422,
      'the server rejected our request',
    );
  });
});

describe('strategicMergePatch: patches kubectl 1.32 apply sends', () => {
  const lastApplied = (obj: Json) => ({ 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(obj)}\n` });
  const live = deployment(
    {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, protocol: 'TCP' }], env: [{ name: 'A', value: '1' }] },
          ],
        },
      },
    },
    { annotations: lastApplied({ old: true }), generation: 1 },
  );

  it('changes the image', () => {
    const patch = {
      metadata: { annotations: lastApplied({ new: 'image' }) },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.26', name: 'web' }] } } },
    };
    const out = strategicMergePatch(live, patch, Deployment) as Json;
    const web = (podSpec(out).containers as Json[])[0]!;
    expect(web.image).toBe('nginx:1.26');
    expect(web.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, protocol: 'TCP' }]);
    expect((out.metadata as Json).annotations).toEqual(lastApplied({ new: 'image' }));
    expect(Deployment.safeParse(out).success).toBe(true);
  });

  it('adds an env var', () => {
    const patch = {
      metadata: { annotations: lastApplied({ new: 'env' }) },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [{ '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }], env: [{ name: 'B', value: '2' }], name: 'web' }],
          },
        },
      },
    };
    const out = strategicMergePatch(live, patch, Deployment) as Json;
    expect((podSpec(out).containers as Json[])[0]!.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(Deployment.safeParse(out).success).toBe(true);
  });

  it('removes a port', () => {
    const patch = {
      metadata: { annotations: lastApplied({ new: 'ports' }) },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [{ '$setElementOrder/ports': [{ containerPort: 80 }], name: 'web', ports: [{ $patch: 'delete', containerPort: 8080 }] }],
          },
        },
      },
    };
    const out = strategicMergePatch(live, patch, Deployment) as Json;
    expect((podSpec(out).containers as Json[])[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(Deployment.safeParse(out).success).toBe(true);
  });

  it('removes a field and a label, and adds a container in the applied order', () => {
    const patch = {
      spec: {
        replicas: null,
        template: {
          metadata: { labels: { app: null, tier: 'web' } },
          spec: {
            '$setElementOrder/containers': [{ name: 'init' }, { name: 'web' }],
            containers: [{ image: 'busybox', name: 'init' }],
          },
        },
      },
    };
    const out = strategicMergePatch(live, patch, Deployment) as Json;
    expect(out.spec).not.toHaveProperty('replicas');
    expect((((out.spec as Json).template as Json).metadata as Json).labels).toEqual({ tier: 'web' });
    expect((podSpec(out).containers as Json[]).map((c) => c.name)).toEqual(['init', 'web']);
  });
});
