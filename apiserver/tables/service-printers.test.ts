import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../api/meta/object-meta.js';
import { endpointsPrinter, servicePrinter } from './service-printers.js';

const now = new Date('2026-01-10T12:00:00Z');
const ctx = { now };
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2026-01-10T09:30:00Z' };

function svc(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: meta, spec, status };
}

describe('service table row', () => {
  it('prints a ClusterIP service', () => {
    const s = svc({
      type: 'ClusterIP',
      clusterIP: '10.96.12.34',
      clusterIPs: ['10.96.12.34'],
      selector: { app: 'web', tier: 'frontend' },
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
      ],
    });
    expect(servicePrinter.print(s, ctx).cells).toEqual(['web', 'ClusterIP', '10.96.12.34', '<none>', '80/TCP,53/UDP', '150m', 'app=web,tier=frontend']);
  });

  it('prints node ports and external IPs of a NodePort service', () => {
    const s = svc({ type: 'NodePort', clusterIPs: ['10.96.0.20'], externalIPs: ['192.168.56.10'], ports: [{ port: 443, nodePort: 30443, protocol: 'TCP' }], selector: { app: 'web' } });
    expect(servicePrinter.print(s, ctx).cells.slice(1, 5)).toEqual(['NodePort', '10.96.0.20', '192.168.56.10', '443:30443/TCP']);
  });

  it('prints <pending> for a LoadBalancer without ingress, then its ingress points', () => {
    const spec = { type: 'LoadBalancer', clusterIPs: ['10.96.0.30'], ports: [{ port: 80, nodePort: 31080, protocol: 'TCP' }] };
    expect(servicePrinter.print(svc(spec), ctx).cells[3]).toBe('<pending>');
    const withIngress = svc(spec, { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } });
    expect(servicePrinter.print(withIngress, ctx).cells[3]).toBe('203.0.113.10,203.0.113.20,lb.example.com');
    const withBoth = svc({ ...spec, externalIPs: ['198.51.100.1'] }, { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } });
    expect(servicePrinter.print(withBoth, ctx).cells[3]).toBe('203.0.113.10,198.51.100.1');
  });

  it('prints a headless service and an ExternalName service', () => {
    const headless = svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' }, ports: [] });
    expect(servicePrinter.print(headless, ctx).cells).toEqual(['web', 'ClusterIP', 'None', '<none>', '<none>', '150m', 'app=db']);
    const external = svc({ type: 'ExternalName', externalName: 'db.example.com' });
    expect(servicePrinter.print(external, ctx).cells).toEqual(['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '150m', '<none>']);
  });
});

describe('endpoints table row', () => {
  const ep = (subsets?: unknown[]): KubeObject => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: meta, ...(subsets ? { subsets } : {}) });

  it('prints <none> without subsets', () => {
    expect(endpointsPrinter.print(ep(), ctx).cells).toEqual(['web', '<none>', '150m']);
  });

  it('prints address:port pairs', () => {
    const e = ep([{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]);
    expect(endpointsPrinter.print(e, ctx).cells[1]).toBe('10.244.1.5:8080,10.244.2.7:8080');
  });

  it('prints three endpoints and counts the rest', () => {
    const e = ep([
      {
        addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.7' }, { ip: 'fd00::9' }],
        ports: [
          { name: 'http', port: 8080 },
          { name: 'metrics', port: 9090 },
        ],
      },
    ]);
    expect(endpointsPrinter.print(e, ctx).cells[1]).toBe('10.244.1.5:8080,10.244.2.7:8080,[fd00::9]:8080 + 3 more...');
  });

  it('prints bare addresses for subsets without ports, and nothing for only not-ready addresses', () => {
    expect(endpointsPrinter.print(ep([{ addresses: [{ ip: '10.244.1.5' }] }]), ctx).cells[1]).toBe('10.244.1.5');
    expect(endpointsPrinter.print(ep([{ notReadyAddresses: [{ ip: '10.244.1.5' }], ports: [{ port: 80 }] }]), ctx).cells[1]).toBe('');
  });
});
