/**
 * kube-apiserver, tkube's: the Kubernetes REST API over HTTP on a real etcd. One watch
 * cache per resource type, the generic store per type, discovery, OpenAPI, health and
 * metrics. `startApiServer` is used by `tkube apiserver`, `tkube up` and the tests.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ApiError, timeout } from '../api/meta/errors.js';
import type { KubeObject } from '../api/meta/object-meta.js';
import { registry as metricsRegistry } from '../api/metrics.js';
import { findResource, pods as podsDef, resources } from '../api/registry.js';
import type { ResourceDef } from '../api/resource.js';
import { discoveryResponse, type ServedDocument } from './discovery.js';
import { handleResource, verbOf } from './http/resource-handler.js';
import { parseResourcePath } from './http/request-info.js';
import { toApiError, writeError, writeJson } from './http/respond.js';
import { openApiResponse } from './openapi/serve.js';
import { ResourceStore } from './registry/resource-store.js';
import { nowTimestamp, storageKey } from './registry/object-meta.js';
import { EtcdStore } from './storage/etcd-store.js';
import { WatchCache } from './storage/watch-cache.js';
import { listenOnUnixSocket } from './unix-listener.js';
import { versionResponse } from './version.js';
import { createAuthenticator, createRequestChain, type RequestChain } from './auth/chain.js';
import { createAuthorizer, ensureBootstrapPolicy, nodeRestriction, type AuthorizationMode, type ModeAuthorizer } from './auth/authz/index.js';
import { rbacEscalation } from './auth/admission/rbac-escalation.js';
import { escalationRuleResolver } from './auth/admission/rbac-escalation-rules.js';
import type { Authorizer, ValidatingAdmission } from './auth/types.js';
import { loadServiceAccountKeys, serviceAccountLookup, type ServiceAccountKeys } from './auth/serviceaccount/index.js';
import { serviceAccountAdmission } from './registry/admission.js';
import { loadKubeletClient } from './http/kubelet-client.js';

export interface ApiServerOptions {
  etcdEndpoints: string[];
  host?: string;
  port?: number; // 0: any free port
  logger: Logger;
  /** How often etcd is compacted (the revision seen one interval ago is compacted). 0 disables. */
  compactionIntervalMs?: number;
  bookmarkIntervalMs?: number;
  /** Events expire this long after their last write. */
  eventTtlSeconds?: number;
  /** Non-watch requests are cut off after this long (504). */
  requestTimeoutMs?: number;
  /** Events kept per resource type for resuming watches. */
  watchCacheCapacity?: number;
  /** Also serve on this unix socket path. */
  unixSocket?: string;
  /** Serve HTTPS with this certificate; with clientCAFile, client certificates authenticate (--tls-cert-file, --tls-private-key-file, --client-ca-file). */
  tls?: { certFile: string; keyFile: string; clientCAFile?: string };
  /** --token-auth-file: static bearer tokens (CSV token,user,uid,"groups"). */
  tokenAuthFile?: string;
  /** --enable-bootstrap-token-auth: bootstrap tokens from kube-system Secrets. */
  enableBootstrapTokenAuth?: boolean;
  /** --authorization-mode. Absent: no authentication nor authorization at all (every request is the loopback admin). */
  authorizationModes?: AuthorizationMode[];
  /** Service-account token signing and verification (--service-account-*, --api-audiences). */
  serviceAccount?: { signingKeyFile: string; publicKeyFiles: string[]; issuer: string; audiences?: string[] };
  /** The client certificate the apiserver presents to kubelets (--kubelet-client-certificate/-key, --kubelet-certificate-authority). */
  kubeletClient?: { certFile: string; keyFile: string; caFile?: string };
}

export interface ApiServer {
  url: string;
  port: number;
  server: Server;
  etcd: EtcdStore;
  storeFor(def: ResourceDef): ResourceStore;
  close(): Promise<void>;
}

export const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

