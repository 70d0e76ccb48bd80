/**
 * Lists: from the watch cache (resourceVersion=0, or NotOlderThan a revision the cache
 * has), or from etcd at one revision (consistent reads, Exact, and pages with
 * limit/continue). Continue tokens carry the revision and the next key, as Kubernetes'.
 */
import { badRequest, expired } from '../../api/meta/errors.js';
import type { KubeObject, ListMeta } from '../../api/meta/object-meta.js';
import type { EtcdStore } from '../storage/etcd-store.js';
import type { WatchCache } from '../storage/watch-cache.js';
import { invalidListOptions, type ListQuery, type Selection } from './query.js';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string; // key suffix after the list prefix
}

export function encodeContinue(rv: number, start: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad token');
    return parsed as ContinueToken;
  } catch {
    throw badRequest('continue key is not valid: the token is malformed; start a new list without the continue parameter');
  }
}

export interface ListInput {
  etcd: EtcdStore;
  cache: WatchCache;
  prefix: string;
  query: ListQuery;
  selection: Selection;
}

export async function listObjects({ etcd, cache, prefix, query, selection }: ListInput): Promise<{ items: KubeObject[]; meta: ListMeta }> {
  const rv = query.resourceVersion ?? '';
  const match = query.resourceVersionMatch || undefined;
  const limit = query.limit ?? 0;
  if (query.sendInitialEvents !== undefined) throw invalidListOptions('sendInitialEvents', 'sendInitialEvents is forbidden for list');
  if (match && rv === '') throw invalidListOptions('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match && query.continue) throw invalidListOptions('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided');
  if (query.continue && rv !== '') throw badRequest('specifying resource version is not allowed when using continue');
  if (match === 'Exact' && rv === '0') throw invalidListOptions('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"');

  // From the cache: "any" version (rv=0), or not older than a given revision.
  const fromCache = !query.continue && (rv === '0' || (rv !== '' && match !== 'Exact' && !(limit > 0)));
  if (fromCache) {
    await cache.ready;
    if (rv !== '0') await cache.waitUntilFresh(Number(rv));
    const snap = cache.list(prefix);
    const items = selection.everything ? snap.items : snap.items.filter((o) => selection.matches(o));
    return { items, meta: { resourceVersion: String(snap.revision) } };
  }

  // From etcd, at one revision.
  let revision: number | undefined;
  let startKey: string | undefined;
  if (query.continue) {
    const token = decodeContinue(query.continue);
    revision = token.rv;
    startKey = prefix + token.start;
  } else if (match === 'Exact') {
    revision = Number(rv);
  }
  let result;
  try {
    result = await etcd.list(prefix, {
      limit,
      startKey,
      revision,
      filter: selection.everything ? undefined : (o) => selection.matches(o),
    });
  } catch (err) {
    if (query.continue && (err as { reason?: string }).reason === 'Expired') {
      throw expired(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    throw err;
  }
  const meta: ListMeta = { resourceVersion: String(result.revision) };
  if (result.nextKey !== undefined) {
    meta.continue = encodeContinue(result.revision, result.nextKey.slice(prefix.length));
    if (result.remaining !== undefined) meta.remainingItemCount = result.remaining;
  }
  return { items: result.items, meta };
}
