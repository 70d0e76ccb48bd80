// TypeScript shapes of the CRI runtime.v1 messages tkube uses, as produced by
// @grpc/proto-loader with { keepCase, longs: Number, enums: String, defaults }:
// unset scalars are defaults, unset messages are null, repeated are [], maps {}.
// Outgoing messages may omit fields (Partial-friendly optional members) and may
// give int64 values as decimal strings (nanosecond timestamps exceed 2^53).

export type Int64 = number | string;
export type StringMap = Record<string, string>;

export interface VersionResponse {
  version: string;
  runtime_name: string;
  runtime_version: string;
  runtime_api_version: string;
}

export interface DNSConfig { servers: string[]; searches: string[]; options: string[] }
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export interface PortMapping { protocol: Protocol; container_port: number; host_port: number; host_ip: string }
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export interface Mount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel?: boolean;
  propagation?: MountPropagation;
}
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export interface NamespaceOption { network: NamespaceMode; pid: NamespaceMode; ipc: NamespaceMode; target_id: string }
export interface Int64Value { value: number }

export interface LinuxSandboxSecurityContext {
  namespace_options: NamespaceOption | null;
  run_as_user: Int64Value | null;
  readonly_rootfs: boolean;
  supplemental_groups: number[];
  privileged: boolean;
  run_as_group: Int64Value | null;
}

export interface LinuxContainerResources {
  cpu_period: number;
  cpu_quota: number;
  cpu_shares: number;
  memory_limit_in_bytes: number;
  oom_score_adj: number;
  cpuset_cpus: string;
  cpuset_mems: string;
  unified: StringMap;
  memory_swap_limit_in_bytes: number;
}