const requestCounter = metricsRegistry.counter('apiserver_request_total', 'Requests by verb, resource and HTTP code.');
const requestLatency = metricsRegistry.histogram('apiserver_request_duration_seconds', 'Request latency by verb and resource (watches excluded).');
const openWatches = metricsRegistry.gauge('apiserver_longrunning_requests', 'Open watch requests by resource.');
const etcdLatencyMetric = metricsRegistry.histogram('etcd_request_duration_seconds', 'etcd call latency by operation.');

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const log = opts.logger;
  const etcd = new EtcdStore({ endpoints: opts.etcdEndpoints, logger: log, onCall: (op, seconds) => etcdLatencyMetric.observe({ operation: op }, seconds) });
  const stores = new Map<ResourceDef, ResourceStore>();
  const caches: WatchCache[] = [];

  const namespaceDef = findResource('', 'v1', 'namespaces')!;
  let namespaceCache!: WatchCache;
  const namespaces = {
    async get(name: string): Promise<KubeObject | undefined> {
      return namespaceCache.get(storageKey(namespaceDef, undefined, name)) ?? (await etcd.get(storageKey(namespaceDef, undefined, name)));
    },
  };
  for (const def of resources) {
    const cache = new WatchCache({ store: etcd, prefix: `/registry/${def.plural}/`, logger: log, capacity: opts.watchCacheCapacity });
    if (def === namespaceDef) namespaceCache = cache;
    caches.push(cache);
    stores.set(def, new ResourceStore(def, etcd, cache, namespaces, log, { eventTtlSeconds: opts.eventTtlSeconds }));
  }
  const storeFor = (def: ResourceDef): ResourceStore => {
    const s = stores.get(def);
    if (!s) throw new ApiError(404, 'NotFound', `no storage for ${def.plural}`);
    return s;
  };

  await waitForEtcd(etcd, log);
  await Promise.all(caches.map((c) => c.start()));
  await ensureNamespaces(storeFor(namespaceDef), log);

  const serviceAccountKeys = opts.serviceAccount ? await loadServiceAccountKeys(opts.serviceAccount) : undefined;
  const security = await securityChain(opts, serviceAccountKeys, { storeFor }, log);
  const chain = security?.chain;
  // NodeRestriction goes with the Node authorizer (kube-apiserver enables both for nodes);
  // the RBAC escalation check with RBAC (Kubernetes' RBAC registry does it on every write).
  const admission: ValidatingAdmission[] = [];
  if (opts.authorizationModes?.includes('Node')) admission.push(nodeRestriction({ storeFor }));
  if (security?.authorizer.rbac) {
    admission.push(rbacEscalation({ authorizer: security.authorizer, resolver: escalationRuleResolver(security.authorizer.rbac) }));
  }
  if (admission.length) for (const store of stores.values()) store.setAdmission(admission);
  // The ServiceAccount admission plugin, only when the apiserver can sign the tokens it
  // mounts: without keys, pods in a namespace that has no `default` account yet are kept.
  if (serviceAccountKeys) {
    storeFor(podsDef).setMutatingAdmission([serviceAccountAdmission(serviceAccountLookup({ storeFor }), { mountServiceAccountToken: true })]);
  }
  const hc = {
    etcd,
    storeFor,
    findResource,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
    log,
    kubeletClient: opts.kubeletClient ? loadKubeletClient(opts.kubeletClient) : undefined,
    serviceAccountKeys,
    authorizer: security?.authorizer,
  };
  const requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
  let serverAddress = '';

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    void serve(req, res).catch((err) => {
      log.error({ err }, 'request handler failed');
      writeError(res, err);
    });
  };
  // Client certificates are asked for but not required: token users connect without one.
  const server: Server = opts.tls
    ? createHttpsServer(
        {
          cert: readFileSync(opts.tls.certFile),
          key: readFileSync(opts.tls.keyFile),
          ...(opts.tls.clientCAFile ? { ca: readFileSync(opts.tls.clientCAFile), requestCert: true, rejectUnauthorized: false } : {}),
        },
        onRequest,
      )
    : createServer(onRequest);
  server.keepAliveTimeout = 65_000;

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const info = parseResourcePath(path);
    const verb = info ? verbOf(req.method ?? 'GET', info, url.searchParams) : (req.method ?? 'GET').toLowerCase();
    const resource = info?.resource ?? '';
    let code = 200;
    res.on('finish', () => {
      code = res.statusCode;
      requestCounter.inc({ verb, resource, code: String(code) });
      if (verb !== 'watch') requestLatency.observe({ verb, resource }, (performance.now() - started) / 1000);
      log.debug({ method: req.method, path, code, ms: Math.round(performance.now() - started) }, 'request');
    });
    if (chain) {
      try {
        await chain.admit(req);
      } catch (err) {
        writeError(res, err);
        return;
      }
    }

    if (info) {
      // Watches and streams proxied to a kubelet (logs -f, exec, attach) are long-running: no request timeout.
      const longRunning =
        verb === 'watch' ||
        info.subresource === 'exec' ||
        info.subresource === 'attach' ||
        (info.subresource === 'log' && url.searchParams.get('follow') === 'true');
      if (longRunning) {
        if (verb === 'watch') {
          openWatches.inc({ resource });
          res.on('close', () => openWatches.dec({ resource }));
        }
        try {
          await handleResource(req, res, info, url.searchParams, hc);
        } catch (err) {
          writeError(res, err);
        }
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          handleResource(req, res, info, url.searchParams, hc),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(timeout('the request did not complete within the allowed duration (60s)')), requestTimeoutMs);
          }),
        ]);
      } catch (err) {
        writeError(res, err);
      } finally {
        clearTimeout(timer);
      }
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      writeError(res, new ApiError(405, 'MethodNotAllowed', `the server does not allow method ${req.method} on ${path}`));
      return;
    }
    await serveNonResource(req, res, path, url.searchParams);
  }

  async function serveNonResource(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    if (path === '/version' || path === '/version/') return sendDoc(res, versionResponse());
    if (path === '/healthz' || path === '/livez') return sendText(res, 200, 'ok');
    if (path === '/readyz' || path === '/healthz/etcd' || path === '/readyz/etcd') {
      const etcdOk = await etcd.healthy();
      const cachesOk = caches.every((c) => c.synced);
      if (etcdOk && cachesOk) return sendText(res, 200, 'ok');
      const lines = [`[${etcdOk ? '+' : '-'}]etcd ${etcdOk ? 'ok' : 'failed: not reachable'}`, `[${cachesOk ? '+' : '-'}]watch-caches ${cachesOk ? 'ok' : 'not synced'}`];
      return sendText(res, 503, `${lines.join('\n')}\nreadyz check failed`);
    }
    if (path === '/metrics') return sendText(res, 200, metricsRegistry.render(), 'text/plain; version=0.0.4');
    const discovery = discoveryResponse(path, req.headers.accept, resources, { serverAddress });
    if (discovery) return sendDoc(res, discovery);
    if (path.startsWith('/openapi/')) {
      const doc = openApiResponse(path, query, req.headers.accept, resources);
      if (doc) return sendDoc(res, doc, req.headers['if-none-match']);
    }
    writeError(res, new ApiError(404, 'NotFound', 'the server could not find the requested resource'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 6443, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  serverAddress = `${host}:${port}`;
  const unixListener = opts.unixSocket ? await listenOnUnixSocket(server, opts.unixSocket) : undefined;
  const url = `${opts.tls ? 'https' : 'http'}://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  const compactor = startCompactor(etcd, opts.compactionIntervalMs ?? 5 * 60_000, log);
  log.info({ url }, 'apiserver serving');

  return {
    url,
    port,
    server,
    etcd,
    storeFor,
    async close() {
      clearInterval(compactor);
      await Promise.all(caches.map((c) => c.stop()));
      unixListener?.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await etcd.close();
    },
  };
}

function sendDoc(res: ServerResponse, doc: ServedDocument | { body: string | Buffer; contentType: string; etag?: string; status?: number; headers?: Record<string, string> }, ifNoneMatch?: string): void {
  const headers: Record<string, string | number> = { 'Content-Type': doc.contentType, ...(doc.headers ?? {}) };
  if (doc.etag) {
    headers.ETag = `"${doc.etag.replace(/"/g, '')}"`;
    if (ifNoneMatch && ifNoneMatch.replace(/"/g, '') === doc.etag.replace(/"/g, '')) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
  }
  headers['Content-Length'] = Buffer.byteLength(doc.body);
  res.writeHead(doc.status ?? 200, headers);
  res.end(doc.body);
}

