import { describe, expect, it } from 'vitest';
import { invalid, notFound } from './errors.js';
import { DeleteOptions, StatusSchema } from './meta-types.js';

describe('StatusSchema', () => {
  it('accepts the Status bodies ApiError produces', () => {
    const bodies = [
      notFound({ group: 'apps', resource: 'deployments' }, 'web').toStatus(),
      invalid('Pod', '', 'p', [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]).toStatus(),
    ];
    for (const body of bodies) expect(StatusSchema.safeParse(body).success).toBe(true);
  });
});

describe('DeleteOptions', () => {
  it('accepts what kubectl and client-go send and rejects unknown policies', () => {
    const sent = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', gracePeriodSeconds: 30, propagationPolicy: 'Background', preconditions: { uid: 'u' }, dryRun: ['All'] };
    expect(DeleteOptions.parse(sent)).toEqual(sent);
    expect(DeleteOptions.safeParse({ propagationPolicy: 'Sometimes' }).success).toBe(false);
    expect(DeleteOptions.safeParse({ grace: 1 }).success).toBe(false);
  });
});
