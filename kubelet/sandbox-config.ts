/** Pod → CRI PodSandboxConfig: metadata, hostname, DNS, port mappings, labels, cgroup parent, linux security. */
import path from 'node:path';
import type { Pod } from '../api/types/pod.js';
import type { PodSandboxConfig, PortMapping } from '../runtime/cri/types.js';
import { POD_NAME, POD_NAMESPACE, POD_UID } from './labels.js';

export interface SandboxConfigOptions {
  /** Root of the pod log directories (/var/log/pods). */
  podLogsRoot: string;
  /** Nameservers and search domains of cluster DNS (ClusterFirst); none = the host's resolv.conf. */
  clusterDNS?: string[];
  clusterDomain?: string;
  /** The parent cgroup under which pods get their own (empty = the runtime's default). */
  cgroupRoot?: string;
}

export function podLogDir(root: string, pod: Pod): string {
  const m = pod.metadata;
  return path.join(root, `${m.namespace}_${m.name}_${m.uid}`);
}

function dnsConfig(pod: Pod, o: SandboxConfigOptions): PodSandboxConfig['dns_config'] {
  const spec = pod.spec;
  const ns = pod.metadata.namespace ?? 'default';
  const domain = o.clusterDomain ?? 'cluster.local';
  let servers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  const clusterFirst = spec.dnsPolicy === 'ClusterFirst' || (spec.dnsPolicy === 'ClusterFirstWithHostNet' && spec.hostNetwork);
  if (clusterFirst && !spec.hostNetwork && o.clusterDNS?.length) {
    servers = o.clusterDNS;
    searches = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
    options = ['ndots:5'];
  }
  if (spec.dnsConfig) {
    servers = [...(spec.dnsPolicy === 'None' ? [] : servers), ...(spec.dnsConfig.nameservers ?? [])];
    searches = [...(spec.dnsPolicy === 'None' ? [] : searches), ...(spec.dnsConfig.searches ?? [])];
    options = [
      ...(spec.dnsPolicy === 'None' ? [] : options),
      ...(spec.dnsConfig.options ?? []).map((opt) => (opt.value !== undefined ? `${opt.name ?? ""}:${opt.value}` : (opt.name ?? ""))),
    ];
  }
  if (!servers.length && !searches.length && !options.length) return null;
  return { servers, searches, options };
}

function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec.containers) {
    for (const p of c.ports ?? []) {
      out.push({ protocol: (p.protocol ?? 'TCP') as PortMapping['protocol'], container_port: p.containerPort, host_port: p.hostPort ?? 0, host_ip: p.hostIP ?? '' });
    }
  }
  return out;
}

export function buildSandboxConfig(pod: Pod, attempt: number, o: SandboxConfigOptions): PodSandboxConfig {
  const m = pod.metadata;
  const sc = pod.spec.securityContext ?? {};
  const nsMode = (host: boolean | undefined): 'NODE' | 'POD' => (host ? 'NODE' : 'POD');
  return {
    metadata: { name: m.name!, namespace: m.namespace ?? 'default', uid: m.uid!, attempt },
    hostname: pod.spec.hostNetwork ? '' : (pod.spec.hostname ?? m.name!).slice(0, 63),
    log_directory: podLogDir(o.podLogsRoot, pod),
    dns_config: dnsConfig(pod, o),
    port_mappings: portMappings(pod),
    labels: { ...(m.labels ?? {}), [POD_NAME]: m.name!, [POD_NAMESPACE]: m.namespace ?? 'default', [POD_UID]: m.uid! },
    annotations: { ...(m.annotations ?? {}) },
    linux: {
      cgroup_parent: o.cgroupRoot ? path.posix.join(o.cgroupRoot, `pod${m.uid}`) : '',
      security_context: {
        namespace_options: {
          network: nsMode(pod.spec.hostNetwork),
          pid: pod.spec.hostPID ? 'NODE' : pod.spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: nsMode(pod.spec.hostIPC),
          target_id: '',
        },
        run_as_user: sc.runAsUser !== undefined ? { value: sc.runAsUser } : null,
        run_as_group: sc.runAsGroup !== undefined ? { value: sc.runAsGroup } : null,
        readonly_rootfs: false,
        supplemental_groups: sc.supplementalGroups ?? [],
        privileged: false,
      },
      sysctls: Object.fromEntries((sc.sysctls ?? []).map((s) => [s.name, s.value])),
      overhead: null,
      resources: null,
    },
  };
}