export interface LinuxPodSandboxConfig {
  cgroup_parent: string;
  security_context: LinuxSandboxSecurityContext | null;
  sysctls: StringMap;
  overhead: LinuxContainerResources | null;
  resources: LinuxContainerResources | null;
}

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt: number }

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata | null;
  hostname: string;
  log_directory: string;
  dns_config: DNSConfig | null;
  port_mappings: PortMapping[];
  labels: StringMap;
  annotations: StringMap;
  linux: LinuxPodSandboxConfig | null;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: Int64;
  network: { ip: string; additional_ips: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface PodSandboxFilter {
  id: string;
  state: { state: PodSandboxState } | null;
  label_selector: StringMap;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  runtime_handler: string;
}

export interface ImageSpec { image: string; annotations: StringMap; user_specified_image?: string; runtime_handler?: string }
export interface KeyValue { key: string; value: string }

export interface Capability { add_capabilities: string[]; drop_capabilities: string[]; add_ambient_capabilities: string[] }

export interface LinuxContainerSecurityContext {
  capabilities: Capability | null;
  privileged: boolean;
  namespace_options: NamespaceOption | null;
  run_as_user: Int64Value | null;
  run_as_username: string;
  readonly_rootfs: boolean;
  supplemental_groups: number[];
  no_new_privs: boolean;
  run_as_group: Int64Value | null;
  masked_paths: string[];
  readonly_paths: string[];
}

export interface LinuxContainerConfig {
  resources: LinuxContainerResources | null;
  security_context: LinuxContainerSecurityContext | null;
}

export interface ContainerMetadata { name: string; attempt: number }
export interface Device { container_path: string; host_path: string; permissions: string }

export interface ContainerConfig {
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  command: string[];
  args: string[];
  working_dir: string;
  envs: KeyValue[];
  mounts: Mount[];
  devices: Device[];
  labels: StringMap;
  annotations: StringMap;
  log_path: string;
  stdin: boolean;
  stdin_once: boolean;
  tty: boolean;
  linux: LinuxContainerConfig | null;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface ContainerFilter {
  id: string;
  state: { state: ContainerState } | null;
  pod_sandbox_id: string;
  label_selector: StringMap;
}

export interface Container {
  id: string;
  pod_sandbox_id: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  image_ref: string;
  state: ContainerState;
  created_at: Int64;
  labels: StringMap;
  annotations: StringMap;
  image_id: string;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  created_at: Int64;
  started_at: Int64;
  finished_at: Int64;
  exit_code: number;
  image: ImageSpec | null;
  image_ref: string;
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  log_path: string;
  resources: { linux: LinuxContainerResources | null } | null;
  image_id: string;
}

export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }

export interface Image {
  id: string;
  repo_tags: string[];
  repo_digests: string[];
  size: Int64;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}

export interface AuthConfig {
  username: string;
  password: string;
  auth: string;
  server_address: string;
  identity_token: string;
  registry_token: string;
}

export interface FilesystemUsage {
  timestamp: Int64;
  fs_id: { mountpoint: string } | null;
  used_bytes: { value: Int64 } | null;
  inodes_used: { value: Int64 } | null;
}

/** Request/response pairs, keyed by RPC method name. */
export interface RuntimeServiceMethods {
  Version: [{ version: string }, VersionResponse];
  RunPodSandbox: [{ config: PodSandboxConfig | null; runtime_handler: string }, { pod_sandbox_id: string }];
  StopPodSandbox: [{ pod_sandbox_id: string }, Record<string, never>];
  RemovePodSandbox: [{ pod_sandbox_id: string }, Record<string, never>];
  PodSandboxStatus: [
    { pod_sandbox_id: string; verbose: boolean },
    { status: PodSandboxStatus | null; info: StringMap; containers_statuses?: ContainerStatus[]; timestamp?: Int64 },
  ];
  ListPodSandbox: [{ filter: PodSandboxFilter | null }, { items: PodSandbox[] }];
  CreateContainer: [
    { pod_sandbox_id: string; config: ContainerConfig | null; sandbox_config: PodSandboxConfig | null },
    { container_id: string },
  ];
  StartContainer: [{ container_id: string }, Record<string, never>];
  StopContainer: [{ container_id: string; timeout: number }, Record<string, never>];
  RemoveContainer: [{ container_id: string }, Record<string, never>];
  ListContainers: [{ filter: ContainerFilter | null }, { containers: Container[] }];
  ContainerStatus: [{ container_id: string; verbose: boolean }, { status: ContainerStatus | null; info: StringMap }];
  UpdateContainerResources: [
    { container_id: string; linux: LinuxContainerResources | null; annotations: StringMap },
    Record<string, never>,
  ];
  ReopenContainerLog: [{ container_id: string }, Record<string, never>];
  ExecSync: [
    { container_id: string; cmd: string[]; timeout: number },
    { stdout: Buffer; stderr: Buffer; exit_code: number },
  ];
  Exec: [
    { container_id: string; cmd: string[]; tty: boolean; stdin: boolean; stdout: boolean; stderr: boolean },
    { url: string },
  ];
  Attach: [
    { container_id: string; stdin: boolean; tty: boolean; stdout: boolean; stderr: boolean },
    { url: string },
  ];
  PortForward: [{ pod_sandbox_id: string; port: number[] }, { url: string }];
  UpdateRuntimeConfig: [{ runtime_config: { network_config: { pod_cidr: string } | null } | null }, Record<string, never>];
  Status: [{ verbose: boolean }, { status: { conditions: RuntimeCondition[] } | null; info: StringMap }];
}

export interface ImageServiceMethods {
  ListImages: [{ filter: { image: ImageSpec | null } | null }, { images: Image[] }];
  ImageStatus: [{ image: ImageSpec | null; verbose: boolean }, { image: Image | null; info: StringMap }];
  PullImage: [
    { image: ImageSpec | null; auth: AuthConfig | null; sandbox_config: PodSandboxConfig | null },
    { image_ref: string },
  ];
  RemoveImage: [{ image: ImageSpec | null }, Record<string, never>];
  ImageFsInfo: [Record<string, never>, { image_filesystems: FilesystemUsage[]; container_filesystems: FilesystemUsage[] }];
}

export type RuntimeServiceHandlers = {
  [K in keyof RuntimeServiceMethods]: (req: RuntimeServiceMethods[K][0]) => Promise<RuntimeServiceMethods[K][1]>;
};
export type ImageServiceHandlers = {
  [K in keyof ImageServiceMethods]: (req: ImageServiceMethods[K][0]) => Promise<ImageServiceMethods[K][1]>;
};
