/** Pod container → CRI ContainerConfig: command/args expansion, env, mounts, resources, labels, log path. */
import { createHash } from 'node:crypto';
import type { Container } from '../api/types/container.js';
import type { Pod } from '../api/types/pod.js';
import { parseQuantity } from '../api/types/quantity.js';
import type { ContainerConfig, KeyValue, LinuxContainerResources, Mount } from '../runtime/cri/types.js';
import { expandVars } from './env.js';
import { CONTAINER_HASH, CONTAINER_KIND, CONTAINER_NAME, CONTAINER_RESTART_COUNT, CONTAINER_TERMINATION_GRACE, POD_NAME, POD_NAMESPACE, POD_UID } from './labels.js';

const CFS_PERIOD_US = 100_000;
const MIN_SHARES = 2;

/** cpu shares (1 core = 1024), cfs quota and memory limit from requests/limits, as the kubelet maps them. */
export function linuxResources(c: Container): LinuxContainerResources {
  const cpuReq = parseQuantity(c.resources?.requests?.cpu ?? c.resources?.limits?.cpu ?? 0) ?? 0;
  const cpuLim = parseQuantity(c.resources?.limits?.cpu ?? 0) ?? 0;
  const memLim = parseQuantity(c.resources?.limits?.memory ?? 0) ?? 0;
  return {
    cpu_shares: Math.max(MIN_SHARES, Math.floor(cpuReq * 1024)),
    cpu_period: cpuLim > 0 ? CFS_PERIOD_US : 0,
    cpu_quota: cpuLim > 0 ? Math.max(1000, Math.floor(cpuLim * CFS_PERIOD_US)) : 0,
    memory_limit_in_bytes: Math.floor(memLim),
    oom_score_adj: 0,
    cpuset_cpus: '',
    cpuset_mems: '',
    unified: {},
    memory_swap_limit_in_bytes: Math.floor(memLim),
  };
}

/** A hash of the container spec: a changed spec means the container is replaced. */
export function containerHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 8);
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  kind: 'init' | 'app';
  attempt: number;
  image: string;
  env: KeyValue[];
  mounts: Mount[];
}

export function buildContainerConfig(i: ContainerConfigInput): ContainerConfig {
  const { pod, container: c } = i;
  const m = pod.metadata;
  const vars = Object.fromEntries(i.env.map((e) => [e.key, e.value]));
  const sc = c.securityContext;
  const psc = pod.spec.securityContext ?? {};
  const runAsUser = sc?.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc.runAsGroup;
  return {
    metadata: { name: c.name, attempt: i.attempt },
    image: { image: i.image, annotations: {}, user_specified_image: c.image ?? '' },
    command: (c.command ?? []).map((s) => expandVars(s, vars)),
    args: (c.args ?? []).map((s) => expandVars(s, vars)),
    working_dir: c.workingDir ?? '',
    envs: i.env,
    mounts: i.mounts,
    devices: [],
    labels: { [POD_NAME]: m.name!, [POD_NAMESPACE]: m.namespace ?? 'default', [POD_UID]: m.uid!, [CONTAINER_NAME]: c.name },
    annotations: {
      [CONTAINER_HASH]: containerHash(c),
      [CONTAINER_RESTART_COUNT]: String(i.attempt),
      [CONTAINER_TERMINATION_GRACE]: String(pod.spec.terminationGracePeriodSeconds ?? 30),
      [CONTAINER_KIND]: i.kind,
    },
    log_path: `${c.name}/${i.attempt}.log`,
    stdin: c.stdin ?? false,
    stdin_once: c.stdinOnce ?? false,
    tty: c.tty ?? false,
    linux: {
      resources: linuxResources(c),
      security_context: {
        capabilities: sc?.capabilities ? { add_capabilities: sc.capabilities.add ?? [], drop_capabilities: sc.capabilities.drop ?? [], add_ambient_capabilities: [] } : null,
        privileged: sc?.privileged ?? false,
        namespace_options: {
          network: pod.spec.hostNetwork ? 'NODE' : 'POD',
          pid: pod.spec.hostPID ? 'NODE' : pod.spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
          ipc: pod.spec.hostIPC ? 'NODE' : 'POD',
          target_id: '',
        },
        run_as_user: runAsUser !== undefined ? { value: runAsUser } : null,
        run_as_username: '',
        readonly_rootfs: sc?.readOnlyRootFilesystem ?? false,
        supplemental_groups: psc.supplementalGroups ?? [],
        no_new_privs: sc?.allowPrivilegeEscalation === false,
        run_as_group: runAsGroup !== undefined ? { value: runAsGroup } : null,
        masked_paths: [],
        readonly_paths: [],
      },
    },
  };
}
