import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../../api/client/fake-apiserver.js';
import { KubeClient } from '../../api/client/kube-client.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { Secret } from '../../api/types/config.js';
import { apiTokenSecrets, cleanTokenSecret, type TokenSecrets } from './tokencleaner-controller.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const now = new Date('2026-03-01T12:00:00Z');

function token(name: string, expiration: string | undefined, opts: { type?: string; uid?: string; namespace?: string } = {}): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: opts.namespace ?? 'kube-system', uid: opts.uid ?? `uid-${name}` },
    type: opts.type ?? 'bootstrap.kubernetes.io/token',
    data: { 'token-id': b64(name.slice(-6)), ...(expiration ? { expiration: b64(expiration) } : {}) },
  };
}

/** Secrets in a map; deletes recorded with their uid precondition. */
function memory(...items: Secret[]): TokenSecrets & { deleted: [string, string | undefined][] } {
  const byName = new Map(items.map((s) => [s.metadata.name!, s]));
  const deleted: [string, string | undefined][] = [];
  return {
    deleted,
    get: (name) => byName.get(name),
    async delete(name, uid) {
      deleted.push([name, uid]);
      byName.delete(name);
    },
  };
}

describe('cleanTokenSecret', () => {
  it('deletes an expired token with its uid as precondition', async () => {
    const src = memory(token('bootstrap-token-aaaaaa', '2026-03-01T11:00:00Z'));
    expect(await cleanTokenSecret(src, 'bootstrap-token-aaaaaa', now)).toBeUndefined();
    expect(src.deleted).toEqual([['bootstrap-token-aaaaaa', 'uid-bootstrap-token-aaaaaa']]);
  });

  it('keeps a live token and comes back when it expires', async () => {
    const src = memory(token('bootstrap-token-bbbbbb', '2026-03-01T12:00:02Z'));
    expect(await cleanTokenSecret(src, 'bootstrap-token-bbbbbb', now)).toEqual({ requeueAfter: 2_000 });
    expect(src.deleted).toEqual([]);
    // Called again when the time has come, it deletes.
    expect(await cleanTokenSecret(src, 'bootstrap-token-bbbbbb', new Date(now.getTime() + 2_000))).toBeUndefined();
    expect(src.deleted.map(([n]) => n)).toEqual(['bootstrap-token-bbbbbb']);
  });

  it('leaves tokens without expiration, other Secret types and missing Secrets alone', async () => {
    const src = memory(
      token('bootstrap-token-cccccc', undefined),
      token('not-a-token', '2000-01-01T00:00:00Z', { type: 'Opaque' }),
      token('elsewhere', '2000-01-01T00:00:00Z', { namespace: 'default' }),
    );
    for (const name of ['bootstrap-token-cccccc', 'not-a-token', 'elsewhere', 'missing']) {
      expect(await cleanTokenSecret(src, name, now)).toBeUndefined();
    }
    expect(src.deleted).toEqual([]);
  });
});

describe('apiTokenSecrets.delete', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  beforeAll(async () => {
    server = await new FakeApiServer().start();
    client = new KubeClient({ server: server.url, maxRetries: 1 });
  });
  afterAll(async () => {
    client.close();
    await server.stop();
  });

  it('deletes only the Secret with the uid it saw, and takes a missing one in its stride', async () => {
    const put = server.put('/v1/secrets', token('bootstrap-token-dddddd', '2000-01-01T00:00:00Z') as unknown as KubeObject);
    const api = apiTokenSecrets(client, () => undefined);
    // A Secret re-created under the name meanwhile (another uid) survives.
    await api.delete('bootstrap-token-dddddd', 'some-older-uid');
    expect(server.getStored('/v1/secrets', 'kube-system', 'bootstrap-token-dddddd')).toBeDefined();
    const del = server.requests.find((r) => r.method === 'DELETE');
    expect(del?.body).toMatchObject({ preconditions: { uid: 'some-older-uid' } });

    await api.delete('bootstrap-token-dddddd', put.metadata.uid);
    expect(server.getStored('/v1/secrets', 'kube-system', 'bootstrap-token-dddddd')).toBeUndefined();
    await expect(api.delete('bootstrap-token-dddddd', put.metadata.uid)).resolves.toBeUndefined();
  });
});
