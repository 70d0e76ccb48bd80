import { describe, expect, it } from 'vitest';
import type { StatusCause } from '../meta/errors.js';
import { Pod, type PodInput, applyPodSpecDefaults } from './pod.js';
import { validatePod, validatePodUpdate } from './pod-validation.js';

function pod(spec: Partial<PodInput['spec']> = {}): Pod {
  const p = Pod.parse({
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: [{ name: 'web', image: 'nginx:1.27' }], ...spec },
  });
  applyPodSpecDefaults(p.spec);
  return p;
}

function causeAt(causes: StatusCause[], field: string): StatusCause | undefined {
  return causes.find((c) => c.field === field);
}

describe('validatePod', () => {
  it('accepts a minimal pod', () => {
    expect(validatePod(pod())).toEqual([]);
  });

  it('requires at least one container', () => {
    expect(validatePod(pod({ containers: [] }))).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
  });

  it('requires unique container names across init and app containers', () => {
    const causes = validatePod(pod({ initContainers: [{ name: 'web', image: 'busybox' }] }));
    expect(causes).toEqual([{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "web"', field: 'spec.containers[0].name' }]);
  });

  it('requires container names to be DNS labels and images to be set', () => {
    const causes = validatePod(pod({ containers: [{ name: 'Web' }] }));
    expect(causeAt(causes, 'spec.containers[0].name')?.message).toMatch(/^Invalid value: "Web": a lowercase RFC 1123 label/);
    expect(causeAt(causes, 'spec.containers[0].image')).toEqual({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' });
  });

  it('checks port ranges', () => {
    const causes = validatePod(pod({ containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 70000 }, { containerPort: 80, hostPort: -1 }] }] }));
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: 70000: must be between 1 and 65535, inclusive', field: 'spec.containers[0].ports[0].containerPort' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be between 1 and 65535, inclusive', field: 'spec.containers[0].ports[1].hostPort' },
    ]);
  });

  it('requires hostPort to equal containerPort on the host network', () => {
    const causes = validatePod(pod({ hostNetwork: true, containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }] }));
    expect(causeAt(causes, 'spec.containers[0].ports[0].hostPort')?.message).toBe('Invalid value: 8080: must match `containerPort` when `hostNetwork` is true');
  });

  it('defaults hostPort to containerPort on the host network', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 80 }] }] });
    expect(p.spec.containers[0]!.ports?.[0]?.hostPort).toBe(80);
  });

  it('rejects a volume mount of an unknown volume and duplicate mount paths', () => {
    const causes = validatePod(
      pod({
        volumes: [{ name: 'data', emptyDir: {} }],
        containers: [{ name: 'web', image: 'x', volumeMounts: [{ name: 'cache', mountPath: '/c' }, { name: 'data', mountPath: '/c' }] }],
      }),
    );
    expect(causes).toEqual([
      { reason: 'FieldValueNotFound', message: 'Not found: "cache"', field: 'spec.containers[0].volumeMounts[0].name' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "/c": must be unique', field: 'spec.containers[0].volumeMounts[1].mountPath' },
    ]);
  });

  it('rejects duplicate volume names and volumes with two sources', () => {
    const causes = validatePod(pod({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', emptyDir: {}, hostPath: { path: '/tmp' } }] }));
    expect(causes).toEqual([
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "v"', field: 'spec.volumes[1].name' },
      { reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type', field: 'spec.volumes[1].emptyDir' },
    ]);
  });

  it('gives a volume without a source an emptyDir', () => {
    expect(pod({ volumes: [{ name: 'scratch' }] }).spec.volumes?.[0]?.emptyDir).toEqual({});
  });

  it('checks probes: one handler, non-negative timings, liveness successThreshold 1', () => {
    const causes = validatePod(
      pod({
        containers: [
          {
            name: 'web',
            image: 'x',
            livenessProbe: { httpGet: { port: 80 }, successThreshold: 2 },
            readinessProbe: { periodSeconds: -1, tcpSocket: { port: 'http' } },
            startupProbe: {},
          },
        ],
      }),
    );
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: 2: must be 1', field: 'spec.containers[0].livenessProbe.successThreshold' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.containers[0].readinessProbe.periodSeconds' },
      { reason: 'FieldValueRequired', message: 'Required value: must specify a handler type', field: 'spec.containers[0].startupProbe' },
    ]);
  });

  it('forbids probes on init containers that are not sidecars', () => {
    const probe = { exec: { command: ['true'] } };
    const causes = validatePod(
      pod({
        initContainers: [
          { name: 'init', image: 'x', readinessProbe: probe },
          { name: 'sidecar', image: 'x', restartPolicy: 'Always', readinessProbe: probe },
        ],
      }),
    );
    expect(causes).toEqual([
      { reason: 'FieldValueForbidden', message: 'Forbidden: may not be set for init containers without restartPolicy=Always', field: 'spec.initContainers[0].readinessProbe' },
    ]);
  });

  it('checks environment variable names and sources', () => {
    const causes = validatePod(
      pod({
        containers: [
          {
            name: 'web',
            image: 'x',
            env: [
              { name: '1BAD' },
              { name: 'TWO', value: 'x', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
          },
        ],
      }),
    );
    expect(causes.map((c) => c.field)).toEqual(['spec.containers[0].env[0].name', 'spec.containers[0].env[1].valueFrom']);
    expect(causes[0]!.message).toMatch(/^Invalid value: "1BAD": a valid environment variable name must consist/);
    expect(causes[1]!.message).toBe('Invalid value: "": may not be specified when `value` is not empty');
  });

  it('checks resource quantities', () => {
    const causes = validatePod(pod({ containers: [{ name: 'web', image: 'x', resources: { limits: { memory: 'lots' } } }] }));
    expect(causes[0]?.field).toBe('spec.containers[0].resources.limits[memory]');
    expect(causes[0]?.message).toMatch(/^Invalid value: "lots": quantities must match the regular expression/);
  });

  it('checks grace period and active deadline', () => {
    const causes = validatePod(pod({ terminationGracePeriodSeconds: -1, activeDeadlineSeconds: 0 }));
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.terminationGracePeriodSeconds' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be between 1 and 2147483647, inclusive', field: 'spec.activeDeadlineSeconds' },
    ]);
  });

  it('requires dnsConfig with dnsPolicy None', () => {
    expect(causeAt(validatePod(pod({ dnsPolicy: 'None' })), 'spec.dnsConfig')?.reason).toBe('FieldValueRequired');
  });

  it('checks tolerations', () => {
    const causes = validatePod(
      pod({
        tolerations: [
          { key: 'k', operator: 'Exists', value: 'v' },
          { operator: 'Equal', value: 'v' },
          { key: 'k', effect: 'NoSchedule', tolerationSeconds: 10 },
        ],
      }),
    );
    expect(causes.map((c) => [c.field, c.message])).toEqual([
      ['spec.tolerations[0].operator', "Invalid value: \"v\": value must be empty when `operator` is 'Exists'"],
      ['spec.tolerations[1].operator', 'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
      ['spec.tolerations[2].effect', "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"],
    ]);
  });

  it('checks node and pod affinity terms', () => {
    const causes = validatePod(
      pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }, { key: 'cpus', operator: 'Gt', values: ['many'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: {} }],
          },
          podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: '' }] },
        },
      }),
    );
    const base = 'spec.affinity.nodeAffinity';
    expect(causes.map((c) => c.field)).toEqual([
      `${base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values`,
      `${base}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1].values[0]`,
      `${base}.preferredDuringSchedulingIgnoredDuringExecution[0].weight`,
      'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey',
    ]);
    expect(causes[2]!.message).toBe('Invalid value: 0: must be in the range 1-100');
  });

  it('checks topology spread constraints', () => {
    const causes = validatePod(pod({ topologySpreadConstraints: [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }] }));
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: 0: must be greater than zero', field: 'spec.topologySpreadConstraints[0].maxSkew' },
    ]);
  });

  it('checks nodeSelector labels and hostname', () => {
    const causes = validatePod(pod({ nodeSelector: { 'bad key!': 'x' }, hostname: 'Host' }));
    expect(causes.map((c) => c.field)).toEqual(['spec.nodeSelector', 'spec.hostname']);
  });
});

