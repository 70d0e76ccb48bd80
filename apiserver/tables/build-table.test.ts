import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { buildTable, printerFor } from './build-table.js';

const now = new Date('2026-01-10T12:00:00Z');
const pods = 'pods';

const pod = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', resourceVersion: rv, uid: `uid-${name}`, labels: { app: 'web' }, creationTimestamp: '2026-01-10T11:59:00Z' },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx' }] },
  status: { phase: 'Running', podIPs: [{ ip: '10.244.0.9' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
});

describe('buildTable', () => {
  it('builds a meta.k8s.io/v1 Table with PartialObjectMetadata rows by default', () => {
    const table = buildTable({ group: '', plural: pods }, [pod('a', '11'), pod('b', '12')], { now, listMeta: { resourceVersion: '15', continue: 'tok' } });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '15', continue: 'tok' });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    for (const c of table.columnDefinitions) expect(Object.keys(c).sort()).toEqual(['description', 'format', 'name', 'priority', 'type']);
    expect(table.rows).toHaveLength(2);
    expect(table.rows[0]).toEqual({
      cells: ['a', '1/1', 'Running', '0', '60s', '10.244.0.9', 'node-a', '<none>', '<none>'],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { name: 'a', namespace: 'default', resourceVersion: '11', uid: 'uid-a', labels: { app: 'web' }, creationTimestamp: '2026-01-10T11:59:00Z' },
      },
    });
  });

  it('carries the whole object with includeObject=Object and none with None', () => {
    const item = pod('a', '11');
    expect(buildTable({ group: '', plural: pods }, [item], { now, includeObject: 'Object' }).rows[0]!.object).toEqual(item);
    const none = buildTable({ group: '', plural: pods }, [item], { now, includeObject: 'None' }).rows[0]!;
    expect('object' in none).toBe(false);
  });

  it("uses a single object's resourceVersion when no list metadata is given", () => {
    expect(buildTable({ group: '', plural: pods }, [pod('a', '11')], { now }).metadata).toEqual({ resourceVersion: '11' });
    expect(buildTable({ group: '', plural: pods }, [], { now }).metadata).toEqual({});
  });

  it('omits column definitions when asked for no headers', () => {
    const table = buildTable({ group: '', plural: pods }, [pod('a', '11')], { now, noHeaders: true });
    expect(table.columnDefinitions).toEqual([]);
    expect(table.rows[0]!.cells[0]).toBe('a');
  });

  it('adds row conditions for finished pods', () => {
    const done = { ...pod('done', '3'), status: { phase: 'Succeeded', containerStatuses: [{ name: 'app', restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } };
    const row = buildTable({ group: '', plural: pods }, [done], { now }).rows[0]!;
    expect(row.cells[2]).toBe('Completed');
    expect(row.conditions).toEqual([expect.objectContaining({ type: 'Completed', status: 'True', reason: 'Succeeded' })]);
  });

  it('picks the printer by group and resource, and the NAME/AGE table otherwise', () => {
    const header = (group: string, plural: string) => printerFor({ group, plural }).columns.filter((c) => c.priority === 0).map((c) => c.name.toUpperCase());
    expect(header('apps', 'deployments')).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(header('apps', 'replicasets')).toEqual(['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(header('', 'nodes')).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(header('', 'namespaces')).toEqual(['NAME', 'STATUS', 'AGE']);
    expect(header('', 'services')).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(header('', 'endpoints')).toEqual(['NAME', 'ENDPOINTS', 'AGE']);
    expect(header('', 'configmaps')).toEqual(['NAME', 'DATA', 'AGE']);
    expect(header('', 'secrets')).toEqual(['NAME', 'TYPE', 'DATA', 'AGE']);
    expect(header('', 'serviceaccounts')).toEqual(['NAME', 'SECRETS', 'AGE']);
    expect(header('', 'events')).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(header('events.k8s.io', 'events')).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(header('coordination.k8s.io', 'leases')).toEqual(['NAME', 'HOLDER', 'AGE']);
    expect(header('rbac.authorization.k8s.io', 'clusterroles')).toEqual(['NAME', 'AGE']);
    // The group matters: a "pods" resource in another group is not a core pod.
    expect(header('example.com', 'pods')).toEqual(['NAME', 'AGE']);
  });

  it('does not share column definition objects between tables', () => {
    const t1 = buildTable({ group: '', plural: pods }, [], { now });
    t1.columnDefinitions[0]!.name = 'changed';
    expect(buildTable({ group: '', plural: pods }, [], { now }).columnDefinitions[0]!.name).toBe('Name');
  });
});
