import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { peerUser } from './api-auth.js';

/** A request on a TLS socket that presented (and had verified) this certificate. */
function requestWith(peer: { CN: string; O?: string | string[]; from: string; to: string }, authorized = true): IncomingMessage {
  const socket = {
    encrypted: true,
    authorized,
    getPeerCertificate: () => ({ subject: { CN: peer.CN, ...(peer.O ? { O: peer.O } : {}) }, valid_from: peer.from, valid_to: peer.to }),
  };
  return { socket } as unknown as IncomingMessage;
}

describe('peerUser', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  const valid = { from: 'Jan  1 00:00:00 2026 GMT', to: 'Jan  1 00:00:00 2027 GMT' };

  it('is the subject of a verified certificate within its validity', () => {
    expect(peerUser(requestWith({ CN: 'kube-apiserver-kubelet-client', O: 'system:masters', ...valid }), now)).toEqual({
      name: 'kube-apiserver-kubelet-client',
      groups: ['system:masters', 'system:authenticated'],
    });
  });

  it('is nobody for an unverified certificate', () => {
    expect(peerUser(requestWith({ CN: 'mallory', ...valid }, false), now)).toBeUndefined();
  });

  it('is nobody for an expired or not yet valid certificate, as a resumed TLS session may still carry one', () => {
    expect(peerUser(requestWith({ CN: 'old', from: 'Jan  1 00:00:00 2025 GMT', to: 'Jan  1 00:00:00 2026 GMT' }), now)).toBeUndefined();
    expect(peerUser(requestWith({ CN: 'future', from: 'Jan  1 00:00:00 2027 GMT', to: 'Jan  1 00:00:00 2028 GMT' }), now)).toBeUndefined();
  });
});
