/**
 * The REST verbs on a resource, its collection and its subresources: dispatches a parsed
 * request to the resource's store and writes the answer in the representation the
 * client asked for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ApiError, badRequest, methodNotAllowed, notFound } from '../../api/meta/errors.js';
import { DeleteOptions } from '../../api/meta/meta-types.js';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import type { ResourceStore, WriteContext } from '../registry/resource-store.js';
import { storagePrefix } from '../registry/object-meta.js';
import type { EtcdStore } from '../storage/etcd-store.js';
import { mediaType, parseObjectBody, parsePatchBody, readBody } from './body.js';
import { listObjects } from './list.js';
import { DeleteQuery, ListQuery, WriteQuery, parseQuery, selectionFrom } from './query.js';
import type { ResourceRequest } from './request-info.js';
import { renderList, renderObject, representation, successStatus, writeJson, writeJsonText, writeList } from './respond.js';
import { encodedObject } from './encoded-objects.js';
import { bindPod, patchScale, scaleOf, updateScale } from './subresources.js';
import { proxyPodSubresource } from './node-proxy.js';
import type { Node } from '../../api/types/node.js';
import type { Pod } from '../../api/types/pod.js';
import { serveWatch } from './watch.js';
import { requestUser } from '../auth/request-user.js';
import type { Authorizer } from '../auth/types.js';
import { ACCESS_REVIEW_GROUP, ACCESS_REVIEW_RESOURCES, answerAccessReview } from '../auth/authz/access-review.js';
import { CSR_RESOURCE, patchApproval, stampRequester, updateApproval } from '../registry/csr-strategy.js';
import type { KubeletClientConfig } from './kubelet-client.js';
import type { ServiceAccountKeys } from '../auth/serviceaccount/keys.js';
import { serveTokenRequest } from '../auth/serviceaccount/token-request-http.js';

export interface HandlerContext {
  etcd: EtcdStore;
  storeFor(def: ResourceDef): ResourceStore;
  findResource(group: string, version: string, plural: string): ResourceDef | undefined;
  bookmarkIntervalMs: number;
  log: Logger;
  /** Answers access reviews (SelfSubjectAccessReview, ...); absent = no authorization, everything allowed. */
  authorizer?: Authorizer;
  /** How the apiserver reaches kubelets (HTTPS with its client certificate); absent = plain HTTP. */
  kubeletClient?: KubeletClientConfig;
  /** Service-account token keys; absent = no serviceaccounts/token subresource. */
  serviceAccountKeys?: ServiceAccountKeys;
}

/** Subresources served by this apiserver, by resource. Others (log, exec, ...) are proxied to the kubelet. */
const SUBRESOURCES: Record<string, string[]> = {
  pods: ['status', 'binding'],
  nodes: ['status'],
  namespaces: ['status', 'finalize'],
  services: ['status'],
  deployments: ['status', 'scale'],
  replicasets: ['status', 'scale'],
  certificatesigningrequests: ['status', 'approval'],
};

