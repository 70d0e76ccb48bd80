/**
 * The JSON bytes of stored objects, computed once per object and shared by every watch
 * event and list response that sends it. Objects held by the watch cache are never
 * mutated (writers work on copies read from etcd), so an object's encoding stays valid
 * for its whole life; WeakMaps let it go with the object. Bytes rather than strings: a
 * 10,000-pod list is one memcpy of cached buffers, with no UTF-8 encoding pass.
 */
import type { KubeObject, ListMeta } from '../../api/meta/object-meta.js';

const encodings = new WeakMap<KubeObject, Buffer>();
/** Watch lines by object and event type. */
const eventLines = new WeakMap<KubeObject, Partial<Record<string, Buffer>>>();

const COMMA = Buffer.from(',');
const LIST_END = Buffer.from(']}');
const LINE_END = Buffer.from('}\n');

export function encodedObject(obj: KubeObject): Buffer {
  let b = encodings.get(obj);
  if (b === undefined) {
    b = Buffer.from(JSON.stringify(obj));
    encodings.set(obj, b);
  }
  return b;
}

/** Records bytes already known to be JSON.stringify(obj) (see apiEncoding in storage/etcd-store.ts). */
export function rememberEncoding(obj: KubeObject, bytes: Buffer): void {
  encodings.set(obj, bytes);
}

/** `{"kind","apiVersion","metadata","items"}` from the items' shared encodings: no re-serialisation of cached objects. */
export function encodedList(kind: string, apiVersion: string, metadata: ListMeta, items: readonly KubeObject[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`{"kind":${JSON.stringify(kind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[`)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) parts.push(COMMA);
    parts.push(encodedObject(items[i]!));
  }
  parts.push(LIST_END);
  return Buffer.concat(parts);
}

/** `{"type":…,"object":…}\n`, built once per object and type and written as is to every watcher that sends it. */
export function encodedWatchEvent(type: string, obj: KubeObject): Buffer {
  let byType = eventLines.get(obj);
  if (!byType) {
    byType = {};
    eventLines.set(obj, byType);
  }
  let line = byType[type];
  if (!line) {
    line = Buffer.concat([Buffer.from(`{"type":${JSON.stringify(type)},"object":`), encodedObject(obj), LINE_END]);
    byType[type] = line;
  }
  return line;
}
