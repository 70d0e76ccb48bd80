/**
 * Test harness: a tiny node:http server that serves only discovery, OpenAPI and a
 * canned /version from a ResourceDef list, records every other request (and answers
 * writes by echoing the object back), plus a temporary kubeconfig pointing the real
 * kubectl at it. Used by the kubectl tests of discovery and OpenAPI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResourceDef } from '../../api/resource.js';
import { discoveryResponse, type ServedDocument } from '../discovery.js';
import { versionResponse } from '../version.js';
import { openApiResponse } from './serve.js';
import type { OpenApiOptions } from './v3.js';

export interface RecordedRequest {
  method: string;
  url: string;
  accept?: string;
  contentType?: string;
  body: string;
}

export interface KubectlHarness {
  requests: RecordedRequest[];
  kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  dir: string;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: import('node:http').ServerResponse, doc: ServedDocument): void {
  res.statusCode = doc.status ?? 200;
  res.setHeader('Content-Type', doc.contentType);
  if (doc.etag) res.setHeader('ETag', doc.etag);
  for (const [k, v] of Object.entries(doc.headers ?? {})) res.setHeader(k, v);
  res.end(doc.body);
}

export async function startKubectlHarness(resources: readonly ResourceDef[], opts?: OpenApiOptions): Promise<KubectlHarness> {
  const requests: RecordedRequest[] = [];
  const stored = new Map<string, string>(); // object path -> JSON, for GET after create
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    const accept = req.headers.accept;
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/', accept, contentType: req.headers['content-type'], body });
    if (req.method === 'GET') {
      if (url.pathname === '/version') return send(res, versionResponse());
      const doc = discoveryResponse(url.pathname, accept, resources) ?? openApiResponse(url.pathname, url.search, accept, resources, opts);
      if (doc) return send(res, doc);
      const obj = stored.get(url.pathname);
      if (obj) return send(res, { body: obj, contentType: 'application/json' });
    }
    if (req.method === 'POST' && body.startsWith('{')) {
      // Echo the created object back, as an apiserver would after storing it.
      const obj = JSON.parse(body) as { metadata?: Record<string, unknown> };
      const ns = /\/namespaces\/([^/]+)\//.exec(url.pathname)?.[1];
      obj.metadata = { ...(obj.metadata ?? {}), ...(ns ? { namespace: ns } : {}), uid: 'tkube-test-uid', resourceVersion: '1' };
      if (typeof obj.metadata.name === 'string') stored.set(`${url.pathname}/${obj.metadata.name}`, JSON.stringify(obj));
      res.statusCode = 201;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(obj));
      return;
    }
    const existing = stored.get(url.pathname);
    if (req.method === 'PATCH' && existing) return send(res, { body: existing, contentType: 'application/json' });
    res.statusCode = 404;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', message: 'not found', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = await mkdtemp(join(tmpdir(), 'tkube-kubectl-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: tkube, cluster: {server: "http://127.0.0.1:${port}"}}]`,
      'contexts: [{name: tkube, context: {cluster: tkube, user: tkube, namespace: default}}]',
      'users: [{name: tkube, user: {}}]',
      'current-context: tkube',
      '',
    ].join('\n'),
  );

  function kubectl(args: string[], stdin?: string) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        'kubectl',
        [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dir, 'cache')}`, ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (stdin !== undefined) child.stdin?.end(stdin);
    });
  }

  return {
    requests,
    kubectl,
    dir,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
