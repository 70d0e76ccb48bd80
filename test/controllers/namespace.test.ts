/**
 * The namespace controller against a real apiserver + etcd: deleting a namespace
 * deletes everything in it (several kinds), waits for gracefully terminating pods,
 * reports its progress in status conditions, and then the namespace disappears.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import { isApiError } from '../../api/meta/errors.js';
import { namespaces, pods } from '../../api/registry.js';
import type { Namespace } from '../../api/types/namespace.js';
import type { ControllerDeps } from '../../controllers/controller.js';
import { namespaceControllerFactory } from '../../controllers/namespace/namespace-controller.js';
import { waitFor } from '../helpers/wait.js';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';

const NS = 'tkube-ns-doomed';
let cp: TestControlPlane;
let stop: () => Promise<void>;

beforeAll(async () => {
  cp = await startControlPlane();
  const logger = pino({ level: process.env.TKUBE_TEST_LOG ?? 'silent' });
  const informers = new SharedInformerFactory(cp.client, { logger });
  const deps: ControllerDeps = { client: cp.client, informers, logger, recorder: (component) => new EventRecorder({ client: cp.client, component, logger }) };
  const abort = new AbortController();
  const running = namespaceControllerFactory({ recheckMs: 200 })(deps).run(abort.signal, 1);
  stop = async () => {
    abort.abort();
    await running;
    await informers.shutdown();
  };
}, 60_000);

afterAll(async () => {
  await stop?.();
  await cp?.stop();
});

async function getNamespace(): Promise<Namespace | undefined> {
  try {
    return await cp.client.resource(namespaces).get(NS);
  } catch (err) {
    if (isApiError(err, 'NotFound')) return undefined;
    throw err;
  }
}

const manifest = `
apiVersion: v1
kind: ConfigMap
metadata: { name: cm, namespace: ${NS} }
data: { a: "1" }
---
apiVersion: v1
kind: Secret
metadata: { name: sec, namespace: ${NS} }
stringData: { password: hunter2 }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: robot, namespace: ${NS} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: loose, namespace: ${NS} }
spec: { containers: [{ name: c, image: busybox }] }
---
apiVersion: v1
kind: Pod
metadata: { name: bound, namespace: ${NS} }
spec: { nodeName: tkube-node-x, containers: [{ name: c, image: busybox }] }
`;

describe('namespace controller', () => {
  it('empties a deleted namespace, waits for terminating pods, then the namespace goes', async () => {
    // (kubectl create namespace sends protobuf, which the apiserver does not decode yet: apply YAML.)
    await cp.kubectl(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Namespace\nmetadata: { name: ${NS} }\n` });
    await cp.kubectl(['apply', '-f', '-'], { input: manifest });
    await cp.kubectl(['delete', 'namespace', NS, '--wait=false']);

    // Everything but the bound pod (graceful deletion, waiting for its kubelet) goes quickly.
    const waiting = await waitFor('content to be deleted except the terminating pod', async () => {
      const out = await cp.kubectl(['get', 'configmaps,secrets,serviceaccounts,deployments,pods', '-n', NS, '-o', 'name']);
      const ns = await getNamespace();
      const remaining = ns?.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining');
      return out.stdout.trim() === 'pod/bound' && remaining?.status === 'True' ? ns : undefined;
    });
    expect(waiting.status?.phase).toBe('Terminating');
    expect(waiting.status?.conditions?.find((c) => c.type === 'NamespaceContentRemaining')?.message).toBe('Some resources are remaining: pods has 1 resource instances');
    const bound = await cp.client.resource(pods, NS).get('bound');
    expect(bound.metadata.deletionTimestamp).toBeTruthy();

    // Play the kubelet: the pod's containers stopped, it removes the pod for good.
    await cp.client.resource(pods, NS).delete('bound', { gracePeriodSeconds: 0 });
    await cp.kubectl(['wait', '--for=delete', `namespace/${NS}`, '--timeout=10s'], { timeoutMs: 15_000 });
    expect(await getNamespace()).toBeUndefined();
  });

  it('leaves namespaces that are not being deleted alone', async () => {
    await cp.kubectl(['apply', '-f', '-'], {
      input: 'apiVersion: v1\nkind: Namespace\nmetadata: { name: tkube-ns-kept }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: stay, namespace: tkube-ns-kept }\n',
    });
    await new Promise((r) => setTimeout(r, 500));
    const out = await cp.kubectl(['get', 'configmap', 'stay', '-n', 'tkube-ns-kept', '-o', 'name']);
    expect(out.stdout.trim()).toBe('configmap/stay');
  });
});
