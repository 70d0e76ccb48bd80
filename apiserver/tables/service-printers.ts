/**
 * Services (NAME, TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), AGE; wide SELECTOR) and
 * Endpoints (NAME, ENDPOINTS, AGE).
 */
import type { KubeObject, ObjectMeta } from '../../api/meta/object-meta.js';
import { timestampSince } from './duration.js';
import { NONE, formatLabels, joinHostPort } from './format.js';
import { ageColumn, column, nameColumn, wideColumn, type TablePrinter } from './printer.js';

interface ServicePortLike {
  name?: string;
  port?: number;
  nodePort?: number;
  protocol?: string;
}

interface ServiceLike {
  metadata: ObjectMeta;
  spec?: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[] | null;
    externalIPs?: string[] | null;
    externalName?: string;
    ports?: ServicePortLike[] | null;
    selector?: Record<string, string> | null;
  } | null;
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] | null } | null } | null;
}

/** Load balancer ingress points, IP preferred over hostname, de-duplicated and sorted. */
function loadBalancerAddresses(svc: ServiceLike): string[] {
  const set = new Set<string>();
  for (const ing of svc.status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  return [...set].sort();
}

function externalIP(svc: ServiceLike, type: string): string {
  const externalIPs = svc.spec?.externalIPs ?? [];
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : NONE;
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** "80/TCP,443:30443/TCP": port, node port when allocated, protocol. */
function portsString(ports: ServicePortLike[]): string {
  return ports
    .map((p) => {
      const protocol = p.protocol || 'TCP';
      return p.nodePort && p.nodePort > 0 ? `${p.port ?? 0}:${p.nodePort}/${protocol}` : `${p.port ?? 0}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: TablePrinter = {
  columns: [
    nameColumn(),
    column('Type', 'string', 'How the service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    column('Cluster-IP', 'string', 'The virtual IP of the service inside the cluster.'),
    column('External-IP', 'string', 'Addresses the service is reachable at from outside the cluster.'),
    column('Port(s)', 'string', 'Ports the service exposes.'),
    ageColumn(),
    wideColumn('Selector', 'Labels of the pods the service routes traffic to.'),
  ],
  print(obj: KubeObject, { now }) {
    const svc = obj as ServiceLike;
    // Kubernetes defaults spec.type to ClusterIP.
    const type = svc.spec?.type || 'ClusterIP';
    const clusterIP = svc.spec?.clusterIPs?.[0] || svc.spec?.clusterIP || NONE;
    const ports = portsString(svc.spec?.ports ?? []);
    return {
      cells: [
        svc.metadata.name ?? '',
        type,
        clusterIP,
        externalIP(svc, type),
        ports || NONE,
        timestampSince(svc.metadata.creationTimestamp, now),
        formatLabels(svc.spec?.selector),
      ],
    };
  },
};

interface EndpointsLike {
  metadata: ObjectMeta;
  subsets?: {
    addresses?: { ip?: string }[] | null;
    ports?: { name?: string; port?: number }[] | null;
  }[] | null;
}

/** At most three endpoints ("ip:port"), then " + N more...". "<none>" without subsets. */
export function formatEndpoints(ep: EndpointsLike): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return NONE;
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets) {
    const addresses = subset.addresses ?? [];
    const ports = subset.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have addresses without ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(a.ip ?? '');
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === max) break;
        list.push(joinHostPort(a.ip ?? '', port.port ?? 0));
      }
    }
  }
  const joined = list.join(',');
  return count > max ? `${joined} + ${count - max} more...` : joined;
}

export const endpointsPrinter: TablePrinter = {
  columns: [nameColumn(), column('Endpoints', 'string', 'Ready addresses and ports backing the service.'), ageColumn()],
  print(obj: KubeObject, { now }) {
    const ep = obj as EndpointsLike;
    return { cells: [ep.metadata.name ?? '', formatEndpoints(ep), timestampSince(ep.metadata.creationTimestamp, now)] };
  },
};
