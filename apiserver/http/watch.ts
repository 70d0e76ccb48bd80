/**
 * Serving a watch: a chunked HTTP response of newline-delimited `{"type","object"}` events,
 * fed from the resource's watch cache. Objects that start or stop matching the
 * selectors are sent as ADDED / DELETED, as Kubernetes does; bookmarks on request;
 * a resourceVersion that is too old is answered with an ERROR event carrying 410.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/meta/object-meta.js';
import type { ResourceDef } from '../../api/resource.js';
import type { EtcdStore } from '../storage/etcd-store.js';
import type { CacheEvent, WatchCache } from '../storage/watch-cache.js';
import { buildTable } from '../tables/build-table.js';
import { encodedWatchEvent } from './encoded-objects.js';
import { invalidListOptions, type ListQuery, type Selection } from './query.js';
import { toApiError, type Representation } from './respond.js';

export interface WatchRequest {
  def: ResourceDef;
  cache: WatchCache;
  etcd: EtcdStore;
  prefix: string;
  query: ListQuery;
  selection: Selection;
  rep: Representation;
  bookmarkIntervalMs: number;
  log: Logger;
}

/** A watcher that cannot keep up is cut off (the client relists), as kube-apiserver does. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** kube-apiserver ends watches after a random 30–60 minutes so clients rebalance. */
const DEFAULT_TIMEOUT_SECONDS = 1800;


export async function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  const { cache, query, selection, def } = w;
  const rvParam = query.resourceVersion ?? '';
  if (query.sendInitialEvents !== undefined && query.resourceVersionMatch !== 'NotOlderThan') {
    throw invalidListOptions('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  }
  if (query.resourceVersionMatch === 'Exact') throw invalidListOptions('resourceVersionMatch', '"Exact": supported values: "NotOlderThan"', 'FieldValueNotSupported');
  if (query.resourceVersionMatch && query.sendInitialEvents === undefined) {
    throw invalidListOptions('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }

  await cache.ready;
  let initial: KubeObject[] = [];
  let start: number;
  const sendInitial = query.sendInitialEvents ?? (rvParam === '' || rvParam === '0');
  if (rvParam === '') {
    // "Most recent": a consistent snapshot first, then changes after it.
    await cache.waitUntilFresh(await w.etcd.currentRevision());
  } else if (rvParam !== '0') {
    const rv = Number(rvParam);
    if (rv > cache.revision) await cache.waitUntilFresh(rv);
    if (!sendInitial) await cache.waitForHistory();
  }

  // Snapshot and registration happen in one tick: no event can fall between them.
  const rep = w.rep;
  let first = true;
  const line = (type: string, obj: KubeObject): string | Buffer => {
    if (rep.kind === 'table') {
      const t = buildTable(def, [obj], { includeObject: rep.includeObject, noHeaders: !first });
      first = false;
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    if (rep.kind === 'metadata') {
      return `{"type":"${type}","object":${JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata })}}\n`;
    }
    return encodedWatchEvent(type, obj);
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  let unregister: (() => void) | undefined;
  let lastBookmark = Date.now();
  const finish = () => {
    if (closed) return;
    closed = true;
    unregister?.();
    clearTimeout(timer);
    res.end();
  };
  const timeoutSeconds = query.timeoutSeconds || DEFAULT_TIMEOUT_SECONDS * (1 + Math.random());
  const timer = setTimeout(finish, timeoutSeconds * 1000);
  req.on('close', finish);
  res.on('error', finish);

  // Events of one event-loop turn (etcd watch responses read together often carry several)
  // go out in one write: one syscall per watcher per turn instead of one per event.
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  const send = (text: string | Buffer) => {
    if (closed) return;
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(uncork);
    }
    res.write(text);
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      w.log.warn({ resource: def.plural }, 'watcher too slow; closing it');
      finish();
    }
  };

  const bookmark = (rev: number, initialEventsEnd = false) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rev) };
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    send(`{"type":"BOOKMARK","object":${JSON.stringify({ kind: def.kind, apiVersion, metadata })}}\n`);
    lastBookmark = Date.now();
  };

  const onEvent = (ev: CacheEvent) => {
    if (selection.everything) {
      send(line(ev.type, ev.object));
      return;
    }
    const now = ev.type !== 'DELETED' && selection.matches(ev.object);
    const before = ev.prev !== undefined && selection.matches(ev.prev);
    if (ev.type === 'ADDED') {
      if (now) send(line('ADDED', ev.object));
    } else if (ev.type === 'DELETED') {
      if (before) send(line('DELETED', ev.object));
    } else if (now && before) send(line('MODIFIED', ev.object));
    else if (now) send(line('ADDED', ev.object));
    else if (before) send(line('DELETED', ev.object));
  };

  try {
    if (sendInitial) {
      const snap = cache.list(w.prefix);
      initial = snap.items.filter((o) => selection.matches(o));
      start = snap.revision;
    } else {
      start = Number(rvParam);
    }
    unregister = cache.watch(start, w.prefix, {
      onEvent,
      onProgress: (rev) => {
        if (query.allowWatchBookmarks && Date.now() - lastBookmark >= w.bookmarkIntervalMs) bookmark(rev);
      },
      onClose: finish,
    });
  } catch (err) {
    const status = toApiError(err).toStatus();
    send(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
    finish();
    return;
  }
  // The snapshot goes out in the same tick as the registration: live events can only follow it.
  for (const obj of initial) send(line('ADDED', obj));
  if (query.sendInitialEvents && query.allowWatchBookmarks) bookmark(start, true);
}

