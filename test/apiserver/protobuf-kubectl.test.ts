/**
 * kubectl's typed `create` subcommands send their objects as application/vnd.kubernetes.protobuf.
 * The real kubectl v1.32 against the apiserver; assertions read the stored objects back as JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOBUF_MAGIC, writeEnvelope } from '../../apiserver/protobuf/envelope.js';
import { messageTypeFor } from '../../apiserver/protobuf/schema.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { request } from './rest.js';

const NS = 'tkube-protobuf';
let cp: TestControlPlane;

beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

const k = (...args: string[]) => cp.kubectl(args).then((r) => r.stdout);
async function stored(path: string): Promise<Record<string, any>> {
  const res = await request(cp.url, 'GET', path);
  expect(res.status, res.text).toBe(200);
  return res.json as Record<string, any>;
}

describe('kubectl create (protobuf request bodies)', () => {
  it('creates a namespace', async () => {
    expect(await k('create', 'namespace', NS)).toContain(`namespace/${NS} created`);
    const ns = await stored(`/api/v1/namespaces/${NS}`);
    expect(ns.metadata.name).toBe(NS);
    expect(ns.metadata.uid).toBeTruthy();
    expect(ns.status.phase).toBe('Active');
  });

  it('creates a configmap from literals', async () => {
    await k('create', 'configmap', 'c', '--from-literal=a=b', '--from-literal=greeting=hello world', '-n', NS);
    const cm = await stored(`/api/v1/namespaces/${NS}/configmaps/c`);
    expect(cm.data).toEqual({ a: 'b', greeting: 'hello world' });
    expect(cm.binaryData).toBeUndefined();
  });

  it('creates a generic secret, stored base64-encoded with the default type', async () => {
    await k('create', 'secret', 'generic', 's', '--from-literal=k=v', '-n', NS);
    const secret = await stored(`/api/v1/namespaces/${NS}/secrets/s`);
    expect(secret.data).toEqual({ k: Buffer.from('v').toString('base64') });
    expect(secret.type).toBe('Opaque');
  });

  it('creates a deployment with replicas, image and command', async () => {
    await k('create', 'deployment', 'web', '--image=busybox', '--replicas=2', '-n', NS, '--', 'sleep', '1000');
    const d = await stored(`/apis/apps/v1/namespaces/${NS}/deployments/web`);
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(d.spec.template.metadata.labels).toEqual({ app: 'web' });
    const [container, ...others] = d.spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container).toMatchObject({ name: 'busybox', image: 'busybox', command: ['sleep', '1000'] });
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  });

  it('keeps an explicit --replicas=0', async () => {
    await k('create', 'deployment', 'idle', '--image=busybox', '--replicas=0', '--port=8080', '-n', NS);
    const d = await stored(`/apis/apps/v1/namespaces/${NS}/deployments/idle`);
    expect(d.spec.replicas).toBe(0);
    expect(d.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 8080, protocol: 'TCP' }]);
  });

  it('creates a service account', async () => {
    await k('create', 'serviceaccount', 'sa1', '-n', NS);
    const sa = await stored(`/api/v1/namespaces/${NS}/serviceaccounts/sa1`);
    expect(sa.metadata.name).toBe('sa1');
  });

  it('creates a ClusterIP service with its port mapping', async () => {
    await k('create', 'service', 'clusterip', 'svc', '--tcp=80:8080', '-n', NS);
    const svc = await stored(`/api/v1/namespaces/${NS}/services/svc`);
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.selector).toEqual({ app: 'svc' });
    expect(svc.spec.ports).toEqual([{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }]);
  });

  it('reports errors of protobuf creates as kubectl expects them', async () => {
    await expect(k('create', 'configmap', 'c', '--from-literal=a=b', '-n', NS)).rejects.toThrow(/AlreadyExists|already exists/);
    await expect(k('create', 'namespace', 'Not_A_Name')).rejects.toThrow(/Invalid|invalid/);
  });

  it('honours --dry-run=server without storing', async () => {
    expect(await k('create', 'configmap', 'dry', '--from-literal=x=y', '-n', NS, '--dry-run=server')).toContain('configmap/dry created (server dry run)');
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/configmaps/dry`)).status).toBe(404);
    // kubectl puts dryRun in the DeleteOptions body of a delete.
    expect(await k('delete', 'configmap', 'c', '-n', NS, '--dry-run=server')).toContain('(server dry run)');
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/configmaps/c`)).status).toBe(200);
  });
});

describe('protobuf bodies over raw HTTP', () => {
  it('creates and replaces an object sent as protobuf', async () => {
    const type = messageTypeFor('v1', 'ConfigMap')!;
    const encode = (fields: Record<string, unknown>) => writeEnvelope('v1', 'ConfigMap', type.encode(type.fromObject(fields)).finish());
    const created = await request(cp.url, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
      body: encode({ metadata: { name: 'raw' }, data: { one: '1' }, binaryData: { bin: Buffer.from([0, 1, 2]) } }),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(created.status, created.text).toBe(201);
    const rv = (created.json as any).metadata.resourceVersion as string;
    const replaced = await request(cp.url, 'PUT', `/api/v1/namespaces/${NS}/configmaps/raw`, {
      body: encode({ metadata: { name: 'raw', resourceVersion: rv }, data: { one: '2' } }),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(replaced.status, replaced.text).toBe(200);
    const cm = await stored(`/api/v1/namespaces/${NS}/configmaps/raw`);
    expect(cm.data).toEqual({ one: '2' });
    expect(cm.binaryData).toBeUndefined();
  });

  it('reads DeleteOptions sent as protobuf (client-go sends them under the resource version)', async () => {
    const type = messageTypeFor('v1', 'DeleteOptions')!;
    const options = (fields: Record<string, unknown>) => ({
      body: writeEnvelope('v1', 'DeleteOptions', type.encode(type.fromObject(fields)).finish()),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    const dry = await request(cp.url, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/raw`, options({ dryRun: ['All'] }));
    expect(dry.status, dry.text).toBe(200);
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/configmaps/raw`)).status).toBe(200);
    const stale = await request(cp.url, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/raw`, options({ preconditions: { uid: 'not-the-uid' } }));
    expect(stale.status, stale.text).toBe(409);
    const gone = await request(cp.url, 'DELETE', `/api/v1/namespaces/${NS}/configmaps/raw`, options({ gracePeriodSeconds: 0 }));
    expect(gone.status, gone.text).toBe(200);
    expect((await request(cp.url, 'GET', `/api/v1/namespaces/${NS}/configmaps/raw`)).status).toBe(404);
  });

  it('answers 400 for a protobuf body that does not decode, 415 for unknown media types', async () => {
    const bad = await request(cp.url, 'POST', `/api/v1/namespaces/${NS}/configmaps`, {
      body: Buffer.concat([PROTOBUF_MAGIC, Buffer.from([0x0a, 0xff, 0xff])]),
      contentType: 'application/vnd.kubernetes.protobuf',
    });
    expect(bad.status).toBe(400);
    expect((bad.json as any).reason).toBe('BadRequest');

    const unknown = await request(cp.url, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { body: 'x', contentType: 'text/plain' });
    expect(unknown.status).toBe(415);
    expect((unknown.json as any).message).toContain('application/vnd.kubernetes.protobuf');

    // A patch takes only the patch media types; its 415 lists those, not the object ones.
    const patch = await request(cp.url, 'PATCH', `/api/v1/namespaces/${NS}/configmaps/c`, { body: 'x', contentType: 'text/plain' });
    expect(patch.status).toBe(415);
    const message = (patch.json as any).message as string;
    expect(message).toContain('application/merge-patch+json');
    expect(message).not.toContain('application/vnd.kubernetes.protobuf');
  });
});
