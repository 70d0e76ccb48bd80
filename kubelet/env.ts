/**
 * A container's environment as the kubelet computes it: the services' variables first
 * (KUBERNETES_SERVICE_HOST/PORT…, which the pod's own variables may override and refer
 * to), then envFrom, then env in order (value with $(VAR) expansion, fieldRef, resourceFieldRef, configMapKeyRef,
 * secretKeyRef). A missing non-optional ConfigMap/Secret/key is an error
 * (CreateContainerConfigError).
 */
import type { Container } from '../api/types/container.js';
import type { Pod } from '../api/types/pod.js';
import { parseQuantity } from '../api/types/quantity.js';

/** Data of a ConfigMap or Secret (Secret values already base64-decoded); undefined = not found. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** The variables of the services a pod in this namespace sees (Kubernetes' service links); absent: none. */
  serviceEnv?(namespace: string): Record<string, string>;
}

export interface ServiceEndpoint {
  host: string;
  port: number;
}

/**
 * The variables Kubernetes gives every container for the `kubernetes` service (the
 * apiserver), whatever enableServiceLinks says: how in-cluster clients find the API.
 */
export function apiserverServiceEnv(ep: ServiceEndpoint): Record<string, string> {
  const port = String(ep.port);
  const url = `tcp://${ep.host}:${port}`;
  return {
    KUBERNETES_SERVICE_HOST: ep.host,
    KUBERNETES_SERVICE_PORT: port,
    KUBERNETES_SERVICE_PORT_HTTPS: port,
    KUBERNETES_PORT: url,
    [`KUBERNETES_PORT_${port}_TCP`]: url,
    [`KUBERNETES_PORT_${port}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${port}_TCP_PORT`]: port,
    [`KUBERNETES_PORT_${port}_TCP_ADDR`]: ep.host,
  };
}

/** host and port of an https (or http) server URL; the scheme's port when none is written. */
export function endpointOfUrl(server: string): ServiceEndpoint {
  const u = new URL(server);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80 };
}

export class EnvConfigError extends Error {}

/** Expands $(VAR) from vars; $$ escapes a $; unknown references stay as written. */
export function expandVars(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && name in vars ? vars[name]! : m;
  });
}

export interface PodFieldValues {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  nodeName?: string;
}

export function podFieldValue(pod: Pod, fieldPath: string, extra: PodFieldValues): string {
  const m = pod.metadata;
  const label = /^metadata\.labels\['(.+)'\]$/.exec(fieldPath);
  if (label) return m.labels?.[label[1]!] ?? '';
  const ann = /^metadata\.annotations\['(.+)'\]$/.exec(fieldPath);
  if (ann) return m.annotations?.[ann[1]!] ?? '';
  switch (fieldPath) {
    case 'metadata.name': return m.name ?? '';
    case 'metadata.namespace': return m.namespace ?? '';
    case 'metadata.uid': return m.uid ?? '';
    case 'metadata.labels': return Object.entries(m.labels ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations': return Object.entries(m.annotations ?? {}).map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'spec.nodeName': return pod.spec.nodeName ?? extra.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP': return extra.hostIP ?? '';
    case 'status.hostIPs': return extra.hostIP ?? '';
    case 'status.podIP': return extra.podIP ?? '';
    case 'status.podIPs': return (extra.podIPs ?? (extra.podIP ? [extra.podIP] : [])).join(',');
    default: throw new EnvConfigError(`unsupported fieldPath ${fieldPath}`);
  }
}

export interface NodeAllocatable {
  cpuCores: number;
  memoryBytes: number;
}

/** limits.cpu etc. of a container; an unset limit is the node's allocatable (as Kubernetes). Rounded up by the divisor. */
export function resourceFieldValue(c: Container, resource: string, divisor: string | number | undefined, node: NodeAllocatable): string {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const list = kind === 'limits' ? c.resources?.limits : c.resources?.requests;
  let value = list?.[name] !== undefined ? parseQuantity(list[name]!) : undefined;
  if (value === undefined) {
    if (kind === 'limits' && name === 'cpu') value = node.cpuCores;
    else if (kind === 'limits' && name === 'memory') value = node.memoryBytes;
    else value = 0;
  }
  const div = divisor !== undefined ? (parseQuantity(divisor) ?? 1) : 1;
  return String(Math.ceil(value / div));
}

export async function buildEnv(
  pod: Pod,
  c: Container,
  src: ObjectSource,
  fields: PodFieldValues,
  node: NodeAllocatable,
): Promise<{ key: string; value: string }[]> {
  const ns = pod.metadata.namespace ?? 'default';
  const vars: Record<string, string> = {};
  const order: string[] = [];
  const set = (k: string, v: string) => {
    if (!(k in vars)) order.push(k);
    vars[k] = v;
  };
  for (const [k, v] of Object.entries(src.serviceEnv?.(ns) ?? {})) set(k, v);
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configmap' : 'secret';
    const data = from.configMapRef ? await src.configMap(ns, ref.name ?? '') : await src.secret(ns, ref.name ?? '');
    if (!data) {
      if (ref.optional) continue;
      throw new EnvConfigError(`${kind} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) set(`${from.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      set(e.name, expandVars(e.value ?? '', vars));
      continue;
    }
    const vf = e.valueFrom;
    if (vf.fieldRef) set(e.name, podFieldValue(pod, vf.fieldRef.fieldPath, fields));
    else if (vf.resourceFieldRef) {
      const target = vf.resourceFieldRef.containerName
        ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === vf.resourceFieldRef!.containerName) ?? c
        : c;
      set(e.name, resourceFieldValue(target, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, node));
    } else if (vf.configMapKeyRef || vf.secretKeyRef) {
      const ref = (vf.configMapKeyRef ?? vf.secretKeyRef)!;
      const kind = vf.configMapKeyRef ? 'configmap' : 'secret';
      const data = vf.configMapKeyRef ? await src.configMap(ns, ref.name ?? '') : await src.secret(ns, ref.name ?? '');
      const v = data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new EnvConfigError(data ? `couldn't find key ${ref.key} in ${kind} ${ns}/${ref.name}` : `${kind} "${ref.name}" not found`);
      }
      set(e.name, v);
    }
  }
  return order.map((key) => ({ key, value: vars[key]! }));
}
