/**
 * The real kubectl (v1.32, default client-side validation on) against the apiserver:
 * discovery, create/apply/get/describe/label/annotate/patch/scale/delete/explain, watches
 * and pod deletion semantics. Assertions read the stored object back, not kubectl's echo.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { request, sleep } from './rest.js';

const NS = 'tkube-kubectl';
let cp: TestControlPlane;

beforeAll(async () => {
  // No service-account controllers (their kube-root-ca.crt would be counted and deleted with the ConfigMaps): the default ServiceAccount pods need is made here.
  cp = await startControlPlane({ serviceAccountControllers: false });
  // Not `kubectl create namespace`: kubectl's typed create subcommands send protobuf, which tkube does not decode yet.
  await cp.kubectl(['create', '-f', '-'], { input: `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: ${NS}}\n` });
});
afterAll(async () => {
  await cp?.stop();
});

const k = (...args: string[]) => cp.kubectl(args).then((r) => r.stdout);
function manifest(name: string, text: string): string {
  const file = join(cp.dir, name);
  writeFileSync(file, text);
  return file;
}
async function stored(path: string): Promise<Record<string, any>> {
  const res = await request(cp.url, 'GET', path);
  expect(res.status).toBe(200);
  return res.json as Record<string, any>;
}
const deployPath = (name: string) => `/apis/apps/v1/namespaces/${NS}/deployments/${name}`;

function deployment(image: string, env: string, ports: number[]): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: ${image}
        env:
${env}
        ports:
${ports.map((p) => `        - {containerPort: ${p}, name: p${p}}`).join('\n')}
`;
}

describe('kubectl against tkube', () => {
  it('version and api-resources', async () => {
    const v = JSON.parse(await k('version', '-o', 'json')) as { serverVersion: { gitVersion: string; major: string; minor: string } };
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.32\./);
    const res = await k('api-resources');
    expect(res).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(res).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(res).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    expect(res).toMatch(/^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease$/m);
  });

  it('create -f, then apply -f twice with changes (image, env, removed port)', async () => {
    const cmFile = manifest('cm.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ${NS}, labels: {app: web}}\ndata: {a: "1"}\n`);
    expect(await k('create', '-f', cmFile)).toContain('configmap/settings created');
    expect((await stored(`/api/v1/namespaces/${NS}/configmaps/settings`)).data).toEqual({ a: '1' });

    const env1 = '        - {name: MODE, value: blue}\n        - {name: LEVEL, value: "1"}';
    const v1 = manifest('deploy-v1.yaml', deployment('nginx:1.25', env1, [80, 443]));
    expect(await k('apply', '-f', v1)).toContain('deployment.apps/web created');
    let d = await stored(deployPath('web'));
    expect(d.metadata.generation).toBe(1);
    expect(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('nginx:1.25');

    const env2 = '        - {name: MODE, value: green}\n        - {name: EXTRA, value: "x"}';
    const v2 = manifest('deploy-v2.yaml', deployment('nginx:1.27', env2, [80]));
    expect(await k('apply', '-f', v2)).toContain('deployment.apps/web configured');
    d = await stored(deployPath('web'));
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('nginx:1.27');
    expect(c.env).toEqual([
      { name: 'MODE', value: 'green' },
      { name: 'EXTRA', value: 'x' },
    ]);
    expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([80]);
    expect(d.metadata.generation).toBe(2);
    // Applying the same file again changes nothing.
    expect(await k('apply', '-f', v2)).toContain('deployment.apps/web unchanged');
    expect((await stored(deployPath('web'))).metadata.resourceVersion).toBe(d.metadata.resourceVersion);
  });

  it('get: tables, -o wide/yaml/json, -l, --field-selector, -A', async () => {
    const table = await k('get', 'deployments', '-n', NS);
    expect(table).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    expect(table).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+$/m);
    const wide = await k('get', 'deployment', 'web', '-n', NS, '-o', 'wide');
    expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(wide).toMatch(/web\s+nginx:1\.27\s+app=web/);
    const yaml = await k('get', 'deploy', 'web', '-n', NS, '-o', 'yaml');
    expect(yaml).toMatch(/^kind: Deployment$/m);
    expect(yaml).toContain('image: nginx:1.27');
    const json = JSON.parse(await k('get', 'configmap', 'settings', '-n', NS, '-o', 'json')) as { data: Record<string, string> };
    expect(json.data).toEqual({ a: '1' });

    await cp.kubectl(['create', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: ${NS}}\ndata: {b: "2"}\n` });
    const byLabel = await k('get', 'configmaps', '-n', NS, '-l', 'app=web', '-o', 'name');
    expect(byLabel.trim().split('\n')).toEqual(['configmap/settings']);
    const notLabel = await k('get', 'configmaps', '-n', NS, '-l', 'app!=web', '-o', 'name');
    expect(notLabel).toContain('configmap/other');
    expect(notLabel).not.toContain('configmap/settings');
    const byField = await k('get', 'configmaps', '-n', NS, '--field-selector', 'metadata.name=other', '-o', 'name');
    expect(byField.trim()).toBe('configmap/other');

    const all = await k('get', 'configmaps', '-A');
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    expect(all).toMatch(new RegExp(`^${NS}\\s+settings\\s+1\\s+`, 'm'));
    const nsTable = await k('get', 'namespaces');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', NS]) expect(nsTable).toMatch(new RegExp(`^${ns}\\s+Active\\s+`, 'm'));
  });

  it('get -w shows later changes (server-side table rows and custom columns)', async () => {
    const watchers = [
      ['get', 'configmaps', '-n', NS, '-w'],
      ['get', 'configmaps', '-n', NS, '-w', '-o', 'custom-columns=NAME:.metadata.name,COLOR:.data.color'],
    ].map((args) => {
      const child = spawn('kubectl', ['--kubeconfig', cp.kubeconfig, ...args], { env: { ...process.env, HOME: cp.dir } });
      const w = { child, out: '' };
      child.stdout.on('data', (b: Buffer) => (w.out += b.toString()));
      child.stderr.on('data', (b: Buffer) => (w.out += b.toString()));
      return w;
    });
    const [table, columns] = watchers as [(typeof watchers)[0], (typeof watchers)[0]];
    const waitFor = async (w: { out: string }, re: RegExp) => {
      const deadline = Date.now() + 15_000;
      while (!re.test(w.out)) {
        if (Date.now() > deadline) throw new Error(`kubectl get -w did not show ${re}; output:\n${w.out}`);
        await sleep(100);
      }
    };
    try {
      await waitFor(table, /^NAME\s+DATA\s+AGE\n/m);
      await waitFor(table, /^settings\s+1\s+\S+$/m);
      await waitFor(columns, /^settings\s+<none>$/m);
      await cp.kubectl(['create', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: watched, namespace: ${NS}}\ndata: {color: red}\n` });
      await waitFor(columns, /^watched\s+red$/m);
      await waitFor(table, /^watched\s+1\s+\S+$/m);
      await k('patch', 'configmap', 'watched', '-n', NS, '--type', 'merge', '-p', '{"data":{"color":"blue","shade":"dark"}}');
      await waitFor(columns, /^watched\s+blue$/m);
      await waitFor(table, /^watched\s+2\s+\S+$/m);
      const lines = columns.out.trim().split('\n');
      expect(lines.findIndex((l) => /^watched\s+red$/.test(l))).toBeLessThan(lines.findIndex((l) => /^watched\s+blue$/.test(l)));
      // The header is printed once, not again for every watch event.
      expect(table.out.match(/^NAME\s+DATA\s+AGE$/gm)).toHaveLength(1);
    } finally {
      for (const w of watchers) w.child.kill('SIGTERM');
    }
  });

  it('describe', async () => {
    const out = await k('describe', 'deployment', 'web', '-n', NS);
    expect(out).toMatch(/^Name:\s+web$/m);
    expect(out).toMatch(/^Namespace:\s+tkube-kubectl$/m);
    expect(out).toMatch(/^Selector:\s+app=web$/m);
    expect(out).toMatch(/Image:\s+nginx:1\.27/);
    const cm = await k('describe', 'configmap', 'settings', '-n', NS);
    expect(cm).toMatch(/^Name:\s+settings$/m);
  });

  it('label and annotate', async () => {
    await k('label', 'deployment', 'web', '-n', NS, 'team=core');
    await k('annotate', 'deployment', 'web', '-n', NS, 'note=hello');
    let d = await stored(deployPath('web'));
    expect(d.metadata.labels).toEqual({ app: 'web', tier: 'front', team: 'core' });
    expect(d.metadata.annotations.note).toBe('hello');
    const gen = d.metadata.generation;
    await k('label', 'deployment', 'web', '-n', NS, 'team=edge', '--overwrite');
    await k('label', 'deployment', 'web', '-n', NS, 'tier-');
    await k('annotate', 'deployment', 'web', '-n', NS, 'note-');
    d = await stored(deployPath('web'));
    expect(d.metadata.labels).toEqual({ app: 'web', team: 'edge' });
    expect(d.metadata.annotations.note).toBeUndefined();
    expect(d.metadata.generation).toBe(gen); // metadata changes do not bump generation
    // Without --overwrite, changing an existing label is refused by kubectl.
    await expect(k('label', 'deployment', 'web', '-n', NS, 'team=other')).rejects.toThrow(/already has a value/);
  });

  it('patch --type merge | json | strategic', async () => {
    await k('patch', 'deployment', 'web', '-n', NS, '--type', 'merge', '-p', '{"spec":{"minReadySeconds":5}}');
    expect((await stored(deployPath('web'))).spec.minReadySeconds).toBe(5);
    await k('patch', 'deployment', 'web', '-n', NS, '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]');
    expect((await stored(deployPath('web'))).spec.template.spec.containers[0].image).toBe('nginx:1.28');
    // Strategic merge: containers merge by name, so this adds a sidecar and keeps "web".
    await k('patch', 'deployment', 'web', '-n', NS, '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}');
    let names = (await stored(deployPath('web'))).spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(names.sort()).toEqual(['side', 'web']);
    await k('patch', 'deployment', 'web', '-n', NS, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}');
    names = (await stored(deployPath('web'))).spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(names).toEqual(['web']);
    // A json patch whose test fails is refused and changes nothing.
    await expect(k('patch', 'deployment', 'web', '-n', NS, '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":99}]')).rejects.toThrow();
  });

  it('scale', async () => {
    expect(await k('scale', 'deployment', 'web', '-n', NS, '--replicas=5')).toContain('deployment.apps/web scaled');
    expect((await stored(deployPath('web'))).spec.replicas).toBe(5);
    // --current-replicas is a precondition.
    await expect(k('scale', 'deployment', 'web', '-n', NS, '--current-replicas=2', '--replicas=1')).rejects.toThrow();
    expect((await stored(deployPath('web'))).spec.replicas).toBe(5);
  });

  it('explain', async () => {
    const out = await k('explain', 'deployment.spec.replicas');
    expect(out).toMatch(/KIND:\s+Deployment/);
    expect(out).toMatch(/FIELD:\s+replicas\s+<integer>/);
    const pods = await k('explain', 'pods.spec.containers');
    expect(pods).toMatch(/FIELD:\s+containers\s+<\[\]Container>/);
    expect(pods).toMatch(/^\s+image\s+<string>/m);
  });

  it('delete --cascade=orphan leaves the orphan finalizer; delete --all removes every object', async () => {
    await k('delete', 'deployment', 'web', '-n', NS, '--cascade=orphan', '--wait=false');
    const d = await stored(deployPath('web'));
    expect(d.metadata.deletionTimestamp).toBeTruthy();
    expect(d.metadata.finalizers).toEqual(['orphan']);
    // The garbage collector would remove the finalizer; doing it by hand completes the deletion.
    await k('patch', 'deployment', 'web', '-n', NS, '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]');
    expect((await request(cp.url, 'GET', deployPath('web'))).status).toBe(404);

    const before = await k('get', 'configmaps', '-n', NS, '-o', 'name');
    expect(before.trim().split('\n').length).toBe(3);
    const out = await k('delete', 'configmaps', '--all', '-n', NS);
    expect(out).toContain('configmap "settings" deleted');
    const after = await cp.kubectl(['get', 'configmaps', '-n', NS]);
    expect(after.stdout).toBe('');
    expect(after.stderr).toContain(`No resources found in ${NS} namespace.`);
  });

  it('pods: create, get -o wide, delete (unbound at once; bound after the grace period or --force)', async () => {
    const podYaml = (name: string, node?: string) =>
      manifest(`${name}.yaml`, `apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}, namespace: ${NS}}\nspec:\n${node ? `  nodeName: ${node}\n` : ''}  containers:\n  - {name: c, image: busybox:1.36, command: [sleep, "3600"]}\n`);
    await k('create', '-f', podYaml('free'));
    await k('create', '-f', podYaml('bound', 'tkube-node-1'));
    const wide = await k('get', 'pods', '-n', NS, '-o', 'wide');
    expect(wide).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    expect(wide).toMatch(/^free\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>\s+<none>\s+<none>$/m);
    expect(wide).toMatch(/^bound\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+tkube-node-1\s+/m);

    expect(await k('delete', 'pod', 'free', '-n', NS)).toContain('pod "free" deleted');
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/pods/free`)).status).toBe(404);

    await k('delete', 'pod', 'bound', '-n', NS, '--wait=false');
    const p = await stored(`/api/v1/namespaces/${NS}/pods/bound`);
    expect(p.metadata.deletionTimestamp).toBeTruthy();
    expect(p.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(await k('get', 'pods', '-n', NS)).toMatch(/^bound\s+0\/1\s+Terminating\s+/m);
    await k('delete', 'pod', 'bound', '-n', NS, '--grace-period=0', '--force');
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/pods/bound`)).status).toBe(404);
  });
});
