/** Optimistic concurrency: many clients incrementing one counter with GET + PUT, retrying on 409, lose no update. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlPlane, type TestControlPlane } from '../helpers/control-plane.js';
import { configMap, request, sleep } from './rest.js';

const CLIENTS = 32;
const INCREMENTS = 50;
const PATH = '/api/v1/namespaces/default/configmaps/tkube-counter';

let cp: TestControlPlane;
beforeAll(async () => {
  cp = await startControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});

async function incrementOnce(): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const got = await request(cp.url, 'GET', PATH);
    expect(got.status).toBe(200);
    const obj = got.json as { metadata: { annotations?: Record<string, string> } };
    const n = Number(obj.metadata.annotations?.['tkube.test/counter'] ?? '0');
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'tkube.test/counter': String(n + 1) };
    const put = await request(cp.url, 'PUT', PATH, { body: obj });
    if (put.status === 200) return attempt;
    expect(put.status).toBe(409);
    expect(put.json?.reason).toBe('Conflict');
    // Exponential backoff with full jitter (client-go's RetryOnConflict also backs off): with 32
    // writers on one key, retrying at once only multiplies the conflicts.
    await sleep(Math.random() * Math.min(320, 10 * 2 ** attempt));
  }
}

describe('concurrent read-modify-write', () => {
  it(`${CLIENTS} clients x ${INCREMENTS} increments end at exactly ${CLIENTS * INCREMENTS}`, async () => {
    const created = await request(cp.url, 'POST', '/api/v1/namespaces/default/configmaps', {
      body: configMap('tkube-counter', {}, { annotations: { 'tkube.test/counter': '0' } }),
    });
    expect(created.status).toBe(201);

    let conflicts = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < INCREMENTS; i++) conflicts += (await incrementOnce()) - 1;
      }),
    );
    const final = await request(cp.url, 'GET', PATH);
    const annotations = (final.json as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    expect(annotations['tkube.test/counter']).toBe(String(CLIENTS * INCREMENTS));
    // With 32 writers on one key, conflicts must actually have happened (otherwise the test proves nothing).
    expect(conflicts).toBeGreaterThan(0);
    // resourceVersion moved once per successful write (plus the create).
    const rvCreate = Number((created.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    const rvFinal = Number((final.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
    expect(rvFinal).toBeGreaterThanOrEqual(rvCreate + CLIENTS * INCREMENTS);
  }, 120_000);
});
