import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestImages, pushArchive, startRegistry, type TestRegistry } from '../../test/helpers/registry.js';
import { ImageStore } from './image-store.js';
import { basicCredentials, parseChallenge } from './registry-auth.js';
import { registryBaseUrl } from './registry-client.js';

describe('parseChallenge', () => {
  it('parses bearer and basic challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
    expect(parseChallenge('Bearer realm=https://x/t, service=svc')).toEqual({ scheme: 'bearer', params: { realm: 'https://x/t', service: 'svc' } });
  });

  it('decodes credentials', () => {
    expect(basicCredentials({ auth: Buffer.from('me:p:w').toString('base64') })).toEqual({ username: 'me', password: 'p:w' });
    expect(basicCredentials({ username: 'u', password: 'p' })).toEqual({ username: 'u', password: 'p' });
    expect(basicCredentials({})).toBeUndefined();
  });
});

describe('registryBaseUrl', () => {
  it('uses http only for loopback and configured insecure registries', () => {
    expect(registryBaseUrl('docker.io')).toBe('https://registry-1.docker.io');
    expect(registryBaseUrl('localhost:5000')).toBe('http://localhost:5000');
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000');
    expect(registryBaseUrl('localhost')).toBe('http://localhost');
    expect(registryBaseUrl('registry.example.com')).toBe('https://registry.example.com');
    expect(registryBaseUrl('10.0.0.5:5000', ['10.0.0.5:5000'])).toBe('http://10.0.0.5:5000');
    expect(registryBaseUrl('10.0.0.5:5000', ['10.0.0.5'])).toBe('http://10.0.0.5:5000');
    expect(registryBaseUrl('10.0.0.5:5000', ['10.0.0.6'])).toBe('https://10.0.0.5:5000');
  });
});

/**
 * An authenticating front for the real registry: `basic` wants user:secret on every
 * request; `bearer` sends clients to its /token endpoint (which wants user:secret or a
 * refresh token) and accepts the token it issued.
 */
async function authProxy(upstream: string, mode: 'basic' | 'bearer'): Promise<{ host: string; server: Server; tokenRequests: string[] }> {
  const TOKEN = 'tkube-test-token';
  const tokenRequests: string[] = [];
  const basicOk = `Basic ${Buffer.from('user:secret').toString('base64')}`;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://proxy');
      if (url.pathname === '/token') {
        let body = '';
        for await (const c of req) body += String(c);
        tokenRequests.push(`${req.method} ${url.search}${body ? ` ${body}` : ''}`);
        const form = new URLSearchParams(body);
        const ok = req.headers.authorization === basicOk || (req.method === 'POST' && form.get('refresh_token') === 'refresh-me');
        if (!ok) return res.writeHead(401).end();
        return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.method === 'POST' ? { access_token: TOKEN } : { token: TOKEN }));
      }
      const authorized = mode === 'basic' ? req.headers.authorization === basicOk : req.headers.authorization === `Bearer ${TOKEN}`;
      if (!authorized) {
        const challenge =
          mode === 'basic'
            ? 'Basic realm="tkube-test"'
            : `Bearer realm="http://${req.headers.host}/token",service="tkube-test",scope="repository:${url.pathname.split('/').slice(2, -2).join('/')}:pull"`;
        return res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      }
      const up = await fetch(`${upstream}${url.pathname}`, { headers: { accept: req.headers.accept ?? '*/*' } });
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => {
        if (k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v;
      });
      res.writeHead(up.status, headers).end(Buffer.from(await up.arrayBuffer()));
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { host: `127.0.0.1:${port}`, server, tokenRequests };
}

describe('pulling from registries that require authentication', () => {
  let work: string;
  let registry: TestRegistry;
  const servers: Server[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tkube-images-auth-test-'));
    const archives = await buildTestImages(join(work, 'archives'));
    registry = await startRegistry();
    await pushArchive(archives.pause, registry, 'tkube/pause:3.10');
  });

  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('answers a Basic challenge with the given credentials', async () => {
    const proxy = await authProxy(registry.url, 'basic');
    servers.push(proxy.server);
    const ref = `${proxy.host}/tkube/pause:3.10`;
    await expect(new ImageStore({ root: join(work, 'b1') }).pull(ref)).rejects.toThrow(/authentication required/);
    await expect(new ImageStore({ root: join(work, 'b2') }).pull(ref, { username: 'user', password: 'wrong' })).rejects.toThrow(/401/);
    const img = await new ImageStore({ root: join(work, 'b3') }).pull(ref, { auth: Buffer.from('user:secret').toString('base64') });
    expect(img.config.entrypoint).toEqual(['/pause', '-P']);
  });

  it('fetches a bearer token from the challenge realm', async () => {
    const proxy = await authProxy(registry.url, 'bearer');
    servers.push(proxy.server);
    const ref = `${proxy.host}/tkube/pause:3.10`;
    await expect(new ImageStore({ root: join(work, 't1') }).pull(ref, { username: 'user', password: 'wrong' })).rejects.toThrow(/token endpoint .* 401/);

    const img = await new ImageStore({ root: join(work, 't2') }).pull(ref, { username: 'user', password: 'secret' });
    expect(img.repoTags).toEqual([ref]);
    expect(proxy.tokenRequests.at(-1)).toBe('GET ?service=tkube-test&scope=repository%3Atkube%2Fpause%3Apull');

    const viaRefresh = await new ImageStore({ root: join(work, 't3') }).pull(ref, { identityToken: 'refresh-me' });
    expect(viaRefresh.id).toBe(img.id);
    expect(proxy.tokenRequests.at(-1)).toMatch(/^POST .*grant_type=refresh_token&refresh_token=refresh-me/);

    const before = proxy.tokenRequests.length;
    const viaToken = await new ImageStore({ root: join(work, 't4') }).pull(ref, { registryToken: 'tkube-test-token' });
    expect(viaToken.id).toBe(img.id);
    expect(proxy.tokenRequests.length).toBe(before); // a registry token is used as is
  });
});
