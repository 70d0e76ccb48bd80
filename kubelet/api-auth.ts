/**
 * Authentication and authorization of the kubelet's HTTPS API, as the kubelet does it
 * with x509 client authentication and the Webhook authorizer: the caller is the subject
 * of its client certificate (verified against --client-ca-file; CN = user, O = groups),
 * and what it asks is "<verb> nodes/<subresource> <node name>", decided by a
 * SubjectAccessReview against the apiserver. No certificate: 401; not allowed: 403.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { KubeClient } from '../api/client/kube-client.js';
import { subjectAccessCheck } from '../api/client/subject-access-review.js';

export interface KubeletUser {
  name: string;
  groups: string[];
}

export interface KubeletRequestAttributes {
  verb: string;
  /** Always "nodes". */
  resource: 'nodes';
  subresource: string;
  /** The node's name. */
  name: string;
}

export type KubeletAuthorizer = (user: KubeletUser, attrs: KubeletRequestAttributes) => Promise<boolean>;

const MASTERS_GROUP = 'system:masters';

/** The verb of an HTTP method, as the kubelet maps them. */
function verbOf(method: string | undefined): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

/** The subresource of nodes a kubelet path falls under (stats, metrics, log, spec, else proxy). */
export function subresourceOf(path: string): string {
  const first = path.split('/').filter(Boolean)[0] ?? '';
  switch (first) {
    case 'stats':
      return 'stats';
    case 'metrics':
      return 'metrics';
    case 'logs':
      return 'log';
    case 'spec':
      return 'spec';
    case 'checkpoint':
      return 'checkpoint';
    case 'configz':
      return 'configz';
    case 'healthz':
      return 'healthz';
    default:
      return 'proxy';
  }
}

export function requestAttributes(req: IncomingMessage, nodeName: string): KubeletRequestAttributes {
  const path = new URL(req.url ?? '/', 'https://kubelet').pathname;
  return { verb: verbOf(req.method), resource: 'nodes', subresource: subresourceOf(path), name: nodeName };
}

/**
 * The verified client certificate's identity, or undefined when the peer presented none,
 * an unverified one, or one outside its validity. The dates are checked here because a
 * resumed TLS session counts as authorized without verifying the certificate again, so a
 * client certificate that expired (e.g. one replaced by rotation) would otherwise keep working.
 */
export function peerUser(req: IncomingMessage, now = Date.now()): KubeletUser | undefined {
  const sock = req.socket as Partial<TLSSocket>;
  if (!sock.encrypted || !sock.authorized || typeof sock.getPeerCertificate !== 'function') return undefined;
  const peer = sock.getPeerCertificate();
  if (!peer || !(Date.parse(peer.valid_from) <= now && now < Date.parse(peer.valid_to))) return undefined;
  const subject = peer.subject as unknown as Record<string, string | string[] | undefined> | undefined;
  const cn = subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return undefined;
  const o = subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups: [...groups, 'system:authenticated'] };
}

export function forbiddenText(user: KubeletUser, attrs: KubeletRequestAttributes): string {
  return `Forbidden (user=${user.name}, verb=${attrs.verb}, resource=${attrs.resource}, subresource=${attrs.subresource})`;
}

const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 30_000;

/**
 * The Webhook authorizer: SubjectAccessReviews through the kubelet's client, with the
 * kubelet's cache times (allowed 5 min, denied 30 s). An apiserver that serves no
 * reviews leaves only system:masters allowed.
 */
export function webhookAuthorizer(client: KubeClient, log: Logger): KubeletAuthorizer {
  const check = subjectAccessCheck(client, log);
  const cache = new Map<string, { allowed: boolean; until: number }>();
  return async (user, attrs) => {
    const key = JSON.stringify([user.name, [...user.groups].sort(), attrs]);
    const hit = cache.get(key);
    if (hit && hit.until > Date.now()) return hit.allowed;
    const allowed = await check(
      { username: user.name, groups: user.groups },
      { group: '', resource: attrs.resource, subresource: attrs.subresource, verb: attrs.verb, name: attrs.name },
      () => user.groups.includes(MASTERS_GROUP),
    );
    if (cache.size > 1000) cache.clear();
    cache.set(key, { allowed, until: Date.now() + (allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS) });
    return allowed;
  };
}
