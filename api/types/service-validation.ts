/** Semantic validation of Services and Endpoints. */
import type { StatusCause } from '../meta/errors.js';
import {
  fieldDuplicate,
  fieldForbidden,
  fieldImmutable,
  fieldInvalid,
  fieldRequired,
  isDNS1123Label,
  isDNS1123Subdomain,
  validateLabels,
} from '../meta/validation.js';
import { isValidPortNum, validateIP, validatePortNumOrName } from './field-validation.js';
import type { EndpointSubset, Endpoints, Service } from './service.js';

export function validateService(svc: Service): StatusCause[] {
  const spec = svc.spec;
  const causes: StatusCause[] = [];
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';

  if (spec.type === 'ExternalName') {
    if (!spec.externalName) causes.push(fieldRequired('spec.externalName'));
    else for (const e of isDNS1123Subdomain(spec.externalName)) causes.push(fieldInvalid('spec.externalName', spec.externalName, e));
  } else if (ports.length === 0 && !headless) {
    causes.push(fieldRequired('spec.ports'));
  }

  const names = new Set<string>();
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const pf = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) causes.push(fieldRequired(`${pf}.name`));
    if (p.name) {
      for (const e of isDNS1123Label(p.name)) causes.push(fieldInvalid(`${pf}.name`, p.name, e));
      if (names.has(p.name)) causes.push(fieldDuplicate(`${pf}.name`, p.name));
      names.add(p.name);
    }
    for (const e of isValidPortNum(p.port)) causes.push(fieldInvalid(`${pf}.port`, p.port, e));
    if (p.targetPort !== undefined) causes.push(...validatePortNumOrName(p.targetPort, `${pf}.targetPort`));
    const key = `${p.port}/${p.protocol}`;
    if (portKeys.has(key)) causes.push(fieldDuplicate(pf, `${p.port}/${p.protocol}`));
    portKeys.add(key);
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
        causes.push(fieldForbidden(`${pf}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      } else {
        for (const e of isValidPortNum(p.nodePort)) causes.push(fieldInvalid(`${pf}.nodePort`, p.nodePort, e));
      }
    }
  });

  if (spec.clusterIP && spec.clusterIP !== 'None') causes.push(...validateIP(spec.clusterIP, 'spec.clusterIP'));
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip !== 'None') causes.push(...validateIP(ip, `spec.clusterIPs[${i}]`));
  });
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    causes.push(fieldInvalid('spec.clusterIPs', spec.clusterIPs, 'first value must match `clusterIP`'));
  }
  if (spec.type === 'ExternalName' && spec.clusterIP && spec.clusterIP !== 'None') {
    causes.push(fieldForbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => causes.push(...validateIP(ip, `spec.externalIPs[${i}]`)));
  if (spec.selector) causes.push(...validateLabels(spec.selector, 'spec.selector'));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (timeout !== undefined && (timeout < 1 || timeout > 86400)) {
    causes.push(fieldInvalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
  }
  return causes;
}

/** The allocated cluster IP cannot change once set (except by changing the type to ExternalName). */
export function validateServiceUpdate(svc: Service, old: Service): StatusCause[] {
  const causes: StatusCause[] = [];
  if (svc.spec.type === 'ExternalName') return causes;
  if (old.spec.clusterIP && svc.spec.clusterIP !== old.spec.clusterIP) {
    causes.push(fieldImmutable('spec.clusterIP', svc.spec.clusterIP ?? ''));
  }
  const oldIPs = old.spec.clusterIPs ?? [];
  if (oldIPs.length && svc.spec.clusterIPs && svc.spec.clusterIPs[0] !== oldIPs[0]) {
    causes.push(fieldImmutable('spec.clusterIPs[0]', svc.spec.clusterIPs[0] ?? ''));
  }
  return causes;
}

function validateSubset(subset: EndpointSubset, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const kind of ['addresses', 'notReadyAddresses'] as const) {
    (subset[kind] ?? []).forEach((a, i) => {
      causes.push(...validateIP(a.ip, `${field}.${kind}[${i}].ip`));
      if (a.hostname) for (const e of isDNS1123Label(a.hostname)) causes.push(fieldInvalid(`${field}.${kind}[${i}].hostname`, a.hostname, e));
    });
  }
  const ports = subset.ports ?? [];
  ports.forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    if (ports.length > 1 && !p.name) causes.push(fieldRequired(`${pf}.name`));
    if (p.name) for (const e of isDNS1123Label(p.name)) causes.push(fieldInvalid(`${pf}.name`, p.name, e));
    for (const e of isValidPortNum(p.port)) causes.push(fieldInvalid(`${pf}.port`, p.port, e));
  });
  return causes;
}

export function validateEndpoints(ep: Endpoints): StatusCause[] {
  return (ep.subsets ?? []).flatMap((s, i) => validateSubset(s, `subsets[${i}]`));
}
