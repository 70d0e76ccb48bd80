/**
 * The documents generated from the real resource list (api/registry.ts) with the
 * Kubernetes type names, checked for internal consistency, and driven by the real kubectl.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resources } from '../../api/registry.js';
import { discoveryResponse } from '../discovery.js';
import { startKubectlHarness, type KubectlHarness } from './kubectl-harness.js';
import { componentName } from './schema-names.js';
import { kubernetesOpenApiOptions } from './type-names.js';
import { buildOpenApiV3 } from './v3.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-local navigation of JSON

function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

describe('documents of the real resource list', () => {
  const docs = buildOpenApiV3(resources, kubernetesOpenApiOptions());

  it('one document per served group version, each self-contained', () => {
    expect(docs.map((d) => d.key)).toEqual(['api/v1', 'apis/apps/v1', 'apis/coordination.k8s.io/v1', 'apis/certificates.k8s.io/v1', 'apis/rbac.authorization.k8s.io/v1', 'apis/authorization.k8s.io/v1']);
    for (const { document } of docs) {
      const schemas = (document as Json).components.schemas as Json;
      const targets = new Set(Object.keys(schemas).map((n) => `#/components/schemas/${n}`));
      expect(refsIn(document).filter((r) => !targets.has(r))).toEqual([]);
    }
  });

  it('every resource has its GVK-tagged component and fieldValidation on its PATCH', () => {
    for (const def of resources) {
      const doc = docs.find((d) => d.gv.group === def.group && d.gv.version === def.version)!.document as Json;
      expect(doc.components.schemas[componentName(def.group, def.version, def.kind)]['x-kubernetes-group-version-kind']).toEqual([
        { group: def.group, kind: def.kind, version: def.version },
      ]);
      if (!def.verbs.includes('patch')) continue; // create-only kinds (access reviews) have no PATCH
      const patches = Object.values(doc.paths as Json).filter(
        (item: Json) => item.patch?.['x-kubernetes-group-version-kind']?.kind === def.kind,
      ) as Json[];
      expect(patches.length).toBeGreaterThan(0);
      for (const item of patches) expect(item.patch.parameters.map((p: Json) => p.name)).toContain('fieldValidation');
    }
  });

  it('nested types are shared components with Kubernetes names', () => {
    const core = docs.find((d) => d.key === 'api/v1')!.document as Json;
    const apps = docs.find((d) => d.key === 'apis/apps/v1')!.document as Json;
    for (const name of ['io.k8s.api.core.v1.Container', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']) {
      expect(core.components.schemas[name]).toBeDefined();
    }
    expect(apps.components.schemas['io.k8s.api.apps.v1.DeploymentSpec']).toBeDefined();
    expect(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']['x-kubernetes-group-version-kind']).toEqual([
      { group: 'autoscaling', kind: 'Scale', version: 'v1' },
    ]);
  });

  it('is deterministic', () => {
    const again = buildOpenApiV3(resources, kubernetesOpenApiOptions());
    expect(again.map((d) => d.hash)).toEqual(docs.map((d) => d.hash));
  });

  it('discovery lists every resource', () => {
    const apis = JSON.parse(discoveryResponse('/apis', 'application/json', resources)!.body.toString());
    expect(apis.groups.map((g: Json) => g.name)).toEqual(['apps', 'coordination.k8s.io', 'certificates.k8s.io', 'rbac.authorization.k8s.io', 'authorization.k8s.io']);
    const v1 = JSON.parse(discoveryResponse('/api/v1', 'application/json', resources)!.body.toString());
    const names = v1.resources.map((r: Json) => r.name);
    for (const def of resources.filter((r) => r.group === '')) expect(names).toContain(def.plural);
    expect(names).toEqual(expect.arrayContaining(['pods/log', 'pods/exec', 'pods/binding', 'pods/status', 'nodes/status', 'namespaces/finalize']));
  });
});

describe('kubectl with the real resource list', () => {
  let h: KubectlHarness;
  beforeAll(async () => {
    h = await startKubectlHarness(resources);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('api-resources shows every served resource', async () => {
    const r = await h.kubectl(['api-resources', '-o', 'name']);
    expect(r.code).toBe(0);
    const expected = resources.map((d) => (d.group ? `${d.plural}.${d.group}` : d.plural)).sort();
    expect(r.stdout.trim().split('\n').sort()).toEqual(expected);
  });

  it('explain deployment.spec.template.spec.containers', async () => {
    const r = await h.kubectl(['explain', 'deployment.spec.template.spec.containers']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n');
    expect(r.stdout).toContain('FIELD: containers <[]Container>');
    expect(r.stdout).toMatch(/\n {2}name\t<string> -required-\n/);
    expect(r.stdout).toMatch(/\n {2}image\t<string>\n/);
    expect(r.stdout).toMatch(/\n {2}ports\t<\[\]ContainerPort>\n/);
  });

  it('explain deployment.spec.replicas and pods.spec.containers', async () => {
    const replicas = await h.kubectl(['explain', 'deployment.spec.replicas']);
    expect(replicas.code).toBe(0);
    expect(replicas.stdout).toContain('FIELD: replicas <integer>');
    const containers = await h.kubectl(['explain', 'pods.spec.containers']);
    expect(containers.code).toBe(0);
    expect(containers.stdout).toContain('KIND:       Pod');
    expect(containers.stdout).toContain('FIELD: containers <[]Container>');
  });

  it('create -f sends fieldValidation=Strict and leaves unknown fields to the server', async () => {
    const yaml = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: web}',
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  replicaz: 3',
      '  template:',
      '    metadata: {labels: {app: web}}',
      '    spec: {containers: [{name: web, image: nginx}]}',
      '',
    ].join('\n');
    const r = await h.kubectl(['create', '-f', '-'], yaml);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const post = h.requests.find((q) => q.method === 'POST')!;
    expect(new URL(post.url, 'http://x').searchParams.get('fieldValidation')).toBe('Strict');
    expect(JSON.parse(post.body).spec.replicaz).toBe(3);
  });
});
