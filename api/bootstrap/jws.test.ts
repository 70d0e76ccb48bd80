import { describe, expect, it } from 'vitest';
import { computeDetachedSignature, detachedSignatureIsValid } from './jws.js';

// Kubernetes' cluster-bootstrap test vectors: a signature made here verifies there.
const content = 'Hello from the other side. I must have called a thousand times.';
const secret = 'my voice is my passcode';
const id = 'joshua';

describe('detached JWS (HS256)', () => {
  it("matches Kubernetes' bootstrap signer byte for byte", () => {
    expect(computeDetachedSignature(content, id, secret)).toBe('eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8');
    expect(computeDetachedSignature('', id, secret)).toBe('eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk');
    expect(computeDetachedSignature(content, id, '')).toBe('eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8');
  });

  it('accepts the right signature and refuses a changed one, content or secret', () => {
    const sig = computeDetachedSignature(content, id, secret);
    expect(detachedSignatureIsValid(sig, content, id, secret)).toBe(true);
    expect(detachedSignatureIsValid(`${sig}foo`, content, id, secret)).toBe(false);
    expect(detachedSignatureIsValid(sig, `${content}!`, id, secret)).toBe(false);
    expect(detachedSignatureIsValid(sig, content, id, 'another secret')).toBe(false);
    expect(detachedSignatureIsValid(sig, content, 'other', secret)).toBe(false);
  });
});
