import { mkdtempSync, rmSync } from 'node:fs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApiServer } from '../api/client/fake-apiserver.js';
import { KubeClient } from '../api/client/kube-client.js';
import { nodes } from '../api/registry.js';
import { CriClient } from './cri-client.js';
import { FakeCri } from './hollow/fake-cri.js';
import { NodeAgent } from './node-agent.js';

describe('NodeAgent start-up', () => {
  let server: FakeApiServer;
  let client: KubeClient;
  const root = mkdtempSync('/tmp/tkube-test-node-agent-');

  beforeAll(async () => {
    server = await new FakeApiServer().start();
    client = new KubeClient({ server: server.url, maxRetries: 1 });
  });
  afterAll(async () => {
    client.close();
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('posts Ready as soon as the runtime reports its network ready, not at the next 10 s status tick', async () => {
    let networkReady = false;
    const services = new FakeCri({ startDelayMs: 0, stopDelayMs: 0, allocateIP: () => '10.0.0.2' }).services();
    const cri = new CriClient({
      endpoint: 'in-process',
      inProcess: {
        ...services,
        runtime: {
          ...services.runtime,
          Status: async () => ({
            status: { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { type: 'NetworkReady', status: networkReady, reason: networkReady ? '' : 'NoCNIConfig', message: '' }] },
            info: {},
          }),
        },
      },
    });
    const agent = new NodeAgent({
      client,
      cri,
      identity: { nodeName: 'n1', labels: {}, taints: [] },
      nodeIP: '127.0.0.1',
      port: 10250,
      rootDir: root,
      cniBridge: 'tkube-test0',
      statusIntervalMs: 60_000,
      leaseRenewMs: 60_000,
      logger: pino({ level: 'silent' }),
    });
    const readyOf = async () => (await client.resource(nodes).get('n1')).status?.conditions?.find((c) => c.type === 'Ready')?.status;
    try {
      await agent.start();
      expect(await readyOf()).toBe('False');
      networkReady = true;
      const t0 = Date.now();
      while ((await readyOf()) !== 'True') {
        if (Date.now() - t0 > 3000) throw new Error('the node was not posted Ready within 3 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      agent.stop();
      cri.close();
    }
  });
});
