import { describe, expect, it } from 'vitest';
import type { ReplicaSet } from '../../../api/types/workloads.js';
import { testDeployment } from '../memory-env.js';
import {
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  lastRevision,
  maxRevision,
  rollbackRequest,
  setDeploymentAnnotationsTo,
  setNewReplicaSetAnnotations,
} from './annotations.js';

function rsWith(annotations: Record<string, string>): ReplicaSet {
  return { metadata: { name: 'rs', annotations }, spec: { replicas: 1 } } as unknown as ReplicaSet;
}

describe('revision annotations', () => {
  it('max and last (second largest) revision, ignoring junk', () => {
    const rss = [rsWith({ [REVISION_ANNOTATION]: '3' }), rsWith({ [REVISION_ANNOTATION]: '7' }), rsWith({ [REVISION_ANNOTATION]: 'x' }), rsWith({})];
    expect(maxRevision(rss)).toBe(7);
    expect(lastRevision(rss)).toBe(3);
  });

  it('copies the deployment annotations but not its per-object ones; only ever raises the revision', () => {
    const d = testDeployment({ replicas: 3 });
    d.metadata.annotations = { team: 'a', [REVISION_ANNOTATION]: '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
    const created = rsWith({});
    expect(setNewReplicaSetAnnotations(d, created, 1, false)).toBe(true);
    expect(created.metadata.annotations).toEqual({
      team: 'a',
      [REVISION_ANNOTATION]: '1',
      'deployment.kubernetes.io/desired-replicas': '3',
      'deployment.kubernetes.io/max-replicas': '4',
    });
    const newer = rsWith({ [REVISION_ANNOTATION]: '5', team: 'a' });
    expect(setNewReplicaSetAnnotations(d, newer, 4, true)).toBe(false);
    expect(newer.metadata.annotations?.[REVISION_ANNOTATION]).toBe('5');
  });

  it('keeps the earlier revisions of a reused ReplicaSet in revision-history, bounded in length', () => {
    const d = testDeployment({ replicas: 1 });
    const rs = rsWith({ [REVISION_ANNOTATION]: '1' });
    setNewReplicaSetAnnotations(d, rs, 3, true);
    expect(rs.metadata.annotations).toMatchObject({ [REVISION_ANNOTATION]: '3', [REVISION_HISTORY_ANNOTATION]: '1' });
    setNewReplicaSetAnnotations(d, rs, 5, true);
    expect(rs.metadata.annotations?.[REVISION_HISTORY_ANNOTATION]).toBe('1,3');
    const long = Array.from({ length: 500 }, (_, i) => String(1000 + i)).join(','); // 2499 chars
    const big = rsWith({ [REVISION_ANNOTATION]: '2000', [REVISION_HISTORY_ANNOTATION]: long });
    setNewReplicaSetAnnotations(d, big, 2001, true);
    const history = big.metadata.annotations![REVISION_HISTORY_ANNOTATION]!;
    expect(history.length).toBeLessThanOrEqual(2000);
    expect(history.endsWith(',2000')).toBe(true);
  });

  it('rollback: the deployment keeps its own annotations and takes the rest from the ReplicaSet', () => {
    const d = testDeployment({ replicas: 1 });
    d.metadata.annotations = { [REVISION_ANNOTATION]: '4', 'deprecated.deployment.rollback.to': '2', note: 'new' };
    setDeploymentAnnotationsTo(d, rsWith({ [REVISION_ANNOTATION]: '2', note: 'old', extra: 'x' }));
    expect(d.metadata.annotations).toEqual({ [REVISION_ANNOTATION]: '4', 'deprecated.deployment.rollback.to': '2', note: 'old', extra: 'x' });
    expect(rollbackRequest(d)).toBe(2);
    d.metadata.annotations = { 'deprecated.deployment.rollback.to': 'junk' };
    expect(rollbackRequest(d)).toBeUndefined();
  });
});
