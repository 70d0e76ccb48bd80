import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/types/workloads.js';
import { deploymentRolloutState } from './rollout-status.js';

function deployment(generation: number, replicas: number, status: Record<string, unknown>): Deployment {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', generation }, spec: { replicas }, status } as unknown as Deployment;
}

describe('deploymentRolloutState', () => {
  it('gives kubectl\'s messages in rollout order', () => {
    expect(deploymentRolloutState(deployment(2, 3, { observedGeneration: 1 })).message).toBe('Waiting for deployment spec update to be observed...');
    expect(deploymentRolloutState(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 1, replicas: 4 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...',
    );
    expect(deploymentRolloutState(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 4 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(deploymentRolloutState(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...',
    );
    expect(deploymentRolloutState(deployment(2, 3, { observedGeneration: 2, updatedReplicas: 3, replicas: 3, availableReplicas: 3 }))).toEqual({
      message: 'deployment "web" successfully rolled out',
      done: true,
    });
  });

  it('fails when the progress deadline is exceeded', () => {
    const d = deployment(1, 3, { observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(deploymentRolloutState(d).error).toBe('deployment "web" exceeded its progress deadline');
  });
});
