/**
 * The component plan: what runs on a control-plane machine (etcd, apiserver,
 * controller-manager, scheduler) and on a worker (runtime, kubelet, network agent), as
 * plain data. The same plan is rendered as systemd units (systemd-units.ts) or run by the
 * in-process Supervisor (`--foreground`), so what systemd runs on a VM is exactly what
 * `tkube up --nodes N` and the tests run.
 */
import { join } from 'node:path';
import type { ComponentSpec } from '../supervisor.js';
import { apiserverSecurityArgs, controllerManagerSecurityArgs, kubeletSecurityArgs, type KubeletSecurityOptions } from './security.js';

export interface PlannedComponent extends ComponentSpec {
  /** One line for the unit's Description=. */
  description: string;
  /** Components (by name) this one is ordered after and wants (systemd After=/Wants=). */
  after?: string[];
  /** systemd KillMode=process: only the main process is stopped, so the runtime's conmon and containers survive its restarts. */
  killModeProcess?: boolean;
  /** systemd Delegate=yes: the component creates and manages cgroups of its own. */
  delegate?: boolean;
}

/** How to start tkube itself: the node binary and dist/cli/tkube.js, both absolute. */
export interface TkubeExecutable {
  node: string;
  tkubeJs: string;
}

export interface ControlPlanePlanOptions extends TkubeExecutable {
  home: string;
  etcdBinary: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  /** The address the apiserver listens on (0.0.0.0: all). */
  bindAddress: string;
  port: number;
  /** Also serve the API on this unix socket (how `tkube up --nodes` reaches an API inside a netns). */
  unixSocket?: string;
  /** The cluster's PKI (security.ts ensureClusterPki): the apiserver serves HTTPS with Node,RBAC; the controller-manager signs CSRs. */
  pkiDir: string;
  /** Kubeconfigs with the controller-manager's and the scheduler's own client certificates. */
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  podNetworkCidr: string;
  /** Passed to the controller-manager's --node-monitor-grace-period (a Go duration, e.g. 40s). */
  nodeMonitorGracePeriod?: string;
  env?: NodeJS.ProcessEnv;
}

export function controlPlanePlan(o: ControlPlanePlanOptions): PlannedComponent[] {
  const tkube = (...args: string[]) => ({ command: o.node, args: [o.tkubeJs, ...args], ...(o.env ? { env: o.env } : {}) });
  const etcdClient = `http://127.0.0.1:${o.etcdClientPort}`;
  const etcdPeer = `http://127.0.0.1:${o.etcdPeerPort}`;
  return [
    {
      name: 'etcd',
      description: "the cluster's store (etcd, on localhost only)",
      command: o.etcdBinary,
      args: [
        '--name', 'tkube',
        '--data-dir', join(o.home, 'etcd'),
        '--listen-client-urls', etcdClient,
        '--advertise-client-urls', etcdClient,
        '--listen-peer-urls', etcdPeer,
        '--initial-advertise-peer-urls', etcdPeer,
        '--initial-cluster', `tkube=${etcdPeer}`,
        '--max-request-bytes', String(10 * 1024 * 1024),
        '--log-level', 'warn',
      ],
    },
    {
      name: 'apiserver',
      description: 'the Kubernetes API (tkube apiserver)',
      after: ['etcd'],
      ...tkube(
        'apiserver',
        '--etcd-servers', etcdClient,
        '--bind-address', o.bindAddress,
        '--port', String(o.port),
        ...(o.unixSocket ? ['--unix-socket', o.unixSocket] : []),
        ...apiserverSecurityArgs(o.pkiDir),
      ),
    },
    {
      name: 'controller-manager',
      description: 'the controllers (tkube controller-manager)',
      after: ['apiserver'],
      ...tkube(
        'controller-manager',
        '--kubeconfig', o.controllerManagerKubeconfig,
        '--metrics-port', '0',
        '--cluster-cidr', o.podNetworkCidr,
        ...controllerManagerSecurityArgs(o.pkiDir),
        ...(o.nodeMonitorGracePeriod ? ['--node-monitor-grace-period', o.nodeMonitorGracePeriod] : []),
      ),
    },
    {
      name: 'scheduler',
      description: 'the scheduler (tkube scheduler)',
      after: ['apiserver'],
      ...tkube('scheduler', '--kubeconfig', o.schedulerKubeconfig),
    },
  ];
}

