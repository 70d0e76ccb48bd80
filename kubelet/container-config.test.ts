import { describe, expect, it } from 'vitest';
import type { Pod } from '../api/types/pod.js';
import { buildContainerConfig, linuxResources } from './container-config.js';
import { buildSandboxConfig, podLogDir } from './sandbox-config.js';
import { buildConflist } from './cni-conflist.js';

const pod = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'web', namespace: 'prod', uid: 'uid-1', labels: { app: 'web' } },
  spec: {
    restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {},
    containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo $(GREETING)'], args: ['$(GREETING)'], ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] }],
  },
} as unknown as Pod;

describe('CRI configs', () => {
  it('maps requests/limits to cpu shares, CFS quota and memory limit', () => {
    const r = linuxResources({ name: 'c', resources: { requests: { cpu: '500m' }, limits: { cpu: '1', memory: '128Mi' } } } as never);
    expect(r).toMatchObject({ cpu_shares: 512, cpu_period: 100000, cpu_quota: 100000, memory_limit_in_bytes: 128 * 2 ** 20 });
    expect(linuxResources({ name: 'c' } as never)).toMatchObject({ cpu_shares: 2, cpu_quota: 0, memory_limit_in_bytes: 0 });
  });

  it('builds a container config with expanded command, labels and the log path', () => {
    const cfg = buildContainerConfig({ pod, container: pod.spec.containers[0]!, kind: 'app', attempt: 2, image: 'busybox', env: [{ key: 'GREETING', value: 'hi' }], mounts: [] });
    expect(cfg.command).toEqual(['sh', '-c', 'echo hi']);
    expect(cfg.args).toEqual(['hi']);
    expect(cfg.log_path).toBe('c/2.log');
    expect(cfg.metadata).toEqual({ name: 'c', attempt: 2 });
    expect(cfg.labels).toMatchObject({ 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'prod', 'io.kubernetes.pod.uid': 'uid-1', 'io.kubernetes.container.name': 'c' });
  });

  it('builds a sandbox config with DNS, ports, labels and log dir', () => {
    const sb = buildSandboxConfig(pod, 1, { podLogsRoot: '/var/log/pods', clusterDNS: ['10.96.0.10'] });
    expect(sb.metadata).toEqual({ name: 'web', namespace: 'prod', uid: 'uid-1', attempt: 1 });
    expect(sb.hostname).toBe('web');
    expect(sb.log_directory).toBe(podLogDir('/var/log/pods', pod));
    expect(sb.log_directory).toBe('/var/log/pods/prod_web_uid-1');
    expect(sb.dns_config).toEqual({ servers: ['10.96.0.10'], searches: ['prod.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] });
    expect(sb.port_mappings).toEqual([{ protocol: 'TCP', container_port: 80, host_port: 8080, host_ip: '' }]);
    expect(sb.labels).toMatchObject({ app: 'web', 'io.kubernetes.pod.uid': 'uid-1' });
    expect(buildSandboxConfig(pod, 0, { podLogsRoot: '/l' }).dns_config).toBeNull();
  });

  it('writes the reference plugins into the conflist', () => {
    const c = buildConflist({ podCIDR: '10.244.1.0/24', bridge: 'cni0' }) as { plugins: Record<string, unknown>[] };
    expect(c.plugins.map((p) => p.type)).toEqual(['bridge', 'portmap', 'loopback']);
    expect(c.plugins[0]).toMatchObject({ bridge: 'cni0', ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.1.0/24' }]] } });
  });
});