function sendText(res: ServerResponse, code: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function waitForEtcd(etcd: EtcdStore, log: Logger): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let i = 0; ; i++) {
    if (await etcd.healthy()) return;
    if (Date.now() > deadline) throw new Error('etcd is not reachable: start etcd or check --etcd-servers');
    if (i % 10 === 0) log.warn('waiting for etcd');
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Creates the namespaces every cluster has (default, kube-system, kube-public, kube-node-lease). */
async function ensureNamespaces(store: ResourceStore, log: Logger): Promise<void> {
  for (const name of DEFAULT_NAMESPACES) {
    try {
      await store.create(undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false, fieldValidation: 'Strict', warnings: [] });
      log.info({ namespace: name }, 'created namespace');
    } catch (err) {
      if (!(err instanceof ApiError && err.reason === 'AlreadyExists')) throw err;
    }
  }
}

/**
 * Authentication and authorization when --authorization-mode is given (absent: none, as
 * before security). The bootstrap RBAC policy is reconciled first when RBAC is on.
 */
async function securityChain(
  opts: ApiServerOptions,
  serviceAccountKeys: ServiceAccountKeys | undefined,
  src: { storeFor(def: ResourceDef): ResourceStore },
  log: Logger,
): Promise<{ chain: RequestChain; authorizer: ModeAuthorizer } | undefined> {
  if (!opts.authorizationModes?.length) return undefined;
  if (opts.authorizationModes.includes('RBAC')) await ensureBootstrapPolicy(src, log);
  const authenticator = createAuthenticator(
    {
      clientCertificates: !!opts.tls?.clientCAFile,
      tokenAuthFile: opts.tokenAuthFile,
      enableBootstrapTokenAuth: opts.enableBootstrapTokenAuth,
      serviceAccount: serviceAccountKeys && { keys: serviceAccountKeys, audiences: opts.serviceAccount?.audiences ?? [] },
    },
    src,
    log,
  );
  const authorizer = createAuthorizer(opts.authorizationModes, src, log);
  return { chain: createRequestChain({ authenticator, authorizer, log }), authorizer };
}

/** Compacts etcd every interval to the revision observed one interval earlier, as kube-apiserver does. */
function startCompactor(etcd: EtcdStore, intervalMs: number, log: Logger): NodeJS.Timeout | undefined {
  if (intervalMs <= 0) return undefined;
  let previous = 0;
  const timer = setInterval(() => {
    void (async () => {
      try {
        const current = await etcd.currentRevision();
        if (previous > 0) {
          await etcd.compact(previous);
          log.info({ revision: previous, at: nowTimestamp() }, 'compacted etcd');
        }
        previous = current;
      } catch (err) {
        log.warn({ err: toApiError(err).message }, 'etcd compaction failed');
      }
    })();
  }, intervalMs);
  timer.unref();
  return timer;
}

