import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { configMapPrinter, defaultPrinter, leasePrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './simple-printers.js';

const now = new Date('2026-01-10T12:00:00Z');
const ctx = { now };
const metadata = { name: 'app-config', namespace: 'shop', creationTimestamp: '2026-01-10T11:58:30Z' };
const names = (cols: { name: string }[]) => cols.map((c) => c.name);

describe('simple table rows', () => {
  it('namespaces: NAME, STATUS, AGE', () => {
    const active: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', creationTimestamp: '2025-11-01T12:00:00Z' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
    const terminating: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'old', creationTimestamp: '2026-01-10T11:00:00Z', deletionTimestamp: '2026-01-10T11:59:00Z' }, status: { phase: 'Terminating' } };
    expect(names(namespacePrinter.columns)).toEqual(['Name', 'Status', 'Age']);
    expect(namespacePrinter.print(active, ctx).cells).toEqual(['shop', 'Active', '70d']);
    expect(namespacePrinter.print(terminating, ctx).cells).toEqual(['old', 'Terminating', '60m']);
  });

  it('configmaps: DATA counts data and binaryData keys', () => {
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'app.yaml': 'port: 80', LOG_LEVEL: 'info' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' } };
    expect(names(configMapPrinter.columns)).toEqual(['Name', 'Data', 'Age']);
    expect(configMapPrinter.print(cm, ctx).cells).toEqual(['app-config', 3, '90s']);
    expect(configMapPrinter.print({ apiVersion: 'v1', kind: 'ConfigMap', metadata }, ctx).cells).toEqual(['app-config', 0, '90s']);
  });

  it('secrets: TYPE and DATA', () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { ...metadata, name: 'tls' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' } };
    expect(names(secretPrinter.columns)).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(secretPrinter.print(secret, ctx).cells).toEqual(['tls', 'kubernetes.io/tls', 2, '90s']);
  });

  it('serviceaccounts: SECRETS counts listed secrets', () => {
    const sa: KubeObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...metadata, name: 'default' } };
    expect(names(serviceAccountPrinter.columns)).toEqual(['Name', 'Secrets', 'Age']);
    expect(serviceAccountPrinter.print(sa, ctx).cells).toEqual(['default', 0, '90s']);
    expect(serviceAccountPrinter.print({ ...sa, secrets: [{ name: 'default-token' }] }, ctx).cells).toEqual(['default', 1, '90s']);
  });

  it('leases: HOLDER, empty when unheld', () => {
    const lease: KubeObject = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'kube-scheduler', namespace: 'kube-system', creationTimestamp: '2026-01-10T07:00:00Z' },
      spec: { holderIdentity: 'cp-1_6f1c2b', leaseDurationSeconds: 15, renewTime: '2026-01-10T11:59:58.000000Z' },
    };
    expect(names(leasePrinter.columns)).toEqual(['Name', 'Holder', 'Age']);
    expect(leasePrinter.print(lease, ctx).cells).toEqual(['kube-scheduler', 'cp-1_6f1c2b', '5h']);
    expect(leasePrinter.print({ ...lease, spec: {} }, ctx).cells).toEqual(['kube-scheduler', '', '5h']);
  });

  it('default: NAME and AGE for any other type', () => {
    const crb: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'admins', creationTimestamp: '2024-03-01T00:00:00Z' } };
    expect(defaultPrinter.columns.map((c) => [c.name, c.format])).toEqual([
      ['Name', 'name'],
      ['Age', ''],
    ]);
    expect(defaultPrinter.print(crb, ctx).cells).toEqual(['admins', '680d']);
  });
});
