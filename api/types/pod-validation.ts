/** Semantic validation of pods and pod templates, with Kubernetes' field paths and wording. */
import type { StatusCause } from '../meta/errors.js';
import {
  fieldDuplicate,
  fieldForbidden,
  fieldInvalid,
  fieldRequired,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  validateLabels,
  validateNonNegative,
} from '../meta/validation.js';
import type { Affinity, Toleration } from './affinity.js';
import type { Container, Probe } from './container.js';
import { deepEqual, diffPaths } from './deep-equal.js';
import { isValidPortName, isValidPortNum, validateLabelSelector, validatePortNumOrName, validateQuantity } from './field-validation.js';
import type { Pod, PodSpec } from './pod.js';
import { VOLUME_SOURCES } from './volume.js';

const ENV_NAME_RE = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function validateProbe(probe: Probe, field: string, mustSucceedOnce: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  const handlers = (['exec', 'httpGet', 'tcpSocket', 'grpc'] as const).filter((h) => probe[h] !== undefined);
  if (handlers.length === 0) causes.push(fieldRequired(field, 'must specify a handler type'));
  for (const extra of handlers.slice(1)) causes.push(fieldForbidden(`${field}.${extra}`, 'may not specify more than 1 handler type'));
  if (probe.httpGet) causes.push(...validatePortNumOrName(probe.httpGet.port, `${field}.httpGet.port`));
  if (probe.tcpSocket) causes.push(...validatePortNumOrName(probe.tcpSocket.port, `${field}.tcpSocket.port`));
  if (probe.grpc) for (const e of isValidPortNum(probe.grpc.port)) causes.push(fieldInvalid(`${field}.grpc.port`, probe.grpc.port, e));
  if (probe.exec && (probe.exec.command ?? []).length === 0) causes.push(fieldRequired(`${field}.exec.command`));
  for (const key of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'] as const) {
    causes.push(...validateNonNegative(`${field}.${key}`, probe[key]));
  }
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    causes.push(fieldInvalid(`${field}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (mustSucceedOnce && probe.successThreshold !== 1) {
    causes.push(fieldInvalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return causes;
}

function validateContainer(c: Container, field: string, volumeNames: Set<string>, isInit: boolean): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c.image || c.image.trim() === '') causes.push(fieldRequired(`${field}.image`));
  else if (c.image !== c.image.trim()) causes.push(fieldInvalid(`${field}.image`, c.image, 'must not have leading or trailing whitespace'));

  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    if (p.name !== undefined) {
      for (const e of isValidPortName(p.name)) causes.push(fieldInvalid(`${pf}.name`, p.name, e));
      if (portNames.has(p.name)) causes.push(fieldDuplicate(`${pf}.name`, p.name));
      portNames.add(p.name);
    }
    for (const e of isValidPortNum(p.containerPort)) causes.push(fieldInvalid(`${pf}.containerPort`, p.containerPort, e));
    if (p.hostPort !== undefined && p.hostPort !== 0) {
      for (const e of isValidPortNum(p.hostPort)) causes.push(fieldInvalid(`${pf}.hostPort`, p.hostPort, e));
    }
  });

  (c.env ?? []).forEach((env, i) => {
    const ef = `${field}.env[${i}]`;
    if (!env.name) causes.push(fieldRequired(`${ef}.name`));
    else if (!ENV_NAME_RE.test(env.name)) {
      causes.push(
        fieldInvalid(
          `${ef}.name`,
          env.name,
          "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
        ),
      );
    }
    if (env.valueFrom) {
      const sources = (['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'] as const).filter((s) => env.valueFrom![s]);
      if (sources.length === 0) causes.push(fieldInvalid(`${ef}.valueFrom`, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
      if (sources.length > 1) causes.push(fieldInvalid(`${ef}.valueFrom`, '', 'may not have more than one field specified at a time'));
      if (env.value) causes.push(fieldInvalid(`${ef}.valueFrom`, '', 'may not be specified when `value` is not empty'));
    }
  });

  for (const kind of ['limits', 'requests'] as const) {
    for (const [name, q] of Object.entries(c.resources?.[kind] ?? {})) {
      causes.push(...validateQuantity(q, `${field}.resources.${kind}[${name}]`));
    }
  }

  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const mf = `${field}.volumeMounts[${i}]`;
    if (!m.name) causes.push(fieldRequired(`${mf}.name`));
    else if (!volumeNames.has(m.name)) causes.push({ reason: 'FieldValueNotFound', message: `Not found: ${JSON.stringify(m.name)}`, field: `${mf}.name` });
    if (!m.mountPath) causes.push(fieldRequired(`${mf}.mountPath`));
    else if (mountPaths.has(m.mountPath)) causes.push(fieldInvalid(`${mf}.mountPath`, m.mountPath, 'must be unique'));
    mountPaths.add(m.mountPath);
    if (m.subPath && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      causes.push(fieldInvalid(`${mf}.subPath`, m.subPath, "must be a relative path without '..'"));
    }
  });

  const sidecar = isInit && c.restartPolicy === 'Always';
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
    const value = c[probe];
    if (!value) continue;
    if (isInit && !sidecar) {
      causes.push(fieldForbidden(`${field}.${probe}`, 'may not be set for init containers without restartPolicy=Always'));
      continue;
    }
    causes.push(...validateProbe(value, `${field}.${probe}`, probe !== 'readinessProbe'));
  }
  if (c.stdinOnce && !c.stdin) causes.push(fieldInvalid(`${field}.stdinOnce`, true, 'must be false when stdin is false'));
  return causes;
}

function validateTolerations(tolerations: Toleration[], field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  tolerations.forEach((t, i) => {
    const tf = `${field}[${i}]`;
    if (t.key) for (const e of isQualifiedName(t.key)) causes.push(fieldInvalid(`${tf}.key`, t.key, e));
    if (!t.key && t.operator !== 'Exists') {
      causes.push(fieldInvalid(`${tf}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.operator === 'Exists' && t.value) causes.push(fieldInvalid(`${tf}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      causes.push(fieldInvalid(`${tf}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
  });
  return causes;
}

function validateWeight(weight: number, field: string): StatusCause[] {
  return weight >= 1 && weight <= 100 ? [] : [fieldInvalid(field, weight, 'must be in the range 1-100')];
}

function validateAffinity(affinity: Affinity, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const node = affinity.nodeAffinity;
  const checkTerm = (term: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }, tf: string) => {
    (term.matchExpressions ?? []).forEach((req, j) => {
      const rf = `${tf}.matchExpressions[${j}]`;
      const values = req.values ?? [];
      if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) {
        causes.push(fieldRequired(`${rf}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) {
        causes.push(fieldForbidden(`${rf}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      if (req.operator === 'Gt' || req.operator === 'Lt') {
        if (values.length !== 1) causes.push(fieldRequired(`${rf}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
        else if (!/^-?\d+$/.test(values[0]!)) causes.push(fieldInvalid(`${rf}.values[0]`, values[0], 'must be an integer'));
      }
      for (const e of isQualifiedName(req.key)) causes.push(fieldInvalid(`${rf}.key`, req.key, e));
    });
  };
  if (node) {
    const required = node.requiredDuringSchedulingIgnoredDuringExecution;
    const nf = `${field}.nodeAffinity`;
    if (required) {
      const rf = `${nf}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`;
      if (required.nodeSelectorTerms.length === 0) causes.push(fieldRequired(rf, 'must have at least one node selector term'));
      required.nodeSelectorTerms.forEach((term, i) => checkTerm(term, `${rf}[${i}]`));
    }
    (node.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((p, i) => {
      const pf = `${nf}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      causes.push(...validateWeight(p.weight, `${pf}.weight`));
      checkTerm(p.preference, `${pf}.preference`);
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = affinity[kind];
    if (!pa) continue;
    const af = `${field}.${kind}`;
    const checkPodTerm = (term: { topologyKey: string; labelSelector?: Parameters<typeof validateLabelSelector>[0] }, tf: string) => {
      if (!term.topologyKey) causes.push(fieldRequired(`${tf}.topologyKey`, 'can not be empty'));
      else for (const e of isQualifiedName(term.topologyKey)) causes.push(fieldInvalid(`${tf}.topologyKey`, term.topologyKey, e));
      if (term.labelSelector) causes.push(...validateLabelSelector(term.labelSelector, `${tf}.labelSelector`));
    };
    (pa.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => checkPodTerm(t, `${af}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    (pa.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((w, i) => {
      const wf = `${af}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      causes.push(...validateWeight(w.weight, `${wf}.weight`));
      checkPodTerm(w.podAffinityTerm, `${wf}.podAffinityTerm`);
    });
  }
  return causes;
}

/** Validates a PodSpec found at `field` ("spec" for pods, "spec.template.spec" for workloads). */
export function validatePodSpec(spec: PodSpec, field: string): StatusCause[] {
  const causes: StatusCause[] = [];

  const volumeNames = new Set<string>();
  (spec.volumes ?? []).forEach((v, i) => {
    const vf = `${field}.volumes[${i}]`;
    if (!v.name) causes.push(fieldRequired(`${vf}.name`));
    else for (const e of isDNS1123Label(v.name)) causes.push(fieldInvalid(`${vf}.name`, v.name, e));
    if (v.name && volumeNames.has(v.name)) causes.push(fieldDuplicate(`${vf}.name`, v.name));
    volumeNames.add(v.name);
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined);
    for (const extra of sources.slice(1)) causes.push(fieldForbidden(`${vf}.${extra}`, 'may not specify more than 1 volume type'));
    if (v.hostPath && !v.hostPath.path) causes.push(fieldRequired(`${vf}.hostPath.path`));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) causes.push(fieldRequired(`${vf}.persistentVolumeClaim.claimName`));
  });

  if (spec.containers.length === 0) causes.push(fieldRequired(`${field}.containers`));
  const containerNames = new Set<string>();
  const checkName = (c: Container, cf: string) => {
    if (!c.name) return causes.push(fieldRequired(`${cf}.name`));
    for (const e of isDNS1123Label(c.name)) causes.push(fieldInvalid(`${cf}.name`, c.name, e));
    if (containerNames.has(c.name)) causes.push(fieldDuplicate(`${cf}.name`, c.name));
    containerNames.add(c.name);
  };
  (spec.initContainers ?? []).forEach((c, i) => {
    checkName(c, `${field}.initContainers[${i}]`);
    causes.push(...validateContainer(c, `${field}.initContainers[${i}]`, volumeNames, true));
  });
  spec.containers.forEach((c, i) => {
    checkName(c, `${field}.containers[${i}]`);
    causes.push(...validateContainer(c, `${field}.containers[${i}]`, volumeNames, false));
  });

  if (spec.hostNetwork) {
    spec.containers.forEach((c, i) =>
      (c.ports ?? []).forEach((p, j) => {
        if (p.hostPort !== undefined && p.hostPort !== p.containerPort) {
          causes.push(fieldInvalid(`${field}.containers[${i}].ports[${j}].hostPort`, p.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }

  causes.push(...validateNonNegative(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds));
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    causes.push(fieldInvalid(`${field}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  if (spec.dnsPolicy === 'None' && !spec.dnsConfig) {
    causes.push(fieldRequired(`${field}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  causes.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  for (const key of ['hostname', 'subdomain'] as const) {
    const value = spec[key];
    if (value) for (const e of isDNS1123Label(value)) causes.push(fieldInvalid(`${field}.${key}`, value, e));
  }
  for (const key of ['serviceAccountName', 'nodeName', 'priorityClassName'] as const) {
    const value = spec[key];
    if (value) for (const e of isDNS1123Subdomain(value)) causes.push(fieldInvalid(`${field}.${key}`, value, e));
  }
  causes.push(...validateTolerations(spec.tolerations ?? [], `${field}.tolerations`));
  if (spec.affinity) causes.push(...validateAffinity(spec.affinity, `${field}.affinity`));

  const spreadKeys = new Set<string>();
  (spec.topologySpreadConstraints ?? []).forEach((t, i) => {
    const tf = `${field}.topologySpreadConstraints[${i}]`;
    if (t.maxSkew <= 0) causes.push(fieldInvalid(`${tf}.maxSkew`, t.maxSkew, 'must be greater than zero'));
    if (!t.topologyKey) causes.push(fieldRequired(`${tf}.topologyKey`, 'can not be empty'));
    const key = `${t.topologyKey}/${t.whenUnsatisfiable}`;
    if (spreadKeys.has(key)) causes.push(fieldDuplicate(`${tf}.{topologyKey, whenUnsatisfiable}`, key.replace('/', ', ')));
    spreadKeys.add(key);
    if (t.minDomains !== undefined && t.minDomains <= 0) causes.push(fieldInvalid(`${tf}.minDomains`, t.minDomains, 'must be greater than 0'));
  });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) causes.push(fieldRequired(`${field}.imagePullSecrets[${i}].name`));
  });
  return causes;
}

export function validatePod(pod: Pod): StatusCause[] {
  return validatePodSpec(pod.spec, 'spec');
}

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** A pod's spec is immutable except for images, the active deadline, new tolerations and the grace period. */
export function validatePodUpdate(pod: Pod, old: Pod): StatusCause[] {
  const causes: StatusCause[] = [];
  const next = pod.spec;
  const prev = old.spec;

  if (prev.activeDeadlineSeconds !== undefined) {
    if (next.activeDeadlineSeconds === undefined) {
      causes.push(fieldInvalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    } else if (next.activeDeadlineSeconds > prev.activeDeadlineSeconds) {
      causes.push(fieldInvalid('spec.activeDeadlineSeconds', next.activeDeadlineSeconds, 'must be less than or equal to previous value'));
    }
  }
  for (const t of prev.tolerations ?? []) {
    if (!(next.tolerations ?? []).some((n) => deepEqual(n, t))) {
      causes.push(fieldForbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }

  // Compare the specs with the mutable fields taken from the old one.
  const masked: PodSpec = structuredClone(next);
  masked.activeDeadlineSeconds = prev.activeDeadlineSeconds;
  masked.tolerations = prev.tolerations;
  masked.terminationGracePeriodSeconds = prev.terminationGracePeriodSeconds;
  const copyImages = (to: Container[] | undefined, from: Container[] | undefined) => {
    if (!to || !from || to.length !== from.length) return;
    to.forEach((c, i) => (c.image = from[i]!.image));
  };
  copyImages(masked.containers, prev.containers);
  copyImages(masked.initContainers, prev.initContainers);
  const changed = diffPaths(prev, masked, 'spec');
  if (changed.length > 0) causes.push(fieldForbidden('spec', `${POD_UPDATE_MESSAGE}\n  changed: ${changed.join(', ')}`));
  return causes;
}
