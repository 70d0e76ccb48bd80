/** core/v1 Container and the pieces it is built from: env, ports, probes, lifecycle, security. */
import { z } from 'zod';
import { atomicList, mergeList } from '../meta/patch-meta.js';
import { IntOrString, Quantity, ResourceList } from './common.js';

export const Protocol = z.enum(['TCP', 'UDP', 'SCTP']);

export const ObjectFieldSelector = z.strictObject({
  apiVersion: z.string().default('v1'),
  fieldPath: z.string().describe('Path of the field to select, e.g. metadata.name or status.podIP.'),
});

export const ResourceFieldSelector = z.strictObject({
  containerName: z.string().optional(),
  resource: z.string().describe('Resource to select: limits.cpu, requests.memory, ...'),
  divisor: Quantity.optional(),
});

export const KeySelector = z.strictObject({
  name: z.string().optional().describe('Name of the ConfigMap or Secret.'),
  key: z.string().describe('The key to select.'),
  optional: z.boolean().optional().describe('Whether the object or key may be missing.'),
});

export const EnvVarSource = z.strictObject({
  fieldRef: ObjectFieldSelector.optional().describe('A field of the pod.'),
  resourceFieldRef: ResourceFieldSelector.optional().describe('A resource limit or request of a container.'),
  configMapKeyRef: KeySelector.optional().describe('A key of a ConfigMap.'),
  secretKeyRef: KeySelector.optional().describe('A key of a Secret.'),
});

export const EnvVar = z.strictObject({
  name: z.string().describe('Name of the environment variable.'),
  value: z.string().optional().describe('Value; $(VAR) references to earlier variables are expanded.'),
  valueFrom: EnvVarSource.optional().describe('Source of the value when value is not given.'),
});
export type EnvVar = z.infer<typeof EnvVar>;

const NamedOptionalRef = z.strictObject({ name: z.string().optional(), optional: z.boolean().optional() });

export const EnvFromSource = z.strictObject({
  prefix: z.string().optional().describe('Prefix prepended to every key.'),
  configMapRef: NamedOptionalRef.optional(),
  secretRef: NamedOptionalRef.optional(),
});

export const ContainerPort = z.strictObject({
  name: z.string().optional().describe('IANA service name for the port, referable by services.'),
  hostPort: z.number().int().optional().describe('Port to expose on the host.'),
  containerPort: z.number().int().describe('Port number the container listens on.'),
  protocol: Protocol.default('TCP').describe('TCP, UDP or SCTP.'),
  hostIP: z.string().optional(),
});
export type ContainerPort = z.infer<typeof ContainerPort>;

export const VolumeMount = z.strictObject({
  name: z.string().describe('Name of the pod volume to mount.'),
  readOnly: z.boolean().optional(),
  recursiveReadOnly: z.string().optional(),
  mountPath: z.string().describe('Path inside the container where the volume is mounted.'),
  subPath: z.string().optional().describe('Path within the volume to mount instead of its root.'),
  mountPropagation: z.enum(['None', 'HostToContainer', 'Bidirectional']).optional(),
  subPathExpr: z.string().optional(),
});
export type VolumeMount = z.infer<typeof VolumeMount>;

export const VolumeDevice = z.strictObject({ name: z.string(), devicePath: z.string() });

export const ResourceRequirements = z.strictObject({
  limits: ResourceList.optional().describe('Maximum amount of each resource the container may use.'),
  requests: ResourceList.optional().describe('Amount of each resource the scheduler reserves for the container.'),
  claims: z.array(z.strictObject({ name: z.string(), request: z.string().optional() })).optional(),
});
export type ResourceRequirements = z.infer<typeof ResourceRequirements>;

export const ExecAction = z.strictObject({
  command: atomicList(z.string()).optional().describe('Command run inside the container; exit 0 is success.'),
});

export const HTTPHeader = z.strictObject({ name: z.string(), value: z.string() });

export const HTTPGetAction = z.strictObject({
  path: z.string().optional(),
  port: IntOrString.describe('Port number or name on the container.'),
  host: z.string().optional().describe('Host to connect to; the pod IP by default.'),
  scheme: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
  httpHeaders: z.array(HTTPHeader).optional(),
});

export const TCPSocketAction = z.strictObject({ port: IntOrString, host: z.string().optional() });

export const GRPCAction = z.strictObject({ port: z.number().int(), service: z.string().optional() });

export const Probe = z
  .strictObject({
    exec: ExecAction.optional(),
    httpGet: HTTPGetAction.optional(),
    tcpSocket: TCPSocketAction.optional(),
    grpc: GRPCAction.optional(),
    initialDelaySeconds: z.number().int().optional().describe('Seconds after the container starts before the first probe.'),
    timeoutSeconds: z.number().int().default(1).describe('Seconds after which the probe times out.'),
    periodSeconds: z.number().int().default(10).describe('How often to probe, in seconds.'),
    successThreshold: z.number().int().default(1).describe('Consecutive successes needed after a failure.'),
    failureThreshold: z.number().int().default(3).describe('Consecutive failures after which the probe gives up.'),
    terminationGracePeriodSeconds: z.number().int().optional(),
  })
  .describe('A health check run against a container by the kubelet.');
