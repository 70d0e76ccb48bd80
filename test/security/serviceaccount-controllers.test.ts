/**
 * The serviceaccount and root-ca-cert-publisher controllers against a real apiserver +
 * etcd: a new namespace gets its `default` ServiceAccount and its `kube-root-ca.crt`
 * ConfigMap; both come back when deleted, and an edited CA is put back.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { isApiError } from '../../api/meta/errors.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { createCA } from '../../api/pki/index.js';
import { configMaps, serviceAccounts } from '../../api/registry.js';
import type { ResourceDef } from '../../api/resource.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { rootCaCertPublisherFactory } from '../../controllers/rootcacertpublisher/root-ca-cert-publisher.js';
import { serviceAccountsController } from '../../controllers/serviceaccount/serviceaccount-controller.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { waitFor } from '../helpers/wait.js';

const NS = 'tkube-sa-ctrl';
let cp: TestControlPlane;
let caPem: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  // This file runs its own service-account controllers (or none): not the helper's.
  cp = await startControlPlane({ serviceAccountControllers: false });
  caPem = (await createCA('tkube-test-ca')).cert;
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const running = [serviceAccountsController(deps).run(abort.signal, 2), rootCaCertPublisherFactory(caPem)(deps).run(abort.signal, 2)];
  stop = async () => {
    abort.abort();
    await Promise.all(running);
    await informers.shutdown();
  };
}, 60_000);

afterAll(async () => {
  await stop?.();
  await cp?.stop();
});

async function find<T extends KubeObject>(def: ResourceDef<T>, ns: string, name: string): Promise<T | undefined> {
  try {
    return await cp.client.resource(def, ns).get(name);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

describe('serviceaccount controller', () => {
  it('gives the namespaces the apiserver made, and a new one, a default ServiceAccount', async () => {
    for (const ns of ['default', 'kube-system']) await waitFor(`default SA in ${ns}`, () => find(serviceAccounts, ns, 'default'));
    await cp.kubectl(['create', 'namespace', NS]);
    await waitFor('default SA in the new namespace', () => find(serviceAccounts, NS, 'default'));
    const out = await cp.kubectl(['get', 'serviceaccounts', '-n', NS, '-o', 'name']);
    expect(out.stdout.trim()).toBe('serviceaccount/default');
  });

  it('recreates the default ServiceAccount when it is deleted', async () => {
    const before = await waitFor('default SA', () => find(serviceAccounts, NS, 'default'));
    await cp.client.resource(serviceAccounts, NS).delete('default');
    const after = await waitFor('a new default SA', async () => {
      const sa = await find(serviceAccounts, NS, 'default');
      return sa && sa.metadata.uid !== before.metadata.uid ? sa : undefined;
    });
    expect(after.metadata.name).toBe('default');
  });
});

describe('root-ca-cert-publisher', () => {
  it('publishes kube-root-ca.crt with the CA in every namespace', async () => {
    for (const ns of ['default', 'kube-public', NS]) {
      const cm = await waitFor(`kube-root-ca.crt in ${ns}`, () => find(configMaps, ns, 'kube-root-ca.crt'));
      expect(cm.data).toEqual({ 'ca.crt': caPem });
    }
  });

  it('puts back an edited or deleted copy', async () => {
    await cp.client.resource(configMaps, NS).patch('kube-root-ca.crt', 'merge', { data: { 'ca.crt': 'tampered', extra: 'x' } });
    await waitFor('the CA restored', async () => {
      const cm = await find(configMaps, NS, 'kube-root-ca.crt');
      return cm?.data?.['ca.crt'] === caPem && cm.data.extra === undefined;
    });
    await cp.client.resource(configMaps, NS).delete('kube-root-ca.crt');
    await waitFor('the CA republished', async () => (await find(configMaps, NS, 'kube-root-ca.crt'))?.data?.['ca.crt'] === caPem);
  });

  it('refuses a root CA file without a certificate', () => {
    expect(() => rootCaCertPublisherFactory('not a cert')).toThrow(/no PEM certificate/);
  });
});
