import { describe, expect, it } from 'vitest';
import { bootstrapTokenSecret, parseToken } from './bootstrap-token.js';
import { signingTokens } from './publish-bootstrap.js';

describe('signing tokens', () => {
  const now = new Date('2025-06-01T00:00:00Z');
  it('signs with unexpired bootstrap tokens that allow signing, and nothing else', () => {
    const fresh = bootstrapTokenSecret(parseToken('aaaaaa.0123456789abcdef'), { now });
    const expired = bootstrapTokenSecret(parseToken('bbbbbb.0123456789abcdef'), { now: new Date('2025-05-01T00:00:00Z') });
    const noSigning = bootstrapTokenSecret(parseToken('cccccc.0123456789abcdef'), { now });
    noSigning.data!['usage-bootstrap-signing'] = Buffer.from('false').toString('base64');
    const opaque = { ...bootstrapTokenSecret(parseToken('dddddd.0123456789abcdef'), { now }), type: 'Opaque' };
    expect(signingTokens([noSigning, expired, fresh, opaque], now)).toEqual([{ id: 'aaaaaa', secret: '0123456789abcdef' }]);
  });
});
