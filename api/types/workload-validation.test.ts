import { describe, expect, it } from 'vitest';
import { applyPodSpecDefaults } from './pod.js';
import {
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from './workload-validation.js';
import { Deployment, type DeploymentInput, ReplicaSet, applyDeploymentStrategyDefaults } from './workloads.js';

function deployment(spec: Partial<DeploymentInput['spec']> = {}): Deployment {
  const d = Deployment.parse({
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
      ...spec,
    },
  });
  applyDeploymentStrategyDefaults(d.spec);
  applyPodSpecDefaults(d.spec.template.spec);
  return d;
}

function replicaSet(replicas: number, selector: Record<string, string>): ReplicaSet {
  return ReplicaSet.parse({
    metadata: { name: 'web-1', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    },
  });
}

describe('validateDeployment', () => {
  it('accepts a valid deployment', () => {
    expect(validateDeployment(deployment())).toEqual([]);
  });

  it('requires replicas >= 0', () => {
    expect(validateDeployment(deployment({ replicas: -1 }))).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.replicas' },
    ]);
  });

  it('requires the selector to match the template labels', () => {
    const causes = validateDeployment(deployment({ selector: { matchLabels: { app: 'api' } } }));
    expect(causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: {"app":"web"}: selector does not match template labels',
        field: 'spec.template.metadata.labels',
      },
    ]);
  });

  it('matches selectors with expressions', () => {
    expect(validateDeployment(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] } }))).toEqual([]);
    const causes = validateDeployment(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Near', values: ['web'] }] } }));
    expect(causes[0]).toEqual({
      reason: 'FieldValueNotSupported',
      message: 'Unsupported value: "Near": supported values: "In", "NotIn", "Exists", "DoesNotExist"',
      field: 'spec.selector.matchExpressions[0].operator',
    });
  });

  it('rejects an empty selector', () => {
    const causes = validateDeployment(deployment({ selector: {} }));
    expect(causes).toEqual([{ reason: 'FieldValueInvalid', message: 'Invalid value: {}: empty selector is invalid for deployment', field: 'spec.selector' }]);
  });

  it('validates the pod template with template paths', () => {
    const causes = validateDeployment(
      deployment({
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'web', image: 'nginx' }, { name: 'web', image: 'nginx' }] },
        },
      }),
    );
    expect(causes).toEqual([
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "web"', field: 'spec.template.spec.containers[1].name' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Never": supported values: "Always"', field: 'spec.template.spec.restartPolicy' },
    ]);
  });

  it('checks the rolling update parameters', () => {
    const zero = validateDeployment(deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } } }));
    expect(zero).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: "0%": may not be 0 when `maxSurge` is 0', field: 'spec.strategy.rollingUpdate.maxUnavailable' },
    ]);
    const bad = validateDeployment(deployment({ strategy: { rollingUpdate: { maxSurge: 'lots', maxUnavailable: '150%' } } }));
    expect(bad.map((c) => c.field)).toEqual(['spec.strategy.rollingUpdate.maxSurge', 'spec.strategy.rollingUpdate.maxUnavailable']);
    expect(bad[0]!.message).toMatch(/a valid percent string must be a numeric string followed by an ending '%'/);
    expect(bad[1]!.message).toBe('Invalid value: "150%": must not be greater than 100%');
  });

  it('forbids rollingUpdate with Recreate', () => {
    const causes = validateDeployment(deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }));
    expect(causes).toEqual([
      { reason: 'FieldValueForbidden', message: "Forbidden: may not be specified when strategy `type` is 'Recreate'", field: 'spec.strategy.rollingUpdate' },
    ]);
  });

  it('defaults the strategy, keeping what was given', () => {
    expect(deployment({ strategy: { rollingUpdate: { maxSurge: 1 } } }).spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' },
    });
    expect(deployment({ strategy: { type: 'Recreate' } }).spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('requires progressDeadlineSeconds > minReadySeconds and non-negative history', () => {
    const causes = validateDeployment(deployment({ minReadySeconds: 30, progressDeadlineSeconds: 30, revisionHistoryLimit: -1 }));
    expect(causes).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'spec.revisionHistoryLimit' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: 30: must be greater than minReadySeconds', field: 'spec.progressDeadlineSeconds' },
    ]);
  });

  it('keeps the selector immutable on update', () => {
    const old = deployment();
    const next = deployment({
      selector: { matchLabels: { app: 'web', v: '2' } },
      template: { metadata: { labels: { app: 'web', v: '2' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
    });
    expect(validateDeploymentUpdate(next, old)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: {"matchLabels":{"app":"web","v":"2"}}: field is immutable', field: 'spec.selector' },
    ]);
    const scaled = deployment({ replicas: 5 });
    expect(validateDeploymentUpdate(scaled, old)).toEqual([]);
  });
});

describe('validateReplicaSet', () => {
  it('requires replicas >= 0 and a matching selector', () => {
    expect(validateReplicaSet(replicaSet(2, { app: 'web' }))).toEqual([]);
    expect(validateReplicaSet(replicaSet(-2, { app: 'api' })).map((c) => c.field)).toEqual(['spec.replicas', 'spec.template.metadata.labels']);
  });

  it('rejects negative status counters', () => {
    const rs = replicaSet(1, { app: 'web' });
    rs.status = { replicas: -1 };
    expect(validateReplicaSet(rs)).toEqual([
      { reason: 'FieldValueInvalid', message: 'Invalid value: -1: must be greater than or equal to 0', field: 'status.replicas' },
    ]);
  });

  it('keeps the selector immutable on update', () => {
    expect(validateReplicaSetUpdate(replicaSet(1, { app: 'web', x: 'y' }), replicaSet(1, { app: 'web' }))[0]?.field).toBe('spec.selector');
    expect(validateReplicaSetUpdate(replicaSet(3, { app: 'web' }), replicaSet(1, { app: 'web' }))).toEqual([]);
  });
});
