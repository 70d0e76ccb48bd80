/**
 * The real kubectl (v1.32) against a tiny server that serves only our discovery,
 * OpenAPI and /version documents: resource listing, explain, and the field
 * validation negotiation of `kubectl create`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKubectlHarness, type KubectlHarness } from './kubectl-harness.js';
import { sampleResources } from './sample-resources.js';

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  notAField: true
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
`;

describe('kubectl against the discovery and OpenAPI documents', () => {
  let h: KubectlHarness;
  beforeAll(async () => {
    h = await startKubectlHarness(sampleResources);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('kubectl version reports the server without a skew warning', async () => {
    const r = await h.kubectl(['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Server Version: v1.32.0-tkube');
    expect(r.stdout + r.stderr).not.toMatch(/WARNING/i);
  });

  it('kubectl api-resources lists every resource from aggregated discovery', async () => {
    const r = await h.kubectl(['api-resources']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    expect(rows).toContainEqual(['pods', 'po', 'v1', 'true', 'Pod']);
    expect(rows).toContainEqual(['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    expect(rows).toContainEqual(['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    expect(rows).toContainEqual(['leases', 'coordination.k8s.io/v1', 'true', 'Lease']);
    const discovery = h.requests.filter((q) => q.url.startsWith('/apis?') || q.url.startsWith('/api?'));
    expect(discovery.length).toBeGreaterThan(0);
    // Served aggregated: kubectl did not need to walk each group version.
    expect(h.requests.some((q) => q.url.startsWith('/apis/apps/v1?'))).toBe(false);
  });

  it('kubectl explain deployment.spec.replicas', async () => {
    const r = await h.kubectl(['explain', 'deployment.spec.replicas']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('GROUP:      apps');
    expect(r.stdout).toContain('KIND:       Deployment');
    expect(r.stdout).toContain('VERSION:    v1');
    expect(r.stdout).toContain('FIELD: replicas <integer>');
    expect(r.stdout).toMatch(/DESCRIPTION:\n\s+Number of desired pods\. Defaults to 1\./);
  });

  it('kubectl explain pods.spec.containers lists the container fields', async () => {
    const r = await h.kubectl(['explain', 'pods.spec.containers']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KIND:       Pod');
    expect(r.stdout).toContain('FIELD: containers <[]Object>');
    expect(r.stdout).toContain('List of containers belonging to the pod.');
    expect(r.stdout).toMatch(/FIELDS:\n/);
    expect(r.stdout).toMatch(/\n {2}name\t<string> -required-\n {4}Name of the container/);
    expect(r.stdout).toMatch(/\n {2}image\t<string>\n/);
  });

  it('kubectl explain follows refs into ObjectMeta and rejects unknown fields', async () => {
    const ok = await h.kubectl(['explain', 'deployment.spec.template.metadata.labels']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('FIELD: labels <map[string]string>');
    const bad = await h.kubectl(['explain', 'deployment.spec.nope']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr + bad.stdout).toContain('field "nope" does not exist');
  });

  it('kubectl create leaves validation to the server with fieldValidation=Strict', async () => {
    const before = h.requests.length;
    const r = await h.kubectl(['create', '-f', '-'], DEPLOYMENT_YAML);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployment.apps/web created');
    const posts = h.requests.slice(before).filter((q) => q.method === 'POST');
    expect(posts).toHaveLength(1);
    const url = new URL(posts[0]!.url, 'http://x');
    expect(url.pathname).toBe('/apis/apps/v1/namespaces/default/deployments');
    expect(url.searchParams.get('fieldValidation')).toBe('Strict');
    // The unknown field went to the server untouched: no client-side schema validation.
    expect(JSON.parse(posts[0]!.body).spec.notAField).toBe(true);
    // Decided from the OpenAPI v3 document alone.
    expect(h.requests.some((q) => q.url.startsWith('/openapi/v2'))).toBe(false);
  });

  it('kubectl explain --output=plaintext-openapiv2 reads the protobuf v2 document', async () => {
    const r = await h.kubectl(['explain', '--output=plaintext-openapiv2', 'deployment.spec.template.spec.containers']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('KIND:     Deployment');
    expect(r.stdout).toContain('VERSION:  apps/v1');
    expect(r.stdout).toContain('RESOURCE: containers <[]Object>');
    expect(r.stdout).toMatch(/\n {3}name\t<string> -required-\n {5}Name of the container/);
    expect(h.requests.some((q) => q.url.startsWith('/openapi/v2'))).toBe(true);
  });
});