describe('validatePodUpdate', () => {
  it('allows image, activeDeadlineSeconds decrease, new tolerations, grace period', () => {
    const old = pod({ activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] });
    const next = structuredClone(old);
    next.spec.containers[0]!.image = 'nginx:1.28';
    next.spec.activeDeadlineSeconds = 50;
    next.spec.tolerations!.push({ key: 'b', operator: 'Exists' });
    next.spec.terminationGracePeriodSeconds = 5;
    next.metadata.labels = { changed: 'yes' };
    next.status = { phase: 'Running' };
    expect(validatePodUpdate(next, old)).toEqual([]);
  });

  it('forbids other spec changes', () => {
    const old = pod();
    const next = structuredClone(old);
    next.spec.containers[0]!.args = ['--verbose'];
    const causes = validatePodUpdate(next, old);
    expect(causes).toHaveLength(1);
    expect(causes[0]!.field).toBe('spec');
    expect(causes[0]!.reason).toBe('FieldValueForbidden');
    expect(causes[0]!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`/);
    expect(causes[0]!.message).toContain('spec.containers[0].args');
  });

  it('forbids raising or removing activeDeadlineSeconds and removing tolerations', () => {
    const old = pod({ activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] });
    const raised = structuredClone(old);
    raised.spec.activeDeadlineSeconds = 200;
    expect(validatePodUpdate(raised, old)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: 200: must be less than or equal to previous value', field: 'spec.activeDeadlineSeconds' },
    ]);
    const removed = structuredClone(old);
    delete removed.spec.activeDeadlineSeconds;
    removed.spec.tolerations = [];
    expect(validatePodUpdate(removed, old).map((c) => c.field)).toEqual(['spec.activeDeadlineSeconds', 'spec.tolerations']);
  });
});
