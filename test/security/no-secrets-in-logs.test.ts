/**
 * Secrets never appear in the apiserver's logs: with logging at its most verbose, neither
 * bearer tokens (good, bad, bootstrap, service-account) nor Secret data reach the log.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSecureControlPlane, type SecureControlPlane } from '../helpers/secure-control-plane.js';

const STATIC_TOKEN = 'static-token-4f1c9a7e2b';
const WRONG_TOKEN = 'wrong-token-8d2e6b0c55';
const BOOTSTRAP_SECRET = 'q7w8e9r0t1y2u3i4';
const SECRET_VALUE = 'hunter2-do-not-log-me';

let cp: SecureControlPlane;
let captured = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      captured += chunk.toString();
      done();
    },
  });
  cp = await startSecureControlPlane({
    tokens: [{ token: STATIC_TOKEN, user: 'tom', groups: ['dev'] }],
    apiserver: { logger: pino({ level: 'trace' }, sink) },
  });
});
afterAll(async () => {
  await cp?.close();
});

describe('secrets stay out of the logs', () => {
  it('logs neither tokens nor Secret data, at trace level', async () => {
    // A Secret with data and stringData, read back.
    await cp.kubectl(cp.adminKubeconfig, ['create', 'secret', 'generic', 'db', `--from-literal=password=${SECRET_VALUE}`]);
    const got = await cp.kubectl(cp.adminKubeconfig, ['get', 'secret', 'db', '-o', 'jsonpath={.data.password}']);
    expect(Buffer.from(got.stdout, 'base64').toString()).toBe(SECRET_VALUE);

    // A bootstrap token, used; a static token, used; a wrong token, refused.
    await cp.kubectl(cp.adminKubeconfig, ['-n', 'kube-system', 'create', 'secret', 'generic', 'bootstrap-token-abcdef', '--type=bootstrap.kubernetes.io/token',
      '--from-literal=token-id=abcdef', `--from-literal=token-secret=${BOOTSTRAP_SECRET}`, '--from-literal=usage-bootstrap-authentication=true']);
    const refused = async (kubeconfig: string) => cp.kubectl(kubeconfig, ['get', 'pods']).then(() => 'allowed', (e: Error) => e.message);
    expect(await refused(cp.tokenKubeconfig(`abcdef.${BOOTSTRAP_SECRET}`))).toContain('forbidden');
    expect(await refused(cp.tokenKubeconfig(STATIC_TOKEN))).toContain('forbidden');
    expect(await refused(cp.tokenKubeconfig(WRONG_TOKEN))).toMatch(/Unauthorized|must be logged in/);

    // A service-account token, issued and used.
    const issued = await cp.kubectl(cp.adminKubeconfig, ['create', 'token', 'default']);
    const saToken = issued.stdout.trim();
    expect(saToken.split('.')).toHaveLength(3);
    expect(await refused(cp.tokenKubeconfig(saToken))).toContain('forbidden');

    const base64Value = Buffer.from(SECRET_VALUE).toString('base64');
    expect(captured).toContain('"msg":"request"'); // the apiserver did log every request at this level
    for (const secret of [STATIC_TOKEN, WRONG_TOKEN, BOOTSTRAP_SECRET, SECRET_VALUE, base64Value, saToken, saToken.split('.')[2]!]) {
      expect(captured).not.toContain(secret);
    }
  });
});
