/** apps/v1 Deployment and ReplicaSet. */
import { z } from 'zod';
import { ObjectMeta } from '../meta/object-meta.js';
import { IntOrString, LabelSelector, Time, conditionList, listOf, typeMeta } from './common.js';
import { PodTemplateSpec } from './pod.js';

export const RollingUpdateDeployment = z.strictObject({
  maxUnavailable: IntOrString.optional().describe('Pods that may be unavailable during the update: a count or a percentage.'),
  maxSurge: IntOrString.optional().describe('Pods that may exist above the desired count during the update.'),
});

export const DeploymentStrategy = z
  .strictObject({
    type: z.enum(['Recreate', 'RollingUpdate']).optional().describe('Recreate or RollingUpdate (default).'),
    rollingUpdate: RollingUpdateDeployment.optional(),
  })
  .describe('How old pods are replaced by new ones.');

export const DeploymentSpec = z
  .strictObject({
    replicas: z.number().int().default(1).describe('Desired number of pods.'),
    selector: LabelSelector.describe('Selects the pods this deployment manages; must match the template labels.'),
    template: PodTemplateSpec.describe('The pods to create.'),
    strategy: DeploymentStrategy.optional(),
    minReadySeconds: z.number().int().optional().describe('Seconds a new pod must be ready to count as available.'),
    revisionHistoryLimit: z.number().int().default(10).describe('Old ReplicaSets to keep for rollback.'),
    paused: z.boolean().optional().describe('Stop rolling out template changes.'),
    progressDeadlineSeconds: z.number().int().default(600).describe('Seconds without progress before the rollout is reported as failed.'),
  })
  .describe('Desired state of a deployment.');
export type DeploymentSpec = z.infer<typeof DeploymentSpec>;

export const WorkloadCondition = z.strictObject({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  lastUpdateTime: Time.optional(),
  lastTransitionTime: Time.optional(),
  reason: z.string().optional(),
  message: z.string().optional(),
});
export type WorkloadCondition = z.infer<typeof WorkloadCondition>;

export const DeploymentStatus = z
  .strictObject({
    observedGeneration: z.number().int().optional().describe('The generation the controller last acted on.'),
    replicas: z.number().int().optional().describe('Pods targeted by this deployment.'),
    updatedReplicas: z.number().int().optional().describe('Pods with the current template.'),
    readyReplicas: z.number().int().optional(),
    availableReplicas: z.number().int().optional(),
    unavailableReplicas: z.number().int().optional(),
    terminatingReplicas: z.number().int().optional(),
    conditions: conditionList(WorkloadCondition).optional().describe('Available, Progressing, ReplicaFailure.'),
    collisionCount: z.number().int().optional().describe('Bumped on a template hash collision.'),
  })
  .describe('Observed state of a deployment.');
export type DeploymentStatus = z.infer<typeof DeploymentStatus>;

export const Deployment = z
  .strictObject({
    ...typeMeta('apps/v1', 'Deployment'),
    metadata: ObjectMeta,
    spec: DeploymentSpec,
    status: DeploymentStatus.optional(),
  })
  .describe('Declarative updates for a set of identical pods through ReplicaSets.');
export type Deployment = z.infer<typeof Deployment>;
export type DeploymentInput = z.input<typeof Deployment>;
export const DeploymentList = listOf('apps/v1', 'Deployment', Deployment);

export const ReplicaSetSpec = z
  .strictObject({
    replicas: z.number().int().default(1).describe('Desired number of pods.'),
    minReadySeconds: z.number().int().optional(),
    selector: LabelSelector.describe('Selects the pods this ReplicaSet owns; must match the template labels.'),
    template: PodTemplateSpec.describe('The pods to create.'),
  })
  .describe('Desired state of a ReplicaSet.');
export type ReplicaSetSpec = z.infer<typeof ReplicaSetSpec>;

export const ReplicaSetStatus = z
  .strictObject({
    replicas: z.number().int().describe('Most recently observed number of pods.'),
    fullyLabeledReplicas: z.number().int().optional(),
    readyReplicas: z.number().int().optional(),
    availableReplicas: z.number().int().optional(),
    terminatingReplicas: z.number().int().optional(),
    observedGeneration: z.number().int().optional(),
    conditions: conditionList(WorkloadCondition).optional(),
  })
  .describe('Observed state of a ReplicaSet.');
export type ReplicaSetStatus = z.infer<typeof ReplicaSetStatus>;

export const ReplicaSet = z
  .strictObject({
    ...typeMeta('apps/v1', 'ReplicaSet'),
    metadata: ObjectMeta,
    spec: ReplicaSetSpec,
    status: ReplicaSetStatus.optional(),
  })
  .describe('Keeps a given number of identical pods running.');
export type ReplicaSet = z.infer<typeof ReplicaSet>;
export type ReplicaSetInput = z.input<typeof ReplicaSet>;
export const ReplicaSetList = listOf('apps/v1', 'ReplicaSet', ReplicaSet);

/** Deployment defaults that depend on other fields (the strategy's rolling-update parameters). */
export function applyDeploymentStrategyDefaults(spec: DeploymentSpec): void {
  const strategy = (spec.strategy ??= {});
  strategy.type ??= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = (strategy.rollingUpdate ??= {});
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
}
