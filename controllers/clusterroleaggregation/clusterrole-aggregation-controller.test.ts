/**
 * The controller against the in-memory apiserver: aggregated roles get their rules,
 * transitively, writes stop once the rules are right, and a Conflict requeues.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../api/client/fake-apiserver.js';
import { KubeClient } from '../../api/client/kube-client.js';
import { EventRecorder } from '../../api/events/recorder.js';
import { SharedInformerFactory } from '../../api/informer/factory.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ClusterRole, PolicyRule } from '../../api/types/rbac.js';
import type { ControllerDeps } from '../controller.js';
import { ClusterRoleAggregationController } from './clusterrole-aggregation-controller.js';

const COLLECTION = 'rbac.authorization.k8s.io/v1/clusterroles';
const logger = pino({ level: 'silent' });
const to = (r: string) => ({ [`rbac.authorization.k8s.io/aggregate-to-${r}`]: 'true' });
const from = (r: string) => ({ clusterRoleSelectors: [{ matchLabels: to(r) }] });
const rule = (verb: string, resource: string): PolicyRule => ({ verbs: [verb], apiGroups: [''], resources: [resource] });

function role(name: string, rules: PolicyRule[], labels?: Record<string, string>, aggregationRule?: ClusterRole['aggregationRule']): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules, ...(aggregationRule ? { aggregationRule } : {}) } as unknown as KubeObject;
}

let server: FakeApiServer;
let client: KubeClient;
let informers: SharedInformerFactory;
let stop: AbortController;

beforeEach(async () => {
  server = await new FakeApiServer().start();
  client = new KubeClient({ server: server.url, maxRetries: 1 });
  informers = new SharedInformerFactory(client, { logger });
  stop = new AbortController();
});
afterEach(async () => {
  stop.abort();
  await informers.shutdown();
  client.close();
  await server.stop();
});

function deps(): ControllerDeps {
  return { client, informers, logger, recorder: (component) => new EventRecorder({ client, component, logger }) };
}

const stored = (name: string) => server.getStored(COLLECTION, undefined, name) as unknown as ClusterRole | undefined;
const puts = () => server.requests.filter((r) => r.method === 'PUT' || r.method === 'PATCH').length;

async function until(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('clusterrole-aggregation controller', () => {
  it('fills view, edit and admin transitively, follows label changes, and stops writing once settled', async () => {
    server.put(COLLECTION, role('admin', [], undefined, from('admin')));
    server.put(COLLECTION, role('edit', [], to('admin'), from('edit')));
    server.put(COLLECTION, role('view', [], to('edit'), from('view')));
    server.put(COLLECTION, role('system:aggregate-to-admin', [rule('*', 'roles')], to('admin')));
    server.put(COLLECTION, role('system:aggregate-to-edit', [rule('create', 'pods')], to('edit')));
    server.put(COLLECTION, role('system:aggregate-to-view', [rule('get', 'pods')], to('view')));
    server.put(COLLECTION, role('unrelated', [rule('get', 'secrets')]));
    const controller = new ClusterRoleAggregationController(deps());
    const running = controller.run(stop.signal, 2);

    await until('admin to hold every rule', () => (stored('admin')?.rules ?? []).length === 3);
    expect(stored('view')!.rules).toEqual([rule('get', 'pods')]);
    expect(stored('edit')!.rules).toEqual([rule('create', 'pods'), rule('get', 'pods')]);
    // "edit" sorts before "system:aggregate-to-admin".
    expect(stored('admin')!.rules).toEqual([rule('create', 'pods'), rule('get', 'pods'), rule('*', 'roles')]);
    expect(stored('unrelated')!.rules).toEqual([rule('get', 'secrets')]);

    // Settled: every aggregated role re-reconciled on our own writes, none written again.
    await new Promise((r) => setTimeout(r, 300));
    const settled = puts();
    await new Promise((r) => setTimeout(r, 500));
    expect(puts()).toBe(settled);

    // A new role selected into view reaches edit and admin; losing the label takes it away.
    server.put(COLLECTION, role('crd-viewer', [rule('list', 'widgets')], to('view')));
    await until('the new rule in admin', () => (stored('admin')?.rules ?? []).some((r) => r.resources?.[0] === 'widgets'));
    expect(stored('view')!.rules).toEqual([rule('list', 'widgets'), rule('get', 'pods')]);
    expect(stored('edit')!.rules).toContainEqual(rule('list', 'widgets'));
    server.put(COLLECTION, { ...server.getStored(COLLECTION, undefined, 'crd-viewer')!, metadata: { ...server.getStored(COLLECTION, undefined, 'crd-viewer')!.metadata, labels: {} } });
    await until('the rule gone from admin', () => !(stored('admin')?.rules ?? []).some((r) => r.resources?.[0] === 'widgets'));
    expect(stored('view')!.rules).toEqual([rule('get', 'pods')]);
    expect(stored('edit')!.rules).toEqual([rule('create', 'pods'), rule('get', 'pods')]);

    // Deleting a source role removes its rules too.
    server.remove(COLLECTION, undefined, 'system:aggregate-to-admin');
    await until('admin without the roles rule', () => (stored('admin')?.rules ?? []).length === 2);

    stop.abort();
    await running;
  });

  it('does not write a role whose rules are already right', async () => {
    server.put(COLLECTION, role('view', [rule('get', 'pods')], undefined, from('view')));
    server.put(COLLECTION, role('source', [rule('get', 'pods')], to('view')));
    const controller = new ClusterRoleAggregationController(deps());
    informers.start();
    await informers.waitForCacheSync();
    await controller.reconcile('view');
    await controller.reconcile('source'); // not aggregated: nothing to do
    await controller.reconcile('missing');
    expect(puts()).toBe(0);
  });

  it('requeues on a Conflict instead of failing', async () => {
    server.put(COLLECTION, role('view', [], undefined, from('view')));
    server.put(COLLECTION, role('source', [rule('get', 'pods')], to('view')));
    const controller = new ClusterRoleAggregationController(deps());
    informers.start();
    await informers.waitForCacheSync();
    server.inject((req) =>
      req.method === 'PUT' ? { code: 409, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Conflict', code: 409, message: 'the object has been modified' } } : undefined,
    );
    expect(await controller.reconcile('view')).toEqual({ requeue: true });
    server.clearFaults();
    expect(await controller.reconcile('view')).toBeUndefined();
    expect(stored('view')!.rules).toEqual([rule('get', 'pods')]);
  });
});
