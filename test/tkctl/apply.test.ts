import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configMaps, deployments } from '../../api/registry.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { tkctl } from './run-tkctl.js';

function deploymentYaml(image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
${extra}`;
}

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
}, 60_000);
afterAll(async () => {
  await cp?.stop();
});

describe('tkctl apply', () => {
  it('creates, configures with a three-way merge, and reports unchanged', async () => {
    const file = join(cp.dir, 'web.yaml');
    writeFileSync(
      file,
      deploymentYaml(
        'nginx:1',
        `        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        ports:
        - {containerPort: 80}
        - {containerPort: 443}
`,
      ),
    );
    let r = await tkctl(cp, ['apply', '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/web created\n' });

    // Something else sets a field the config does not own: apply must keep it.
    await cp.client.resource(deployments, 'default').patch('web', 'merge', { metadata: { annotations: { 'other/owner': 'x' } }, spec: { minReadySeconds: 3 } });

    writeFileSync(
      file,
      deploymentYaml(
        'nginx:2',
        `        env:
        - {name: B, value: "2"}
        - {name: C, value: "3"}
        ports:
        - {containerPort: 80}
`,
      ),
    );
    r = await tkctl(cp, ['apply', '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/web configured\n' });
    const d = await cp.client.resource(deployments, 'default').get('web');
    const c = d.spec.template.spec.containers[0]!;
    expect(c.image).toBe('nginx:2');
    expect(c.env).toEqual([
      { name: 'B', value: '2' },
      { name: 'C', value: '3' },
    ]);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([80]);
    expect(d.spec.minReadySeconds).toBe(3);
    expect(d.metadata.annotations?.['other/owner']).toBe('x');
    expect(JSON.parse(d.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!).spec.template.spec.containers[0].image).toBe('nginx:2');

    r = await tkctl(cp, ['apply', '-f', file]);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/web unchanged\n' });
  });

  it('reads directories recursively, multi-document YAML and stdin', async () => {
    const dir = join(cp.dir, 'manifests');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: v}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n');
    writeFileSync(join(dir, 'sub', 'c.yml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    let r = await tkctl(cp, ['apply', '-f', dir]);
    expect(r.stdout).toBe('configmap/a created\nconfigmap/b created\n');
    r = await tkctl(cp, ['apply', '-R', '-f', dir]);
    expect(r.stdout).toBe('configmap/a unchanged\nconfigmap/b unchanged\nconfigmap/c created\n');
    r = await tkctl(cp, ['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: w}\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/a configured\n' });
  });

  it('checks -n against the namespace in the file, and deletes what a file names', async () => {
    const file = join(cp.dir, 'ns.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: other}\n');
    let r = await tkctl(cp, ['apply', '-n', 'default', '-f', file]);
    expect(r).toMatchObject({
      code: 1,
      stderr: `error: the namespace from the provided object "other" does not match the namespace "default". You must pass '--namespace=other' to perform this operation.\n`,
    });
    r = await tkctl(cp, ['delete', '-f', join(cp.dir, 'manifests'), '-R']);
    expect(r).toMatchObject({ code: 0, stdout: 'configmap "a" deleted\nconfigmap "b" deleted\nconfigmap "c" deleted\n' });
  });

  it('create fails with one line for an existing object', async () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n';
    expect(await tkctl(cp, ['create', '-f', '-'], { stdin: cm })).toMatchObject({ code: 0, stdout: 'configmap/a created\n' });
    const r = await tkctl(cp, ['create', '-f', '-'], { stdin: cm });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: configmaps "a" already exists\n');
  });

  it('applies over an object made by create: warns without --save-config, not with it', async () => {
    let r = await tkctl(cp, ['create', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "1"}\n' });
    r = await tkctl(cp, ['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: "2"}\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/plain configured\n' });
    expect(r.stderr).toMatch(/^Warning: resource configmaps\/plain is missing the kubectl.kubernetes.io\/last-applied-configuration annotation/);
    r = await tkctl(cp, ['create', '--save-config', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: saved}\ndata: {a: "1", b: "2"}\n' });
    r = await tkctl(cp, ['apply', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: saved}\ndata: {a: "1"}\n' });
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'configmap/saved configured\n' });
    expect((await cp.client.resource(configMaps, 'default').get('saved')).data).toEqual({ a: '1' });
  });

  it('bad input gives one error line and exit code 1', async () => {
    for (const [args, stdin, expected] of [
      [['apply', '-f', join(cp.dir, 'missing.yaml')], '', /^error: the path ".*missing.yaml" does not exist\n$/],
      [['apply', '-f', '-'], 'kind: [', /^error: error parsing STDIN: .+\n$/],
      [['apply', '-f', '-'], 'apiVersion: v9\nkind: Thing\nmetadata: {name: x}\n', /^error: resource mapping not found for kind "Thing" in version "v9"\n$/],
      [['get', 'frobs'], '', /^error: the server doesn't have a resource type "frobs"\n$/],
      [['get', 'deploy', 'nope'], '', /^error: deployments.apps "nope" not found\n$/],
      [['scale', 'deploy/web', '--replicas', 'x'], '', /^error: .*replicas.*\n$/],
      [['frobnicate'], '', /^error: unknown command 'frobnicate'\n$/],
    ] as const) {
      const r = await tkctl(cp, [...args], { stdin });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(expected);
    }
  });
});
