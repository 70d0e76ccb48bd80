import { describe, expect, it } from 'vitest';
import { sameData, withSignatures } from './cluster-info-signatures.js';
import { computeDetachedSignature, detachedSignatureIsValid } from './jws.js';

const a = { id: 'aaaaaa', secret: '0123456789abcdef' };
const b = { id: 'bbbbbb', secret: 'fedcba9876543210' };

describe('withSignatures', () => {
  it('signs the kubeconfig once per token and keeps unrelated keys', () => {
    const data = withSignatures({ kubeconfig: 'cfg', note: 'kept' }, [a, b]);
    expect(Object.keys(data).sort()).toEqual(['jws-kubeconfig-aaaaaa', 'jws-kubeconfig-bbbbbb', 'kubeconfig', 'note']);
    expect(detachedSignatureIsValid(data['jws-kubeconfig-aaaaaa']!, 'cfg', a.id, a.secret)).toBe(true);
    expect(detachedSignatureIsValid(data['jws-kubeconfig-bbbbbb']!, 'cfg', b.id, b.secret)).toBe(true);
  });

  it('drops signatures of other tokens and replaces stale ones', () => {
    const stale = computeDetachedSignature('old cfg', a.id, a.secret);
    const data = withSignatures({ kubeconfig: 'cfg', 'jws-kubeconfig-aaaaaa': stale, 'jws-kubeconfig-gone00': 'x..y' }, [a]);
    expect(data).toEqual({ kubeconfig: 'cfg', 'jws-kubeconfig-aaaaaa': computeDetachedSignature('cfg', a.id, a.secret) });
  });

  it('leaves data without a kubeconfig as it is', () => {
    expect(withSignatures({ 'jws-kubeconfig-aaaaaa': 'x..y' }, [a])).toEqual({ 'jws-kubeconfig-aaaaaa': 'x..y' });
  });
});

describe('sameData', () => {
  it('compares keys and values regardless of order', () => {
    expect(sameData({ x: '1', y: '2' }, { y: '2', x: '1' })).toBe(true);
    expect(sameData({ x: '1' }, { x: '2' })).toBe(false);
    expect(sameData({ x: '1' }, { x: '1', y: '2' })).toBe(false);
    expect(sameData({ x: '1', z: '' }, { x: '1', y: '' })).toBe(false);
  });
});
