/**
 * Differential test: the real kubectl (`kubectl patch --local`, which runs apimachinery's
 * strategicpatch on the Go types, no server involved) and strategicMergePatch must give
 * the same object for the same original and patch; likewise for merge and JSON patches.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyJsonPatch } from './json-patch.js';
import { mergePatch } from './merge-patch.js';
import { strategicMergePatch } from './strategic-merge-patch.js';
import { Deployment } from './test-deployment-schema.js';

const KUBECTL = process.env.KUBECTL ?? '/usr/bin/kubectl';
const workDir = mkdtempSync(join(tmpdir(), 'tkube-smp-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

let fileCounter = 0;
function kubectlPatch(original: unknown, patch: unknown, type = 'strategic'): unknown {
  const file = join(workDir, `obj-${fileCounter++}.json`);
  writeFileSync(file, JSON.stringify(original));
  const out = execFileSync(KUBECTL, ['patch', '--local', '-f', file, '--type', type, '-p', JSON.stringify(patch), '-o', 'json'], {
    env: { ...process.env, KUBECONFIG: '/dev/null' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out);
}

const base = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', tier: 'fe' }, finalizers: ['a.example.com/x', 'b.example.com/y'] },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:1.25',
            args: ['-g', 'daemon off;'],
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }],
          },
          { name: 'sidecar', image: 'busybox' },
        ],
        volumes: [{ name: 'cache', emptyDir: { medium: 'Memory' } }, { name: 'conf', configMap: { name: 'web-conf' } }],
        nodeSelector: { disk: 'ssd', zone: 'a' },
        tolerations: [{ key: 'dedicated', operator: 'Exists' }],
        imagePullSecrets: [{ name: 'reg' }],
      },
    },
  },
};

const podSpec = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });

const cases: [string, unknown][] = [
  ['new container without order', podSpec({ containers: [{ name: 'log', image: 'fluentd' }] })],
  ['update one container', podSpec({ containers: [{ name: 'sidecar', image: 'busybox:1.36' }] })],
  ['env merge, new and changed, out of order', podSpec({ containers: [{ name: 'web', env: [{ name: 'D', value: '4' }, { name: 'A', value: '9' }] }] })],
  [
    'setElementOrder on two levels',
    podSpec({
      '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
      containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'C' }, { name: 'D' }, { name: 'A' }, { name: 'B' }], env: [{ name: 'D', value: '4' }] }],
    }),
  ],
  [
    'kubectl apply: image change',
    podSpec({ '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ image: 'nginx:1.26', name: 'web' }] }),
  ],
  [
    'kubectl apply: port removed',
    podSpec({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
      containers: [{ '$setElementOrder/ports': [{ containerPort: 80 }], name: 'web', ports: [{ $patch: 'delete', containerPort: 8080 }] }],
    }),
  ],
  [
    'kubectl apply: container removed, env removed',
    podSpec({
      '$setElementOrder/containers': [{ name: 'web' }],
      containers: [
        { $patch: 'delete', name: 'sidecar' },
        { '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }], env: [{ $patch: 'delete', name: 'B' }], name: 'web' },
      ],
    }),
  ],
  ['replace a merge list', podSpec({ volumes: [{ name: 'only', emptyDir: {} }, { $patch: 'replace' }] })],
  ['atomic and unannotated lists replace', podSpec({ containers: [{ name: 'web', args: ['x'] }], tolerations: [{ key: 'other', operator: 'Exists' }] })],
  ['volume merge by name with nested object', podSpec({ volumes: [{ name: 'cache', emptyDir: { medium: null } }, { name: 'new', configMap: { name: 'n' } }] })],
  ['map replace directive', podSpec({ nodeSelector: { $patch: 'replace', zone: 'b' } })],
  ['null deletes keys', { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: null } }],
  ['retainKeys', { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }],
  ['finalizers merge as a set', { metadata: { finalizers: ['c.example.com/z', 'a.example.com/x'] } }],
  ['deleteFromPrimitiveList', { metadata: { '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'] } }],
  [
    'deleteFromPrimitiveList with setElementOrder',
    { metadata: { '$setElementOrder/finalizers': ['c.example.com/z', 'b.example.com/y'], '$deleteFromPrimitiveList/finalizers': ['a.example.com/x'], finalizers: ['c.example.com/z'] } },
  ],
  ['port merge by containerPort', podSpec({ containers: [{ name: 'web', ports: [{ containerPort: 9090, protocol: 'TCP' }, { containerPort: 80, name: 'http' }] }] })],
  ['retainKeys keeping a changed sub-map', { spec: { strategy: { $retainKeys: ['rollingUpdate', 'type'], rollingUpdate: { maxSurge: 2 } } } }],
  [
    'kubectl apply: new container with its own lists',
    podSpec({
      '$setElementOrder/containers': [{ name: 'web' }, { name: 'new' }, { name: 'sidecar' }],
      containers: [{ name: 'new', image: 'x', ports: [{ containerPort: 1 }], env: [{ name: 'Z', value: 'z' }] }],
    }),
  ],
  ['delete and re-add the same element', podSpec({ containers: [{ name: 'web', $patch: 'delete' }, { name: 'web', image: 'fresh' }] })],
  ['scalar set with duplicates in the patch', { metadata: { finalizers: ['c.example.com/z', 'c.example.com/z', 'b.example.com/y'] } }],
  ['setElementOrder alone on scalars', { metadata: { '$setElementOrder/finalizers': ['b.example.com/y', 'a.example.com/x'] } }],
  ['empty merge list in the patch changes nothing', { spec: { replicas: 4, template: { spec: { volumes: [] } } } }],
  ['null removes a whole list', podSpec({ volumes: null, imagePullSecrets: null })],
  ['delete a list element that is not there', podSpec({ imagePullSecrets: [{ $patch: 'delete', name: 'missing' }, { name: 'extra' }] })],
];

describe('strategicMergePatch agrees with kubectl patch --local', () => {
  it.each(cases)('%s', (_name, patch) => {
    const expected = kubectlPatch(base, patch);
    expect(expected).not.toEqual(base); // every case changes something
    const actual = strategicMergePatch(base, patch, Deployment);
    expect(actual).toEqual(expected);
  });
});

describe('merge and JSON patches agree with kubectl patch --local', () => {
  it.each([
    ['merge: lists replace, null deletes', podSpec({ containers: [{ name: 'only', image: 'x' }], nodeSelector: { zone: null } })],
    ['merge: labels', { metadata: { labels: { tier: null, env: 'prod' } } }],
  ])('%s', (_name, patch) => {
    expect(mergePatch(base, patch)).toEqual(kubectlPatch(base, patch, 'merge'));
  });

  it.each([
    ['json: replace and add', [{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'add', path: '/metadata/labels/env', value: 'prod' }]],
    ['json: remove list element and test', [{ op: 'test', path: '/spec/template/spec/containers/1/name', value: 'sidecar' }, { op: 'remove', path: '/spec/template/spec/containers/1' }]],
    ['json: move and copy', [{ op: 'copy', from: '/metadata/labels', path: '/spec/template/metadata/labels' }, { op: 'move', from: '/spec/template/spec/nodeSelector/zone', path: '/spec/template/spec/nodeSelector/region' }]],
  ])('%s', (_name, patch) => {
    expect(applyJsonPatch(base, patch)).toEqual(kubectlPatch(base, patch, 'json'));
  });
});
