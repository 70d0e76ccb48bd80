import { describe, expect, it } from 'vitest';
import { Endpoints, Service, type ServiceInput, applyServiceDefaults } from './service.js';
import { validateEndpoints, validateService, validateServiceUpdate } from './service-validation.js';

function service(spec: ServiceInput['spec']): Service {
  const svc = Service.parse({ metadata: { name: 'web', namespace: 'default' }, spec });
  applyServiceDefaults(svc.spec);
  return svc;
}

describe('validateService', () => {
  it('accepts a ClusterIP service and defaults it', () => {
    const svc = service({ selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] });
    expect(validateService(svc)).toEqual([]);
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports?.[0]).toEqual({ port: 80, targetPort: 'http', protocol: 'TCP' });
    expect(svc.spec.internalTrafficPolicy).toBe('Cluster');
    expect(svc.spec.externalTrafficPolicy).toBeUndefined();
  });

  it('defaults traffic policies and session affinity timeout by type', () => {
    const lb = service({ type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 443, targetPort: 0 }] });
    expect(lb.spec).toMatchObject({
      externalTrafficPolicy: 'Cluster',
      allocateLoadBalancerNodePorts: true,
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    });
    expect(lb.spec.ports?.[0]?.targetPort).toBe(443);
  });

  it('requires ports except for headless and ExternalName services', () => {
    expect(validateService(service({}))).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.ports' }]);
    expect(validateService(service({ clusterIP: 'None' }))).toEqual([]);
    expect(validateService(service({ type: 'ExternalName' }))).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.externalName' },
    ]);
  });

  it('checks port numbers, names and duplicates', () => {
    const causes = validateService(
      service({
        ports: [
          { name: 'http', port: 0 },
          { name: 'http', port: 443, targetPort: 70000 },
          { port: 443 },
        ],
      }),
    );
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
      // targetPort defaults to the port, so it is wrong too.
      ['spec.ports[0].targetPort', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
      ['spec.ports[1].name', 'Duplicate value: "http"'],
      ['spec.ports[1].targetPort', 'Invalid value: 70000: must be between 1 and 65535, inclusive'],
      ['spec.ports[2].name', 'Required value'],
      ['spec.ports[2]', 'Duplicate value: "443/TCP"'],
    ]);
  });

  it('forbids nodePort on ClusterIP services', () => {
    expect(validateService(service({ ports: [{ port: 80, nodePort: 30080 }] }))).toEqual([
      { reason: 'FieldValueForbidden', message: "Forbidden: may not be used when `type` is 'ClusterIP'", field: 'spec.ports[0].nodePort' },
    ]);
    expect(validateService(service({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).toEqual([]);
  });

  it('checks cluster IPs', () => {
    expect(validateService(service({ clusterIP: '10.0.0.300', ports: [{ port: 80 }] }))).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)', field: 'spec.clusterIP' },
    ]);
  });

  it('keeps the cluster IP immutable once allocated', () => {
    const old = service({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
    const next = service({ clusterIP: '10.96.0.11', ports: [{ port: 80 }] });
    expect(validateServiceUpdate(next, old)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "10.96.0.11": field is immutable', field: 'spec.clusterIP' },
    ]);
    expect(validateServiceUpdate(service({ clusterIP: '10.96.0.10', ports: [{ port: 81 }] }), old)).toEqual([]);
  });
});

describe('validateEndpoints', () => {
  it('checks addresses and ports', () => {
    const ep = Endpoints.parse({
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: 'pod-a' }], ports: [{ port: 80 }, { name: 'https', port: 0 }] }],
    });
    expect(validateEndpoints(ep).map((c) => c.field)).toEqual(['subsets[0].addresses[1].ip', 'subsets[0].ports[0].name', 'subsets[0].ports[1].port']);
  });
});