export type NetworkMode = 'host-gw' | 'vxlan';

export interface NodePlanOptions extends TkubeExecutable {
  home: string;
  /** The node's kubeconfig: written by the kubelet's TLS bootstrap, then used by the kubelet and the network agent. */
  kubeconfig: string;
  /** The kubelet's bootstrap kubeconfig and the cluster CA (security.ts kubeletSecurityArgs). */
  kubeletSecurity: KubeletSecurityOptions;
  nodeName: string;
  /** The node's own address: its InternalIP, and where the kubelet API listens (the apiserver proxies logs and exec there). */
  nodeIp: string;
  kubeletPort: number;
  /** The runtime's prefix for pod netns and its cgroup root, to keep nodes sharing one kernel apart. */
  namePrefix: string;
  networkMode: NetworkMode;
  /** The network agent's underlay interface (default: the one holding nodeIp). */
  networkInterface?: string;
  /** Whether to run the network agent (false while this build of tkube has none). */
  networkAgent: boolean;
  env?: NodeJS.ProcessEnv;
}

/** Where a node keeps its state, under its home. */
export function nodeStatePaths(home: string) {
  return {
    socket: join(home, 'run', 'runtime.sock'),
    runtimeState: join(home, 'runtime'),
    imageStore: join(home, 'image-store'),
    images: join(home, 'images'),
    cniConfDir: join(home, 'cni', 'net.d'),
    kubeletRoot: join(home, 'kubelet'),
    podLogs: join(home, 'pod-logs'),
  };
}

export function nodePlan(o: NodePlanOptions): PlannedComponent[] {
  const tkube = (...args: string[]) => ({ command: o.node, args: [o.tkubeJs, ...args], ...(o.env ? { env: o.env } : {}) });
  const p = nodeStatePaths(o.home);
  const plan: PlannedComponent[] = [
    {
      name: 'runtime',
      description: 'the CRI runtime (tkube runtime): pod sandboxes and containers through conmon and runc',
      killModeProcess: true,
      delegate: true,
      ...tkube(
        'runtime',
        '--socket', p.socket,
        '--state-dir', p.runtimeState,
        '--image-dir', p.imageStore,
        '--cni-conf-dir', p.cniConfDir,
        '--pause-image', 'tkube/pause:3.10',
        '--streaming-addr', '127.0.0.1:0',
        '--name-prefix', o.namePrefix,
      ),
    },
    {
      name: 'kubelet',
      description: 'the node agent (tkube kubelet)',
      after: ['runtime'],
      ...tkube(
        'kubelet',
        '--kubeconfig', o.kubeconfig,
        '--node-name', o.nodeName,
        '--container-runtime-endpoint', `unix://${p.socket}`,
        '--root-dir', p.kubeletRoot,
        '--pod-logs-dir', p.podLogs,
        '--cni-conf-dir', p.cniConfDir,
        '--node-ip', o.nodeIp,
        '--address', o.nodeIp,
        '--port', String(o.kubeletPort),
        ...kubeletSecurityArgs(o.kubeletSecurity),
      ),
    },
  ];
  if (o.networkAgent) {
    plan.push({
      name: 'network-agent',
      description: "routes to the other nodes' pod networks (tkube network-agent)",
      after: ['kubelet'],
      ...tkube(
        'network-agent',
        '--kubeconfig', o.kubeconfig,
        '--node-name', o.nodeName,
        '--mode', o.networkMode,
        ...(o.networkInterface ? ['--interface', o.networkInterface] : []),
      ),
    });
  }
  return plan;
}