export type Probe = z.infer<typeof Probe>;

export const LifecycleHandler = z.strictObject({
  exec: ExecAction.optional(),
  httpGet: HTTPGetAction.optional(),
  tcpSocket: TCPSocketAction.optional(),
  sleep: z.strictObject({ seconds: z.number().int() }).optional(),
});
export type LifecycleHandler = z.infer<typeof LifecycleHandler>;

export const Lifecycle = z.strictObject({
  postStart: LifecycleHandler.optional().describe('Run right after the container is created.'),
  preStop: LifecycleHandler.optional().describe('Run before the container is stopped.'),
  stopSignal: z.string().optional(),
});

export const SELinuxOptions = z.strictObject({
  user: z.string().optional(),
  role: z.string().optional(),
  type: z.string().optional(),
  level: z.string().optional(),
});

export const WindowsSecurityContextOptions = z.strictObject({
  gmsaCredentialSpecName: z.string().optional(),
  gmsaCredentialSpec: z.string().optional(),
  runAsUserName: z.string().optional(),
  hostProcess: z.boolean().optional(),
});

export const SeccompProfile = z.strictObject({
  type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']),
  localhostProfile: z.string().optional(),
});

export const AppArmorProfile = z.strictObject({
  type: z.enum(['RuntimeDefault', 'Unconfined', 'Localhost']),
  localhostProfile: z.string().optional(),
});

export const SecurityContext = z
  .strictObject({
    capabilities: z.strictObject({ add: z.array(z.string()).optional(), drop: z.array(z.string()).optional() }).optional(),
    privileged: z.boolean().optional(),
    seLinuxOptions: SELinuxOptions.optional(),
    windowsOptions: WindowsSecurityContextOptions.optional(),
    runAsUser: z.number().int().optional(),
    runAsGroup: z.number().int().optional(),
    runAsNonRoot: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    procMount: z.string().optional(),
    seccompProfile: SeccompProfile.optional(),
    appArmorProfile: AppArmorProfile.optional(),
  })
  .describe('Security options of one container; they override the pod security context.');

export const ContainerResizePolicy = z.strictObject({ resourceName: z.string(), restartPolicy: z.string() });

export const Container = z
  .strictObject({
    name: z.string().describe('Name of the container, a DNS label unique within the pod.'),
    image: z.string().optional().describe('Container image reference.'),
    command: atomicList(z.string()).optional().describe("Entrypoint; replaces the image's ENTRYPOINT."),
    args: atomicList(z.string()).optional().describe("Arguments to the entrypoint; replace the image's CMD."),
    workingDir: z.string().optional().describe('Working directory; the image default when empty.'),
    ports: mergeList(ContainerPort, 'containerPort', ['containerPort', 'protocol']).optional().describe('Ports the container exposes.'),
    envFrom: z.array(EnvFromSource).optional().describe('ConfigMaps and Secrets whose keys become environment variables.'),
    env: mergeList(EnvVar, 'name').optional().describe('Environment variables to set.'),
    resources: ResourceRequirements.optional().describe('Compute resources requested and limited.'),
    resizePolicy: z.array(ContainerResizePolicy).optional(),
    restartPolicy: z.enum(['Always']).optional().describe('Only for init containers: Always makes it a sidecar.'),
    volumeMounts: mergeList(VolumeMount, 'mountPath').optional().describe('Pod volumes to mount into the filesystem.'),
    volumeDevices: mergeList(VolumeDevice, 'devicePath').optional(),
    livenessProbe: Probe.optional().describe('The container is restarted when this probe fails.'),
    readinessProbe: Probe.optional().describe('The pod is removed from service endpoints while this probe fails.'),
    startupProbe: Probe.optional().describe('Other probes wait until this one succeeds.'),
    lifecycle: Lifecycle.optional().describe('Hooks run after start and before stop.'),
    terminationMessagePath: z.string().default('/dev/termination-log').describe('File whose content becomes the termination message.'),
    terminationMessagePolicy: z.enum(['File', 'FallbackToLogsOnError']).default('File'),
    imagePullPolicy: z.enum(['Always', 'Never', 'IfNotPresent']).optional().describe('Always for :latest or untagged images, else IfNotPresent.'),
    securityContext: SecurityContext.optional(),
    stdin: z.boolean().optional().describe('Allocate a stdin buffer for the container.'),
    stdinOnce: z.boolean().optional(),
    tty: z.boolean().optional().describe('Allocate a TTY; needs stdin.'),
  })
  .describe('A single application container of a pod.');
export type Container = z.infer<typeof Container>;
export type ContainerInput = z.input<typeof Container>;

/** imagePullPolicy as Kubernetes defaults it: Always for ":latest" or no tag (and no digest). */
export function defaultImagePullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  if (!image) return 'Always';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return lastSegment.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}