/** The verb a request maps to, for metrics and logs. */
export function verbOf(method: string, info: ResourceRequest, query: URLSearchParams): string {
  const watch = info.legacyWatch || query.get('watch') === 'true' || query.get('watch') === '1';
  switch (method) {
    case 'GET':
      return info.name ? (watch ? 'watch' : 'get') : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return info.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  info: ResourceRequest,
  query: URLSearchParams,
  hc: HandlerContext,
): Promise<void> {
  // The legacy pods binding collection: POST /api/v1/namespaces/{ns}/bindings
  if (info.group === '' && info.resource === 'bindings' && info.namespace && !info.name && req.method === 'POST') {
    const podsDef = hc.findResource('', 'v1', 'pods')!;
    const body = parseObjectBody(await readBody(req), mediaType(req)) as { metadata?: { name?: string } };
    const podName = body?.metadata?.name;
    if (!podName) throw badRequest('Binding: metadata.name (the pod name) is required');
    const ctx = writeContext(req, query);
    await bindPod(hc.storeFor(podsDef), info.namespace, podName, body, ctx);
    writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
    return;
  }

  const def = hc.findResource(info.group, info.version, info.resource);
  if (!def) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  if (!def.namespaced && info.namespace) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  // authorization.k8s.io reviews: answered by the authorizer, never stored.
  if (def.group === ACCESS_REVIEW_GROUP && ACCESS_REVIEW_RESOURCES.has(def.plural)) {
    if (info.name) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    if (req.method !== 'POST') throw methodNotAllowed(`the server does not allow method ${req.method ?? ''} on ${def.plural}`);
    const body = parseObjectBody(await readBody(req), mediaType(req));
    const answer = await answerAccessReview({ def, namespace: info.namespace, body, requester: requestUser(req), authorizer: hc.authorizer });
    writeJson(res, 201, answer);
    return;
  }
  // serviceaccounts/token: TokenRequest, answered with a signed token, nothing stored.
  if (def.plural === 'serviceaccounts' && info.namespace && info.name && info.subresource === 'token') {
    await serveTokenRequest(req, res, info.namespace, info.name, hc);
    return;
  }
  // pods/log, pods/exec, pods/attach: proxied to the kubelet of the pod's node.
  if (def.plural === 'pods' && info.name && (info.subresource === 'log' || info.subresource === 'exec' || info.subresource === 'attach')) {
    const pod = (await getObject(hc.storeFor(def), info.namespace, info.name, new URLSearchParams())) as Pod;
    const nodesDef = hc.findResource('', 'v1', 'nodes')!;
    const node = pod.spec.nodeName
      ? ((await getObject(hc.storeFor(nodesDef), undefined, pod.spec.nodeName, new URLSearchParams()).catch(() => undefined)) as Node | undefined)
      : undefined;
    await proxyPodSubresource(req, res, pod, node, info.subresource, query, hc.kubeletClient);
    return;
  }
  if (info.subresource) {
    if (!info.name || !(SUBRESOURCES[def.plural] ?? []).includes(info.subresource)) {
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${def.plural}/${info.subresource})`);
    }
  }
  const store = hc.storeFor(def);
  const ns = info.namespace;
  const method = req.method ?? 'GET';
  const rep = representation(req, query);
  const sub = info.subresource;

  if (method === 'GET') {
    if (info.name && !(info.legacyWatch || isWatch(query))) {
      const obj = await getObject(store, ns, info.name, query);
      writeJson(res, 200, sub === 'scale' ? scaleOf(obj) : renderObject(def, obj, rep));
      return;
    }
    const q = parseQuery(ListQuery, query);
    if (info.name) {
      // A watch on one object: fieldSelector metadata.name=<name>.
      q.fieldSelector = [q.fieldSelector, `metadata.name=${info.name}`].filter(Boolean).join(',');
    }
    const selection = selectionFrom(def, q);
    const prefix = storagePrefix(def, ns);
    if (info.legacyWatch || q.watch) {
      await serveWatch(req, res, { def, cache: store.cache, etcd: hc.etcd, prefix, query: q, selection, rep, bookmarkIntervalMs: hc.bookmarkIntervalMs, log: hc.log });
      return;
    }
    const { items, meta } = await listObjects({ etcd: hc.etcd, cache: store.cache, prefix, query: q, selection });
    writeList(res, def, items, meta, rep);
    return;
  }

  if (method === 'POST') {
    if (sub === 'binding') {
      const body = parseObjectBody(await readBody(req), mediaType(req));
      await bindPod(store, ns!, info.name!, body, writeContext(req, query));
      writeJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    if (info.name) throw methodNotAllowed(`POST is not supported on a named ${def.kind}; use PUT or PATCH to change it`);
    const ctx = writeContext(req, query);
    let body = parseObjectBody(await readBody(req), mediaType(req));
    // A CSR's requester is whoever created it, never what the body claims.
    if (def.plural === CSR_RESOURCE) body = stampRequester(body, ctx.user);
    const created = await store.create(ns, body, ctx);
    // A created object's bytes usually come spliced from its storage encoding (EtcdStore.create).
    if (rep.kind === 'object') writeJsonText(res, 201, encodedObject(created), ctx.warnings);
    else writeJson(res, 201, renderObject(def, created, rep), ctx.warnings);
    return;
  }

  if (method === 'PUT') {
    if (!info.name) throw methodNotAllowed(`PUT needs the name of the ${def.kind} in the URL`);
    const ctx = writeContext(req, query);
    const body = parseObjectBody(await readBody(req), mediaType(req));
    if (sub === 'scale') {
      writeJson(res, 200, await updateScale(store, ns, info.name, ctx, () => body));
      return;
    }
    if (sub === 'approval') {
      writeJson(res, 200, renderObject(def, await updateApproval(store, info.name, ctx, () => body), rep));
      return;
    }
    const updated = await store.update(ns, info.name, body, ctx, subresourceKind(sub));
    writeJson(res, 200, renderObject(def, updated, rep), ctx.warnings);
    return;
  }

  if (method === 'PATCH') {
    if (!info.name) throw methodNotAllowed(`PATCH needs the name of the ${def.kind} in the URL`);
    const ctx = writeContext(req, query);
    const type = mediaType(req);
    const patch = parsePatchBody(await readBody(req), type);
    if (sub === 'scale') {
      writeJson(res, 200, await updateScale(store, ns, info.name, ctx, patchScale(type, patch)));
      return;
    }
    if (sub === 'approval') {
      const approved = await updateApproval(store, info.name, ctx, patchApproval(def, type, patch));
      writeJson(res, 200, renderObject(def, approved, rep));
      return;
    }
    const patched = await store.patch(ns, info.name, type, patch, ctx, subresourceKind(sub));
    writeJson(res, 200, renderObject(def, patched, rep), ctx.warnings);
    return;
  }

  if (method === 'DELETE') {
    const ctx = writeContext(req, query);
    const { dryRun, ...options } = await deleteOptions(req, query);
    // client-go and kubectl send dryRun in the DeleteOptions body, not in the query.
    if (dryRun) ctx.dryRun = true;
    if (info.name) {
      if (sub) throw methodNotAllowed(`DELETE is not supported on ${def.plural}/${sub}`);
      const { object, gone } = await store.delete(ns, info.name, options, ctx);
      if (!gone || def.plural === 'pods') writeJson(res, 200, renderObject(def, object, rep));
      else writeJson(res, 200, successStatus(def, object));
      return;
    }
    const q = parseQuery(ListQuery, query);
    const selection = selectionFrom(def, q);
    const { items } = await listObjects({ etcd: hc.etcd, cache: store.cache, prefix: storagePrefix(def, ns), query: { ...q, limit: 0 }, selection });
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        deleted.push((await store.delete(item.metadata.namespace, item.metadata.name ?? '', options, ctx)).object);
      } catch (err) {
        if (!(err instanceof ApiError && err.reason === 'NotFound')) throw err;
      }
    }
    writeJson(res, 200, renderList(def, deleted, {}, { kind: 'object' }));
    return;
  }

  throw methodNotAllowed(`the server does not allow method ${method} on ${def.plural}`);
}

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}

function subresourceKind(sub: string | undefined): 'status' | 'finalize' | undefined {
  return sub === 'status' || sub === 'finalize' ? sub : undefined;
}

async function getObject(store: ResourceStore, ns: string | undefined, name: string, query: URLSearchParams): Promise<KubeObject> {
  const rv = query.get('resourceVersion');
  if (rv !== null && rv !== '' && !/^\d+$/.test(rv)) throw badRequest(`invalid resourceVersion ${JSON.stringify(rv)}: must be a non-negative integer`);
  if (rv === '0') {
    await store.cache.ready;
    const cached = store.cache.get(store.key(ns, name));
    if (!cached) throw notFound(store.gr, name);
    return cached;
  }
  return store.get(ns, name);
}

function writeContext(req: IncomingMessage, query: URLSearchParams): WriteContext {
  const q = parseQuery(WriteQuery, query);
  return { dryRun: q.dryRun === 'All', fieldValidation: q.fieldValidation || 'Warn', warnings: [], user: requestUser(req) };
}

async function deleteOptions(req: IncomingMessage, query: URLSearchParams) {
  const q = parseQuery(DeleteQuery, query);
  const body = await readBody(req);
  let fromBody: DeleteOptions = {};
  if (body.length > 0) {
    const raw = parseObjectBody(body, mediaType(req) || 'application/json');
    const parsed = DeleteOptions.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`DeleteOptions: ${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    fromBody = parsed.data;
  }
  return {
    gracePeriodSeconds: fromBody.gracePeriodSeconds ?? q.gracePeriodSeconds,
    propagationPolicy: fromBody.propagationPolicy ?? q.propagationPolicy,
    orphanDependents: fromBody.orphanDependents ?? q.orphanDependents,
    preconditions: fromBody.preconditions,
    dryRun: fromBody.dryRun?.includes('All') ?? false,
  };
}
