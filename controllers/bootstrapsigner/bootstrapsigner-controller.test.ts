import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeDetachedSignature, detachedSignatureIsValid } from '../../api/bootstrap/jws.js';
import { FakeApiServer } from '../../api/client/fake-apiserver.js';
import { KubeClient } from '../../api/client/kube-client.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ConfigMap, Secret } from '../../api/types/config.js';
import { bootstrapTokenSecret, parseToken } from '../../cli/cluster/bootstrap-token.js';
import { clusterInfoConfigMap } from '../../cli/cluster/cluster-info.js';
import { apiClusterInfoState, signClusterInfo, type ClusterInfoState } from './bootstrapsigner-controller.js';

const now = new Date('2026-03-01T12:00:00Z');
const A = parseToken('aaaaaa.0123456789abcdef');
const B = parseToken('bbbbbb.fedcba9876543210');
const KUBECONFIG = 'apiVersion: v1\nkind: Config\nclusters: []\n';

function tokenSecret(t: { id: string; secret: string }, opts: { ttlMs?: number; signing?: boolean } = {}): Secret {
  const s = bootstrapTokenSecret(t, { now, ttlMs: opts.ttlMs ?? 3_600_000 });
  if (opts.signing === false) s.data!['usage-bootstrap-signing'] = Buffer.from('false').toString('base64');
  return s;
}

function clusterInfo(data: Record<string, string>): ConfigMap {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public', resourceVersion: '7' }, data };
}

/** Cluster-info and tokens in memory; updates recorded and applied. */
type MemoryState = ClusterInfoState & { cm: ConfigMap | undefined; tokens: Secret[]; updates: ConfigMap[] };
function memory(cm: ConfigMap | undefined, ...tokens: Secret[]): MemoryState {
  const state: MemoryState = {
    cm,
    tokens,
    updates: [],
    clusterInfo: () => state.cm,
    tokenSecrets: () => state.tokens,
    async update(next) {
      state.updates.push(next);
      state.cm = next;
      return 'updated';
    },
  };
  return state;
}

const sig = (t: { id: string; secret: string }, content = KUBECONFIG) => computeDetachedSignature(content, t.id, t.secret);

describe('signClusterInfo', () => {
  it('signs with each signing token, keeps other keys, and returns when the first token expires', async () => {
    const state = memory(clusterInfo({ kubeconfig: KUBECONFIG, other: 'kept' }), tokenSecret(A, { ttlMs: 60_000 }), tokenSecret(B, { ttlMs: 30_000 }));
    expect(await signClusterInfo(state, now)).toEqual({ requeueAfter: 30_000 });
    expect(state.updates).toHaveLength(1);
    const data = state.updates[0]!.data!;
    expect(data).toEqual({ kubeconfig: KUBECONFIG, other: 'kept', 'jws-kubeconfig-aaaaaa': sig(A), 'jws-kubeconfig-bbbbbb': sig(B) });
    expect(detachedSignatureIsValid(data['jws-kubeconfig-bbbbbb']!, KUBECONFIG, B.id, B.secret)).toBe(true);
    // The update carries the cached resourceVersion, so a stale cache means a Conflict, not an overwrite.
    expect(state.updates[0]!.metadata.resourceVersion).toBe('7');
  });

  it('does not write when the signatures are already right (no write loop)', async () => {
    const state = memory(clusterInfo({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': sig(A) }), tokenSecret(A));
    await signClusterInfo(state, now);
    await signClusterInfo(state, now);
    expect(state.updates).toEqual([]);
  });

  it('finds what tkube init publishes already signed', async () => {
    const published = clusterInfoConfigMap(KUBECONFIG, [A]);
    const state = memory({ ...published, metadata: { ...published.metadata, resourceVersion: '3' } }, tokenSecret(A));
    await signClusterInfo(state, now);
    expect(state.updates).toEqual([]);
  });

  it('removes signatures of deleted, expired and non-signing tokens', async () => {
    const C = parseToken('cccccc.0123456789abcdef');
    const state = memory(
      clusterInfo({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': sig(A), 'jws-kubeconfig-bbbbbb': sig(B), 'jws-kubeconfig-cccccc': sig(C), 'jws-kubeconfig-gone00': 'x..y' }),
      tokenSecret(A),
      tokenSecret(B, { ttlMs: -1_000 }),
      tokenSecret(C, { signing: false }),
    );
    await signClusterInfo(state, now);
    expect(state.cm!.data).toEqual({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': sig(A) });
  });

  it('re-signs when the kubeconfig changes, and drops every signature when no token may sign', async () => {
    const state = memory(clusterInfo({ kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': sig(A) }), tokenSecret(A));
    state.cm = clusterInfo({ ...state.cm!.data, kubeconfig: 'changed' });
    await signClusterInfo(state, now);
    expect(state.cm.data!['jws-kubeconfig-aaaaaa']).toBe(sig(A, 'changed'));
    state.tokens = [];
    await signClusterInfo(state, now);
    expect(state.cm.data).toEqual({ kubeconfig: 'changed' });
    expect(state.updates).toHaveLength(2);
  });

  it('signs again at the moment the token expires: its signature goes', async () => {
    const state = memory(clusterInfo({ kubeconfig: KUBECONFIG }), tokenSecret(A, { ttlMs: 5_000 }));
    expect(await signClusterInfo(state, now)).toEqual({ requeueAfter: 5_000 });
    expect(state.cm!.data!['jws-kubeconfig-aaaaaa']).toBeDefined();
    expect(await signClusterInfo(state, new Date(now.getTime() + 5_000))).toBeUndefined();
    expect(state.cm!.data).toEqual({ kubeconfig: KUBECONFIG });
  });

  it('neither creates cluster-info nor touches one without a kubeconfig', async () => {
    const absent = memory(undefined, tokenSecret(A));
    expect(await signClusterInfo(absent, now)).toBeUndefined();
    const empty = memory(clusterInfo({ 'jws-kubeconfig-aaaaaa': 'x..y' }), tokenSecret(A));
    expect(await signClusterInfo(empty, now)).toBeUndefined();
    expect([...absent.updates, ...empty.updates]).toEqual([]);
  });

  it('asks to come back when the update conflicts', async () => {
    const state = memory(clusterInfo({ kubeconfig: KUBECONFIG }), tokenSecret(A));
    state.update = async () => 'conflict';
    expect(await signClusterInfo(state, now)).toEqual({ requeue: true });
  });
});

describe('apiClusterInfoState.update', () => {
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

  it('updates at the cached resourceVersion, and reports a stale one and a deleted ConfigMap', async () => {
    const stored = server.put('/v1/configmaps', clusterInfo({ kubeconfig: KUBECONFIG }) as unknown as KubeObject) as unknown as ConfigMap;
    const api = apiClusterInfoState(client, { clusterInfo: () => undefined, tokenSecrets: () => [] });
    const signed = { ...stored, data: { kubeconfig: KUBECONFIG, 'jws-kubeconfig-aaaaaa': sig(A) } };
    expect(await api.update(signed)).toBe('updated');
    expect((server.getStored('/v1/configmaps', 'kube-public', 'cluster-info') as unknown as ConfigMap).data).toEqual(signed.data);
    // The same (now stale) resourceVersion again.
    expect(await api.update({ ...signed, data: { kubeconfig: KUBECONFIG } })).toBe('conflict');
    server.remove('/v1/configmaps', 'kube-public', 'cluster-info');
    expect(await api.update(signed)).toBe('gone');
  });
});
