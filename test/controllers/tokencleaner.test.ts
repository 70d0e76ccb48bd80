/**
 * The tokencleaner in a controller-manager (with the controller-manager's own identity)
 * against a real apiserver + etcd: an expired bootstrap token Secret is deleted, a valid
 * one stays, one that expires in 2 s is deleted once it has expired, and other Secrets
 * are left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isApiError } from '../../api/meta/errors.js';
import { secrets } from '../../api/registry.js';
import type { Secret } from '../../api/types/config.js';
import { bootstrapTokenSecret, generateToken } from '../../cli/cluster/bootstrap-token.js';
import type { TestControlPlane } from '../helpers/control-plane.js';
import { startControllersOnControlPlane, type ControllersOnControlPlane } from '../helpers/controller-manager-in-process.js';
import { waitFor } from '../helpers/wait.js';

let cp: TestControlPlane;
let env: ControllersOnControlPlane | undefined;

beforeAll(async () => {
  env = await startControllersOnControlPlane(['tokencleaner']);
  cp = env.cp;
}, 60_000);

afterAll(async () => {
  await env?.stop();
});

const api = () => cp.client.resource(secrets, 'kube-system');

async function exists(name: string): Promise<boolean> {
  try {
    await api().get(name);
    return true;
  } catch (err) {
    if (isApiError(err, 'NotFound')) return false;
    throw err;
  }
}

async function createToken(ttlMs: number): Promise<string> {
  const s = bootstrapTokenSecret(generateToken(), { ttlMs, description: 'tkube tokencleaner test' });
  await api().create(s);
  return s.metadata.name!;
}

describe('tokencleaner', () => {
  it('deletes expired bootstrap tokens, keeps valid ones, and deletes one when it expires', async () => {
    const opaque: Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'tkube-test-not-a-token', namespace: 'kube-system' },
      type: 'Opaque',
      data: { expiration: Buffer.from('2000-01-01T00:00:00Z').toString('base64') },
    };
    await api().create(opaque);
    const expired = await createToken(-3_600_000);
    const valid = await createToken(24 * 3_600_000);
    const createdAt = Date.now();
    const soon = await createToken(2_000);
    // The expiration has whole seconds: `soon` expires between 1 and 2 s from now.
    const soonAt = Date.parse(Buffer.from((await api().get(soon)).data!.expiration!, 'base64').toString());

    await waitFor('the expired token to be deleted', async () => !(await exists(expired)), 10_000);
    // Not deleted early (checked only while clearly before its expiration).
    if (Date.now() < soonAt - 300) expect(await exists(soon)).toBe(true);

    await waitFor('the token to be deleted once it expired', async () => !(await exists(soon)), 10_000);
    const deletedAfterMs = Date.now() - createdAt;
    expect(Date.now()).toBeGreaterThanOrEqual(soonAt);
    // Re-checked at its expiration, not at some much later resync.
    expect(deletedAfterMs).toBeLessThan(6_000);

    expect(await exists(valid)).toBe(true);
    expect(await exists(opaque.metadata.name!)).toBe(true);
    await api().delete(opaque.metadata.name!);
    await api().delete(valid);
  });
});
