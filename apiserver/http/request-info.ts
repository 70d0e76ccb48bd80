/**
 * Parses a Kubernetes REST path into what it addresses (Kubernetes' RequestInfo):
 *   /api/v1/namespaces/{ns}/{resource}[/{name}[/{subresource}]]
 *   /api/v1/{resource}[/{name}[/{subresource}]]          (cluster-scoped, or all namespaces)
 *   /apis/{group}/{version}/...                          (the same under a group)
 *   /api/v1/watch/...                                    (legacy watch paths)
 */
export interface ResourceRequest {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The legacy /watch/ path prefix was used. */
  legacyWatch: boolean;
}

export function parseResourcePath(pathname: string): ResourceRequest | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  if (rest.length === 0) return undefined;
  // /namespaces/{ns}/{resource}/... unless it addresses the namespace itself (or its status/finalize).
  if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
    const [, namespace, resource, name, subresource, ...extra] = rest;
    if (extra.length) return undefined;
    return { group, version, resource: resource!, namespace, name, subresource, legacyWatch };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (extra.length) return undefined;
  return { group, version, resource: resource!, name, subresource, legacyWatch };
}
