import { describe, expect, it } from 'vitest';
import { mergeApprovalConditions, stampRequester } from './csr-strategy.js';

describe('stampRequester', () => {
  it('replaces whatever identity the body claims with the requester, and drops status', () => {
    const body = {
      metadata: { name: 'x' },
      spec: { request: 'AA==', signerName: 'a.b/c', username: 'system:admin', groups: ['system:masters'], extra: { a: ['b'] } },
      status: { conditions: [{ type: 'Approved' }] },
    };
    const out = stampRequester(body, { name: 'system:bootstrap:abcdef', uid: 'u1', groups: ['system:bootstrappers', 'system:authenticated'] }) as Record<string, any>;
    expect(out.spec).toEqual({
      request: 'AA==',
      signerName: 'a.b/c',
      username: 'system:bootstrap:abcdef',
      uid: 'u1',
      groups: ['system:bootstrappers', 'system:authenticated'],
    });
    expect(out.status).toBeUndefined();
    expect(body.spec.username).toBe('system:admin'); // the input is not mutated
  });

  it('passes non-objects through for the store to refuse', () => {
    expect(stampRequester('nope', { name: 'a', groups: [] })).toBe('nope');
  });
});

describe('mergeApprovalConditions', () => {
  it('takes Approved/Denied from the request and the rest from storage', () => {
    const merged = mergeApprovalConditions(
      [{ type: 'Approved', status: 'True', lastTransitionTime: 'new' }, { type: 'Failed', status: 'True' }],
      [{ type: 'Failed', status: 'False', reason: 'kept' }],
    );
    expect(merged).toEqual([{ type: 'Approved', status: 'True', lastTransitionTime: 'new' }, { type: 'Failed', status: 'False', reason: 'kept' }]);
  });

  it('keeps the transition time of an unchanged approval', () => {
    const merged = mergeApprovalConditions([{ type: 'Approved', status: 'True', lastTransitionTime: 'later' }], [{ type: 'Approved', status: 'True', lastTransitionTime: 'first' }]);
    expect(merged[0]!.lastTransitionTime).toBe('first');
  });
});
