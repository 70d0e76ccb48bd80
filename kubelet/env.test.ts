import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import { apiserverServiceEnv, buildEnv, endpointOfUrl, EnvConfigError, expandVars, resourceFieldValue, type ObjectSource } from './env.js';

const src: ObjectSource = {
  configMap: async (_ns, name) => (name === 'cm' ? { A: '1', B: '2' } : undefined),
  secret: async (_ns, name) => (name === 's' ? { PASS: 'hunter2' } : undefined),
};

const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns1', uid: 'u', labels: { app: 'x' } },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } } }] },
} as unknown as Pod;
const node = { cpuCores: 8, memoryBytes: 2 ** 34 };

describe('env', () => {
  it('expands $(VAR) and $$', () => {
    expect(expandVars('a-$(X)-$(Y)-$$(X)', { X: '1' })).toBe('a-1-$(Y)-$(X)');
  });

  it('builds envFrom then env with refs, in order', async () => {
    const c = {
      ...pod.spec.containers[0]!,
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }],
      env: [
        { name: 'PLAIN', value: 'v-$(CM_A)' },
        { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'NS', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
        { name: 'LBL', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['app']" } } },
        { name: 'IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'S', valueFrom: { secretKeyRef: { name: 's', key: 'PASS' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'missing', key: 'x', optional: true } } },
      ],
    };
    const env = await buildEnv(pod, c, src, { podIP: '10.0.0.9', hostIP: '1.2.3.4' }, node);
    expect(env).toEqual([
      { key: 'CM_A', value: '1' }, { key: 'CM_B', value: '2' }, { key: 'PLAIN', value: 'v-1' }, { key: 'POD', value: 'p' },
      { key: 'NS', value: 'ns1' }, { key: 'LBL', value: 'x' }, { key: 'IP', value: '10.0.0.9' }, { key: 'MEM', value: '64' },
      { key: 'CPU', value: '8' }, { key: 'S', value: 'hunter2' },
    ]);
  });

  it('fails for a missing non-optional ConfigMap or key', async () => {
    const c = { name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'nope' } } }] };
    await expect(buildEnv(pod, c as never, src, {}, node)).rejects.toBeInstanceOf(EnvConfigError);
    const d = { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] };
    await expect(buildEnv(pod, d as never, src, {}, node)).rejects.toThrow(/secret "gone" not found/);
  });

  it('rounds resource fields up by the divisor', () => {
    expect(resourceFieldValue(pod.spec.containers[0]!, 'requests.cpu', '1m', node)).toBe('250');
    expect(resourceFieldValue(pod.spec.containers[0]!, 'requests.cpu', undefined, node)).toBe('1');
  });

  it("gives every container the apiserver's service variables first; the pod's own override them and may refer to them", async () => {
    const withService: ObjectSource = { ...src, serviceEnv: () => apiserverServiceEnv(endpointOfUrl('https://10.213.0.1:6443')) };
    const c = { ...pod.spec.containers[0]!, env: [{ name: 'API', value: 'https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)' }, { name: 'KUBERNETES_SERVICE_PORT_HTTPS', value: '1' }] };
    const env = Object.fromEntries((await buildEnv(pod, c, withService, {}, node)).map((e) => [e.key, e.value]));
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: '10.213.0.1',
      KUBERNETES_SERVICE_PORT: '6443',
      KUBERNETES_PORT: 'tcp://10.213.0.1:6443',
      KUBERNETES_PORT_6443_TCP_ADDR: '10.213.0.1',
      API: 'https://10.213.0.1:6443',
      KUBERNETES_SERVICE_PORT_HTTPS: '1',
    });
    expect(endpointOfUrl('https://[fd00::1]')).toEqual({ host: 'fd00::1', port: 443 });
  });
});
