/** Semantic validation of apps/v1 Deployments and ReplicaSets. */
import type { StatusCause } from '../meta/errors.js';
import {
  fieldForbidden,
  fieldImmutable,
  fieldInvalid,
  fieldNotSupported,
  validateLabels,
  validateAnnotations,
  validateNonNegative,
} from '../meta/validation.js';
import type { IntOrString, LabelSelector } from './common.js';
import { deepEqual } from './deep-equal.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './field-validation.js';
import type { PodTemplateSpec } from './pod.js';
import { validatePodSpec } from './pod-validation.js';
import type { Deployment, ReplicaSet } from './workloads.js';

/** Selector and template of a workload: the selector is non-empty, valid, and matches the template labels. */
function validateSelectorAndTemplate(selector: LabelSelector, template: PodTemplateSpec, kind: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (isEmptySelector(selector)) {
    causes.push(fieldInvalid('spec.selector', selector, `empty selector is invalid for ${kind}`));
  } else {
    causes.push(...validateLabelSelector(selector, 'spec.selector'));
  }
  const labels = template.metadata.labels ?? {};
  causes.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  causes.push(...validateAnnotations(template.metadata.annotations, 'spec.template.metadata.annotations'));
  if (!isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    causes.push(fieldInvalid('spec.template.metadata.labels', labels, 'selector does not match template labels'));
  }
  causes.push(...validatePodSpec(template.spec, 'spec.template.spec'));
  // Workload pods are restarted in place, so only Always makes sense.
  if (template.spec.restartPolicy !== 'Always') {
    causes.push(fieldNotSupported('spec.template.spec.restartPolicy', template.spec.restartPolicy, ['Always']));
  }
  if (template.spec.activeDeadlineSeconds !== undefined) {
    causes.push(fieldForbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return causes;
}

const PERCENT_RE = /^[0-9]+%$/;

function intOrPercent(value: IntOrString, field: string): { causes: StatusCause[]; isZero: boolean } {
  if (typeof value === 'number') {
    return { causes: validateNonNegative(field, value), isZero: value === 0 };
  }
  if (!PERCENT_RE.test(value)) {
    return {
      causes: [
        fieldInvalid(
          field,
          value,
          "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ),
      ],
      isZero: false,
    };
  }
  const percent = Number(value.slice(0, -1));
  return { causes: percent > 100 ? [fieldInvalid(field, value, 'must not be greater than 100%')] : [], isZero: percent === 0 };
}

export function validateDeployment(d: Deployment): StatusCause[] {
  const spec = d.spec;
  const causes: StatusCause[] = [];
  causes.push(...validateNonNegative('spec.replicas', spec.replicas));
  causes.push(...validateSelectorAndTemplate(spec.selector, spec.template, 'deployment'));

  const strategy = spec.strategy;
  if (strategy?.type === 'Recreate' && strategy.rollingUpdate) {
    causes.push(fieldForbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (strategy?.type === 'RollingUpdate' && strategy.rollingUpdate) {
    const surge = intOrPercent(strategy.rollingUpdate.maxSurge ?? '25%', 'spec.strategy.rollingUpdate.maxSurge');
    const unavailable = intOrPercent(strategy.rollingUpdate.maxUnavailable ?? '25%', 'spec.strategy.rollingUpdate.maxUnavailable');
    causes.push(...surge.causes, ...unavailable.causes);
    if (surge.isZero && unavailable.isZero) {
      causes.push(fieldInvalid('spec.strategy.rollingUpdate.maxUnavailable', strategy.rollingUpdate.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
  }
  causes.push(...validateNonNegative('spec.minReadySeconds', spec.minReadySeconds));
  causes.push(...validateNonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  causes.push(...validateNonNegative('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds));
  if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
    causes.push(fieldInvalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  causes.push(...validateWorkloadStatus(d.status, ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount']));
  return causes;
}

export function validateReplicaSet(rs: ReplicaSet): StatusCause[] {
  const causes: StatusCause[] = [];
  causes.push(...validateNonNegative('spec.replicas', rs.spec.replicas));
  causes.push(...validateNonNegative('spec.minReadySeconds', rs.spec.minReadySeconds));
  causes.push(...validateSelectorAndTemplate(rs.spec.selector, rs.spec.template, 'replicaset'));
  causes.push(...validateWorkloadStatus(rs.status, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']));
  return causes;
}

function validateWorkloadStatus(status: Record<string, unknown> | undefined, counters: string[]): StatusCause[] {
  if (!status) return [];
  return counters.flatMap((key) => {
    const value = status[key];
    return typeof value === 'number' ? validateNonNegative(`status.${key}`, value) : [];
  });
}

/** apps/v1 forbids changing the selector of a Deployment or ReplicaSet. */
function validateSelectorUnchanged(selector: LabelSelector, old: LabelSelector): StatusCause[] {
  return deepEqual(selector, old) ? [] : [fieldImmutable('spec.selector', selector)];
}

export function validateDeploymentUpdate(d: Deployment, old: Deployment): StatusCause[] {
  return validateSelectorUnchanged(d.spec.selector, old.spec.selector);
}

export function validateReplicaSetUpdate(rs: ReplicaSet, old: ReplicaSet): StatusCause[] {
  return validateSelectorUnchanged(rs.spec.selector, old.spec.selector);
}
